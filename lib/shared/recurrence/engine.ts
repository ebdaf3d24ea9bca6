// The recurrence engine: occurrences of a task's RFC 5545 RRULE from a local start (a date
// and an optional wall-clock time) in an IANA zone. One module for the worker (next
// occurrence on completion), the gateway (GET /api/v1/recurrence/preview) and the browser.
//
// Wall-clock semantics: rrule expands the rule over a "floating" clock (the local date and
// time written into a UTC Date, where every day has 24 hours), so "every day at 09:00" stays
// at 09:00 across DST; only then is each wall-clock occurrence turned into an instant in the
// zone (zoned-time.ts: nonexistent → offset before the gap, repeated → first). Month ends
// follow the RFC: BYMONTHDAY=31 skips shorter months, BYMONTHDAY=-1 is the last day, a
// yearly February 29 occurs in leap years only. docs/recurrence.md has the whole contract.
import * as rruleModule from 'rrule';
import type { Options, RRule as RRuleType } from 'rrule';
import { FROM_COMPLETION_PART } from '../quick-add/recurrence.ts';
import { formatDate, formatTime, isValidDate } from '../quick-add/civil-date.ts';
import type { CivilDate, WallTime } from '../quick-add/civil-date.ts';
import { instantToWall, isKnownTimeZone, wallToInstant, wallToUtcMillis } from './zoned-time.ts';

type RRuleLib = { RRule: typeof RRuleType };
// rrule ships CommonJS to Node (named exports undetectable) and ESM to bundlers.
const lib: RRuleLib =
  'RRule' in rruleModule
    ? (rruleModule as unknown as RRuleLib)
    : (rruleModule as unknown as { default: RRuleLib }).default;

export { FROM_COMPLETION_PART };

/** Limits that keep every rule cheap to expand (and catch typos such as INTERVAL=1000000). */
export const LIMITS = { maxInterval: 999, maxCount: 1000, maxPreview: 50, minYear: 1900, maxYear: 2200 } as const;

/** A rule that cannot be used, with a sentence for the person who wrote it. */
export class RecurrenceError extends Error {
  readonly part: string | undefined;
  constructor(message: string, part?: string) {
    super(message);
    this.name = 'RecurrenceError';
    this.part = part;
  }
}

/** A local start or occurrence: `date` YYYY-MM-DD, `time` HH:MM (null for an all-day task). */
export type LocalDateTime = { date: string; time: string | null };
/** An occurrence; `at` is its instant (ISO, UTC) when it has a time, else null. */
export type Occurrence = LocalDateTime & { at: string | null };

export type ParsedRecurrence = {
  /** The standard RRULE body, without X- parts and without UNTIL (handled here). */
  body: string;
  fromCompletion: boolean;
  count: number | null;
  until: { date: CivilDate; time: WallTime | null; utc: boolean } | null;
  parts: ReadonlyMap<string, string>;
};

const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const SUB_DAILY = ['HOURLY', 'MINUTELY', 'SECONDLY'];
const WEEKDAY = '(?:MO|TU|WE|TH|FR|SA|SU)';
const SUPPORTED = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST']);
const UNSUPPORTED = new Set(['BYYEARDAY', 'BYWEEKNO', 'BYHOUR', 'BYMINUTE', 'BYSECOND', 'BYEASTER']);
const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function intList(part: string, value: string, min: number, max: number, allowNegative: boolean): number[] {
  const items = value.split(',');
  return items.map((item) => {
    if (!/^[+-]?\d{1,3}$/.test(item))
      throw new RecurrenceError(`${part} must be a list of whole numbers, got "${item}".`, part);
    const n = Number(item);
    const abs = Math.abs(n);
    if (n === 0 || abs < min || abs > max || (n < 0 && !allowNegative)) {
      throw new RecurrenceError(
        min === max
          ? `${part} can only be ${allowNegative ? `${min} or -${min}` : min} here, got ${item}.`
          : `${part} values must be between ${allowNegative ? `-${max} and -${min} or ` : ''}${min} and ${max}, got ${item}.`,
        part,
      );
    }
    return n;
  });
}

function parseUntil(value: string): NonNullable<ParsedRecurrence['until']> {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value);
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!m || !date || !isValidDate(date) || (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59))) {
    throw new RecurrenceError(
      `UNTIL must be a date (20261231) or a date-time (20261231T235959Z), got "${value}".`,
      'UNTIL',
    );
  }
  const time = m[4] === undefined ? null : { hour: Number(m[4]), minute: Number(m[5]) };
  return { date, time, utc: m[7] === 'Z' };
}

/**
 * Parses and validates a stored recurrence ("FREQ=…;…", optionally "RRULE:"-prefixed, with
 * the X-TM-FROM=COMPLETION extension). Throws RecurrenceError with a readable message.
 */
export function parseRecurrence(recurrence: string): ParsedRecurrence {
  const text = recurrence.trim().replace(/^RRULE:/i, '');
  if (text === '') throw new RecurrenceError('The rule is empty: write it as FREQ=WEEKLY;BYDAY=MO.');
  if (text.length > 500) throw new RecurrenceError('The rule is longer than 500 characters.');
  const parts = new Map<string, string>();
  let fromCompletion = false;
  for (const piece of text.split(';')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) throw new RecurrenceError(`"${piece}" is not a NAME=VALUE rule part.`);
    const name = piece.slice(0, eq).toUpperCase();
    const value = piece.slice(eq + 1).toUpperCase();
    if (parts.has(name) || (name === 'X-TM-FROM' && fromCompletion)) {
      throw new RecurrenceError(`${name} appears more than once.`, name);
    }
    if (name === 'X-TM-FROM') {
      if (`${name}=${value}` !== FROM_COMPLETION_PART) {
        throw new RecurrenceError(`X-TM-FROM only supports COMPLETION, got "${value}".`, name);
      }
      fromCompletion = true;
      continue;
    }
    if (name.startsWith('X-')) throw new RecurrenceError(`Unknown extension ${name}.`, name);
    if (UNSUPPORTED.has(name)) throw new RecurrenceError(`${name} is not supported for tasks.`, name);
    if (!SUPPORTED.has(name)) throw new RecurrenceError(`Unknown rule part ${name}.`, name);
    if (value === '') throw new RecurrenceError(`${name} has no value.`, name);
    parts.set(name, value);
  }

  const freq = parts.get('FREQ');
  if (freq === undefined) throw new RecurrenceError('The rule needs a FREQ, e.g. FREQ=DAILY.', 'FREQ');
  if (SUB_DAILY.includes(freq)) {
    throw new RecurrenceError(`Tasks repeat at most daily: FREQ=${freq} is not supported.`, 'FREQ');
  }
  if (!(FREQS as readonly string[]).includes(freq)) {
    throw new RecurrenceError(`FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, got "${freq}".`, 'FREQ');
  }

  const interval = parts.get('INTERVAL');
  if (interval !== undefined) {
    if (!/^\d{1,9}$/.test(interval) || Number(interval) < 1 || Number(interval) > LIMITS.maxInterval) {
      throw new RecurrenceError(
        `INTERVAL must be a whole number from 1 to ${LIMITS.maxInterval}, got ${interval}.`,
        'INTERVAL',
      );
    }
  }
  const countText = parts.get('COUNT');
  const untilText = parts.get('UNTIL');
  if (countText !== undefined && untilText !== undefined) {
    throw new RecurrenceError('A rule may end with COUNT or with UNTIL, not both (RFC 5545).', 'COUNT');
  }
  let count: number | null = null;
  if (countText !== undefined) {
    if (!/^\d{1,9}$/.test(countText) || Number(countText) < 1 || Number(countText) > LIMITS.maxCount) {
      throw new RecurrenceError(
        `COUNT must be a whole number from 1 to ${LIMITS.maxCount}, got ${countText}.`,
        'COUNT',
      );
    }
    count = Number(countText);
  }
  const until = untilText === undefined ? null : parseUntil(untilText);

  const byDay = parts.get('BYDAY');
  if (byDay !== undefined) {
    for (const item of byDay.split(',')) {
      const m = new RegExp(`^([+-]?\\d{1,2})?(${WEEKDAY})$`).exec(item);
      if (!m) throw new RecurrenceError(`BYDAY must list days such as MO,TU or 1MO,-1FR, got "${item}".`, 'BYDAY');
      if (m[1] !== undefined) {
        const n = Math.abs(Number(m[1]));
        const max = freq === 'MONTHLY' ? 5 : 53;
        if (freq !== 'MONTHLY' && freq !== 'YEARLY') {
          throw new RecurrenceError(`A numbered day like ${item} needs FREQ=MONTHLY or FREQ=YEARLY.`, 'BYDAY');
        }
        if (n < 1 || n > max) throw new RecurrenceError(`${item}: the number must be between 1 and ${max}.`, 'BYDAY');
      }
    }
  }
  const monthDays = parts.has('BYMONTHDAY') ? intList('BYMONTHDAY', parts.get('BYMONTHDAY') ?? '', 1, 31, true) : [];
  const months = parts.has('BYMONTH') ? intList('BYMONTH', parts.get('BYMONTH') ?? '', 1, 12, false) : [];
  if (parts.has('BYSETPOS')) {
    if (!byDay && monthDays.length === 0 && months.length === 0) {
      throw new RecurrenceError('BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH to pick from.', 'BYSETPOS');
    }
    // A position beyond the set's size never matches, and rrule would then search every
    // period up to year 9999: bound it by the largest set the frequency can produce.
    const weekDays = new Set((byDay ?? '').split(',').map((d) => d.slice(-2))).size;
    const monthSet = monthDays.length === 0 && byDay !== undefined ? Math.min(31, weekDays * 5) : 31;
    const maxPos = freq === 'DAILY' ? 0 : freq === 'WEEKLY' ? weekDays : freq === 'MONTHLY' ? monthSet : 366;
    if (maxPos === 0) throw new RecurrenceError('BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY.', 'BYSETPOS');
    intList('BYSETPOS', parts.get('BYSETPOS') ?? '', 1, maxPos, true);
  }
  const wkst = parts.get('WKST');
  if (wkst !== undefined && !new RegExp(`^${WEEKDAY}$`).test(wkst)) {
    throw new RecurrenceError(`WKST must be a day such as MO, got "${wkst}".`, 'WKST');
  }
  // Day numbers that no month in the rule has: "the 30th of February" never happens.
  if (monthDays.length > 0) {
    const inMonths = months.length > 0 ? months : [1, 3, 5, 7, 8, 10, 12];
    const possible = monthDays.some((n) => inMonths.some((m) => Math.abs(n) <= (MAX_MONTH_DAYS[m - 1] ?? 31)));
    if (!possible) throw new RecurrenceError('This rule never occurs: no month in it has that day.', 'BYMONTHDAY');
  }

  const body = [...parts]
    .filter(([name]) => name !== 'UNTIL')
    .map(([name, value]) => `${name}=${value}`)
    .join(';');
  return { body, fromCompletion, count, until, parts };
}

/** The message for an invalid recurrence, or null when it is usable. */
export function recurrenceProblem(recurrence: string): string | null {
  try {
    parseRecurrence(recurrence);
    return null;
  } catch (error) {
    if (error instanceof RecurrenceError) return error.message;
    throw error;
  }
}

// ---- local dates and times -----------------------------------------------------------------

export function parseLocalDate(text: string): CivilDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!date || !isValidDate(date)) throw new RecurrenceError(`"${text}" is not a date (YYYY-MM-DD).`, 'dtstart');
  if (date.year < LIMITS.minYear || date.year > LIMITS.maxYear) {
    throw new RecurrenceError(`The start must be between ${LIMITS.minYear} and ${LIMITS.maxYear}.`, 'dtstart');
  }
  return date;
}

export function parseLocalTime(text: string): WallTime {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    throw new RecurrenceError(`"${text}" is not a time (HH:MM).`, 'dtstart');
  }
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function floating(date: CivilDate, time: WallTime | null): Date {
  return new Date(wallToUtcMillis(date, time ?? { hour: 0, minute: 0 }));
}

function fromFloating(d: Date, timed: boolean, timeZone: string): Occurrence {
  const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  if (!timed) return { date: formatDate(date), time: null, at: null };
  const time = { hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  return { date: formatDate(date), time: formatTime(time), at: wallToInstant(date, time, timeZone).toISOString() };
}

function checkZone(timeZone: string): void {
  if (!isKnownTimeZone(timeZone) || timeZone.length > 64) {
    throw new RecurrenceError(`"${timeZone}" is not an IANA time zone such as Europe/Berlin.`, 'tz');
  }
}

function buildRule(
  parsed: ParsedRecurrence,
  start: CivilDate,
  startTime: WallTime | null,
  timeZone: string,
): RRuleType {
  const options: Partial<Options> = lib.RRule.parseString(parsed.body);
  let until: Date | null = null;
  if (parsed.until) {
    // UNTIL in UTC ("…Z") is an instant: compare on the zone's wall clock. A date or a
    // floating date-time is already local; a bare date includes that whole day.
    const u = parsed.until;
    if (u.utc && u.time) {
      const wall = instantToWall(wallToUtcMillis(u.date, u.time), timeZone);
      until = floating(wall.date, wall.time);
    } else {
      until = new Date(floating(u.date, u.time ?? { hour: 23, minute: 59 }).getTime() + (u.time ? 0 : 59_999));
    }
  }
  return new lib.RRule({ ...options, dtstart: floating(start, startTime), until, tzid: null });
}

export type OccurrencesOptions = {
  recurrence: string;
  /** The series' start (the task's due date and time). */
  start: LocalDateTime;
  timeZone: string;
  /** How many to return (at most LIMITS.maxPreview). */
  count: number;
  /** Only occurrences strictly after this local date-time (default: from the start, inclusive). */
  after?: LocalDateTime;
};

/**
 * The first `count` occurrences of a rule. Throws RecurrenceError for an invalid rule, date,
 * time or zone, and for a rule that never occurs after the start.
 */
export function occurrences({ recurrence, start, timeZone, count, after }: OccurrencesOptions): Occurrence[] {
  const parsed = parseRecurrence(recurrence);
  checkZone(timeZone);
  if (!Number.isInteger(count) || count < 1 || count > LIMITS.maxPreview) {
    throw new RecurrenceError(`count must be between 1 and ${LIMITS.maxPreview}.`, 'count');
  }
  const date = parseLocalDate(start.date);
  const time = start.time === null ? null : parseLocalTime(start.time);
  const rule = buildRule(parsed, date, time, timeZone);
  const from = after
    ? floating(parseLocalDate(after.date), after.time === null ? null : parseLocalTime(after.time))
    : null;
  const found: Date[] = [];
  rule.all((d) => {
    if (from === null || d.getTime() > from.getTime()) found.push(d);
    return found.length < count;
  });
  if (found.length === 0 && !after) {
    throw new RecurrenceError('This rule never occurs from the start date.', 'rrule');
  }
  return found.map((d) => fromFloating(d, time !== null, timeZone));
}

export type NextOccurrenceOptions = {
  recurrence: string;
  /** The completed task's due date and time. */
  due: LocalDateTime;
  timeZone: string;
  /** When the task was completed (used by X-TM-FROM=COMPLETION rules). */
  completedAt: Date;
};

export type NextOccurrence = {
  occurrence: Occurrence;
  /** The rule the next task carries: COUNT counts down so the series ends where it should. */
  recurrence: string;
};

/**
 * What completing a recurring task leads to: the next occurrence after its due date, or —
 * for X-TM-FROM=COMPLETION ("every!") rules — after the completion day in the task's zone,
 * at the task's time of day. Null when the series has ended (COUNT used up, UNTIL passed).
 */
export function nextOccurrence({
  recurrence,
  due,
  timeZone,
  completedAt,
}: NextOccurrenceOptions): NextOccurrence | null {
  const parsed = parseRecurrence(recurrence);
  if (parsed.count !== null && parsed.count <= 1) return null;
  let start = due;
  if (parsed.fromCompletion) {
    checkZone(timeZone);
    const wall = instantToWall(completedAt.getTime(), timeZone);
    start = { date: formatDate(wall.date), time: due.time };
  }
  const [next] = occurrences({ recurrence, start, timeZone, count: 1, after: start });
  if (!next) return null;
  const nextRule =
    parsed.count === null
      ? recurrence
      : recurrence.replace(/(^|;)COUNT=\d+/i, (_m, lead: string) => `${lead}COUNT=${(parsed.count ?? 1) - 1}`);
  return { occurrence: next, recurrence: nextRule };
}
