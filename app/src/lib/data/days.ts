// Calendar days in the person's time zone: "today", overdue, and the Upcoming grouping.
// A due date is a calendar day (YYYY-MM-DD). A task due at a time in a zone (due_at set,
// due_time not null) belongs to the day that instant falls on in the person's zone.

import type { TaskRow } from './types.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (user input and stored settings are checked with this). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    dayFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = dayFormatter(isValidTimeZone(timeZone) ? timeZone : 'UTC').formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** YYYY-MM-DD plus n days (pure calendar arithmetic). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The day a task is due on, seen from `timeZone`; null when it has no due date. */
export function taskDay(task: Pick<TaskRow, 'due_date' | 'due_time' | 'due_at'>, timeZone: string): string | null {
  if (!task.due_date) return null;
  if (task.due_time && task.due_at) {
    const at = new Date(task.due_at);
    if (!Number.isNaN(at.getTime())) return dayIn(at, timeZone);
  }
  return task.due_date;
}

/** Today view: open tasks due today or earlier (overdue) in the person's zone. */
export function isDueByToday(task: TaskRow, today: string, timeZone: string): boolean {
  const day = taskDay(task, timeZone);
  return day !== null && day <= today;
}

export type DayGroup<T> = { day: string; tasks: T[] };

/**
 * Upcoming: `days` consecutive days starting at `today`, each with its tasks (in the
 * order given); tasks outside the window are left out. Every day is present, even empty.
 */
export function groupByDay<T extends Pick<TaskRow, 'due_date' | 'due_time' | 'due_at'>>(
  tasks: readonly T[],
  today: string,
  timeZone: string,
  days = 14,
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  const index = new Map<string, DayGroup<T>>();
  for (let i = 0; i < days; i += 1) {
    const group = { day: addDays(today, i), tasks: [] as T[] };
    groups.push(group);
    index.set(group.day, group);
  }
  for (const task of tasks) {
    const day = taskDay(task, timeZone);
    if (day) index.get(day)?.tasks.push(task);
  }
  return groups;
}

const LABEL = new Map<string, Intl.DateTimeFormat>();

/** "Today", "Tomorrow", or "Mon 24 Nov" for a YYYY-MM-DD day relative to `today`. */
export function dayLabel(day: string, today: string, locale = 'en'): string {
  if (day === today) return 'Today';
  if (day === addDays(today, 1)) return 'Tomorrow';
  let f = LABEL.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
    LABEL.set(locale, f);
  }
  return f.format(new Date(`${day}T00:00:00Z`));
}

/** The browser's own zone (the fallback when the person has not chosen one). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Today (YYYY-MM-DD) in a zone. */
export function todayIn(timeZone: string, now = Date.now()): string {
  return dayIn(new Date(now), timeZone);
}

/** The current instant as an ISO string (what a timestamptz column accepts). */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Cookie in which the browser reports its zone, so the next server render can use it. */
export const TZ_COOKIE = 'tz';
