// When a reminder fires, in TypeScript: the same rules as the SQL that schedules the job
// (private.reminder_fire_at in supabase/migrations/20261123221000_reminders-table.sql), for
// showing "fires Sat 13 Mar, 09:00" in the app. tests/integration/reminders.test.ts checks the
// two agree. Browser-safe.
import { parseLocalDate, parseLocalTime } from './engine.ts';
import { wallToInstant } from './zoned-time.ts';

export type ReminderKind = 'at_due' | 'before_due' | 'absolute';
export type OffsetUnit = 'minutes' | 'hours' | 'days';

export type ReminderSpec = {
  kind: ReminderKind;
  amount: number | null;
  unit: OffsetUnit | null;
  /** For absolute reminders: the instant. */
  remindAt: Date | null;
};

export type DueSpec = { dueDate: string | null; dueTime: string | null; dueTz: string | null };

/** All-day tasks have no time: their reminders count from this local time. */
export const ALL_DAY_REMINDER_TIME = '09:00';

const DAY = 86_400_000;

/** The instant a reminder fires for a task's due date, or null when it cannot (no due date). */
export function reminderInstant(reminder: ReminderSpec, due: DueSpec): Date | null {
  if (reminder.kind === 'absolute') return reminder.remindAt;
  if (due.dueDate === null) return null;
  let date = parseLocalDate(due.dueDate);
  const time = parseLocalTime((due.dueTime ?? ALL_DAY_REMINDER_TIME).slice(0, 5));
  const zone = due.dueTz ?? 'UTC';
  if (reminder.kind === 'before_due' && reminder.unit === 'days') {
    // Calendar days: the same wall-clock time N days earlier, whatever DST does.
    const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) - (reminder.amount ?? 0) * DAY);
    date = { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
    return wallToInstant(date, time, zone);
  }
  const at = wallToInstant(date, time, zone);
  if (reminder.kind === 'at_due') return at;
  const minutes = (reminder.amount ?? 0) * (reminder.unit === 'hours' ? 60 : 1);
  return new Date(at.getTime() - minutes * 60_000);
}

/** "At the due time", "10 minutes before", "1 day before", "At a set time". */
export function describeReminder(reminder: Pick<ReminderSpec, 'kind' | 'amount' | 'unit'>): string {
  if (reminder.kind === 'at_due') return 'At the due time';
  if (reminder.kind === 'absolute') return 'At a set time';
  const n = reminder.amount ?? 0;
  const unit = (reminder.unit ?? 'minutes').replace(/s$/, '');
  return `${n} ${unit}${n === 1 ? '' : 's'} before`;
}
