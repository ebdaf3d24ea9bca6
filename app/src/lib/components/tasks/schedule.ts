// Shapes and formatting shared by the task page's Reminders and Repeats sections and their
// server loads. Browser-safe; formatting is fixed to en-GB and UTC arithmetic so the server
// render and the browser agree character for character.
import type { Occurrence } from '$shared/recurrence/engine.ts';
import type { ReminderKind } from '$shared/recurrence/reminders.ts';

export type ReminderView = {
  id: string;
  kind: ReminderKind;
  label: string;
  /** When it fires (ISO), null when it cannot (no due date). */
  firesAt: string | null;
  /** firesAt in words in the task's zone, e.g. "Sat 13 Mar 2027, 09:00 (America/New_York)". */
  firesLabel: string | null;
  past: boolean;
};

export type PreviewView = {
  rrule: string;
  dtstart: string;
  tz: string;
  occurrences: Occurrence[];
  error: string | null;
};

const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "Mon 9 Mar 2026" or "Mon 9 Mar 2026, 09:00" (the occurrence's own wall clock). */
export function occurrenceLabel(o: Pick<Occurrence, 'date' | 'time'>): string {
  const [y, m, d] = o.date.split('-').map(Number);
  const day = DAY_FORMAT.format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1))).replace(',', '');
  return o.time ? `${day}, ${o.time}` : day;
}

export type ScheduleErrors = Partial<
  Record<'form' | 'kind' | 'amount' | 'unit' | 'remindAt' | 'reminderId' | 'rrule', string[]>
>;

/** A failed action's result as this page's forms hand it back. */
export type ScheduleForm =
  { action?: string; errors?: ScheduleErrors; values?: Record<string, string> } | null | undefined;
