// Calendar arithmetic on plain dates and wall-clock times, free of any time zone: the parser
// works in the user's zone by first turning "now" into that zone's wall clock (zonedNow) and
// from then on only counts days. Browser-safe, no dependencies.

/** A calendar day; `month` is 1..12. */
export type CivilDate = { year: number; month: number; day: number };
/** A wall-clock time, 24-hour. */
export type WallTime = { hour: number; minute: number };

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidDate(d: CivilDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.year >= 1 &&
    d.year <= 9999 &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

function toUtc(d: CivilDate): Date {
  const date = new Date(Date.UTC(d.year, d.month - 1, d.day));
  // Date.UTC maps years 0..99 to 1900..1999; set the year explicitly.
  date.setUTCFullYear(d.year, d.month - 1, d.day);
  return date;
}

function fromUtc(date: Date): CivilDate {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function addDays(d: CivilDate, days: number): CivilDate {
  const date = toUtc(d);
  date.setUTCDate(date.getUTCDate() + days);
  return fromUtc(date);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(d: CivilDate): number {
  return toUtc(d).getUTCDay();
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

export function compareTimes(a: WallTime, b: WallTime): number {
  return a.hour - b.hour || a.minute - b.minute;
}

/** The first `weekday` strictly after `d`. */
export function nextWeekdayAfter(d: CivilDate, weekday: number): CivilDate {
  const diff = (weekday - weekdayOf(d) + 7) % 7;
  return addDays(d, diff === 0 ? 7 : diff);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatDate(d: CivilDate): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

export function formatTime(t: WallTime): string {
  return `${pad(t.hour)}:${pad(t.minute)}`;
}

export type ZonedNow = { date: CivilDate; time: WallTime; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    if (formatters.size > 50) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the IANA zone name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at the instant `now` (throws on an invalid date or zone). */
export function zonedNow(now: Date, timeZone: string): ZonedNow {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(now)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? NaN;
  return {
    date: { year, month: parts.month ?? NaN, day: parts.day ?? NaN },
    time: { hour: (parts.hour ?? 0) % 24, minute: parts.minute ?? 0 },
    second: parts.second ?? 0,
  };
}
