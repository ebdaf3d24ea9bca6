// Recurrence phrases ("every monday", "every 2 weeks", "every last day", "every! 3 days")
// → an RFC 5545 RRULE body, plus the first occurrence on or after a given day.
// The grammar is small and explicit on purpose; docs/quick-add.md lists it.

import { addDays, daysInMonth, isValidDate, weekdayOf } from './civil-date.ts';
import type { CivilDate } from './civil-date.ts';

/**
 * Marks a rule that repeats from the completion date instead of the due date ("every!").
 * RFC 5545 has no such part, so it is appended as a vendor extension part; strip it with
 * splitRecurrence() before handing the rule to an RRULE library.
 */
export const FROM_COMPLETION_PART = 'X-TM-FROM=COMPLETION';

export type Rule = {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  byDay: number[]; // 0 = Sunday … 6 = Saturday, in the order written
  byMonth: number | null;
  byMonthDay: number[]; // 1..31, or -1 for the last day
  fromCompletion: boolean;
};

export type RecurrenceMatch = { rule: Rule; start: number; end: number };

const RRULE_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

export function formatRule(rule: Rule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byMonth !== null) parts.push(`BYMONTH=${rule.byMonth}`);
  if (rule.byMonthDay.length > 0) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byDay.length > 0) parts.push(`BYDAY=${rule.byDay.map((d) => RRULE_DAYS[d]).join(',')}`);
  if (rule.fromCompletion) parts.push(FROM_COMPLETION_PART);
  return parts.join(';');
}

/**
 * Splits a stored recurrence into the standard RRULE body (for rrule.js, Postgres, iCalendar
 * export) and the repeat-from-completion flag.
 */
export function splitRecurrence(recurrence: string): { rrule: string; fromCompletion: boolean } {
  const body = recurrence.replace(/^RRULE:/i, '');
  const parts = body.split(';').filter((part) => part !== '');
  const fromCompletion = parts.some((part) => part.toUpperCase() === FROM_COMPLETION_PART);
  return { rrule: parts.filter((part) => !/^X-/i.test(part)).join(';'), fromCompletion };
}

function matchesDay(rule: Rule, date: CivilDate): boolean {
  if (rule.byDay.length > 0 && !rule.byDay.includes(weekdayOf(date))) return false;
  if (rule.byMonth !== null && rule.byMonth !== date.month) return false;
  if (rule.byMonthDay.length > 0) {
    const last = daysInMonth(date.year, date.month);
    return rule.byMonthDay.some((n) => (n === -1 ? date.day === last : date.day === n));
  }
  return true;
}

/**
 * The first day on or after `from` that the rule produces when it starts there. Rules without
 * a BY* part occur on their start day, so that is `from` itself. Returns null only for a rule
 * that never occurs within eight years (cannot happen for rules parseRecurrence builds).
 */
export function firstOccurrence(rule: Rule, from: CivilDate): CivilDate | null {
  let day = from;
  // Eight years and a bit: long enough for February 29 across a skipped leap year (2100).
  for (let i = 0; i < 3000; i += 1) {
    if (matchesDay(rule, day)) return day;
    day = addDays(day, 1);
  }
  return null;
}

// ---- the grammar -------------------------------------------------------------------------

const WEEKDAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

const NUMBER_WORDS: Record<string, number> = {
  other: 2,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

const WD =
  '(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?';
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ORD = '(?:\\d{1,2}(?:st|nd|rd|th)|last\\s+day)';
const COUNT = '(?:\\d{1,3}|other|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)';
const AND = '\\s*(?:,\\s*and|,|and|&)\\s*';
const END = '(?![\\p{L}\\p{N}])';

// Tried in this order at each "every"; the first that matches wins, so the longer forms come first.
const BODIES: Array<{ pattern: RegExp; build: (m: RegExpExecArray) => Omit<Rule, 'fromCompletion'> | null }> = [
  {
    // every jan 27, every january 27th
    pattern: new RegExp(`(${MONTH})\\s+(\\d{1,2})(?:st|nd|rd|th)?${END}`, 'iuy'),
    build: (m) => yearly(m[1], m[2]),
  },
  {
    // every 27th of january, every 27 jan
    pattern: new RegExp(`(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTH})${END}`, 'iuy'),
    build: (m) => yearly(m[2], m[1]),
  },
  {
    // every 1st, every 15th, every last day, every 1st and 15th (of the month)
    pattern: new RegExp(
      `(${ORD}(?:${AND}${ORD})*)(?:\\s+(?:day\\s+)?of\\s+(?:the\\s+|each\\s+|every\\s+)?month)?${END}`,
      'iuy',
    ),
    build: (m) => monthly(m[1] ?? ''),
  },
  {
    // every weekday / workday
    pattern: new RegExp(`(?:week|work)\\s?days?${END}`, 'iuy'),
    build: () => ({ ...base('WEEKLY'), byDay: [1, 2, 3, 4, 5] }),
  },
  {
    pattern: new RegExp(`weekends?${END}`, 'iuy'),
    build: () => ({ ...base('WEEKLY'), byDay: [6, 0] }),
  },
  {
    // every monday, every mon and thu, every other friday
    pattern: new RegExp(`(?:(other)\\s+)?(${WD}(?:${AND}${WD})*)${END}`, 'iuy'),
    build: (m) => weekly(m[2] ?? '', m[1] ? 2 : 1),
  },
  {
    // every day, every 3 days, every other week, every 2 months, every year
    pattern: new RegExp(`(?:(${COUNT})\\s+)?(day|week|fortnight|month|year)s?${END}`, 'iuy'),
    build: (m) => periodic(m[1], m[2] ?? ''),
  },
];

function base(freq: Rule['freq'], interval = 1): Omit<Rule, 'fromCompletion'> {
  return { freq, interval, byDay: [], byMonth: null, byMonthDay: [] };
}

function yearly(monthWord: string | undefined, dayText: string | undefined): Omit<Rule, 'fromCompletion'> | null {
  const month = MONTHS[(monthWord ?? '').toLowerCase().replace(/\.$/, '')];
  const day = Number(dayText);
  // February 29 is allowed: the rule then occurs in leap years only.
  if (month === undefined || !isValidDate({ year: 2024, month, day })) return null;
  return { ...base('YEARLY'), byMonth: month, byMonthDay: [day] };
}

function monthly(list: string): Omit<Rule, 'fromCompletion'> | null {
  const days: number[] = [];
  for (const item of list.split(/\s*(?:,\s*and|,|and|&)\s*/i)) {
    const n = /^last/i.test(item) ? -1 : parseInt(item, 10);
    if (!(n === -1 || (n >= 1 && n <= 31))) return null;
    if (!days.includes(n)) days.push(n);
  }
  return days.length > 0 ? { ...base('MONTHLY'), byMonthDay: days } : null;
}

function weekly(list: string, interval: number): Omit<Rule, 'fromCompletion'> | null {
  const days: number[] = [];
  for (const item of list.split(/\s*(?:,\s*and|,|and|&)\s*/i)) {
    const word = item.toLowerCase();
    const day = WEEKDAYS[word] ?? WEEKDAYS[word.replace(/s$/, '')];
    if (day === undefined) return null;
    if (!days.includes(day)) days.push(day);
  }
  return days.length > 0 ? { ...base('WEEKLY', interval), byDay: days } : null;
}

function periodic(countText: string | undefined, unit: string): Omit<Rule, 'fromCompletion'> | null {
  let count = 1;
  if (countText !== undefined) {
    count = NUMBER_WORDS[countText.toLowerCase()] ?? parseInt(countText, 10);
  }
  if (!Number.isInteger(count) || count < 1 || count > 999) return null;
  switch (unit.toLowerCase()) {
    case 'day':
      return base('DAILY', count);
    case 'week':
      return base('WEEKLY', count);
    case 'fortnight':
      return count * 2 <= 999 ? base('WEEKLY', count * 2) : null;
    case 'month':
      return base('MONTHLY', count);
    case 'year':
      return base('YEARLY', count);
    default:
      return null;
  }
}

const EVERY = /(?<![\p{L}\p{N}])every(!?)\s+/giu;
const BARE = /(?<![\p{L}\p{N}])(daily|weekly|fortnightly|monthly|yearly|annually)(!?)(?![\p{L}\p{N}])/giu;
// What may follow a bare "daily"/"weekly" for it to count: the end of the input, or a time.
const BARE_TAIL =
  /^(?:[\s,;.]*$|\s+(?:at\s+\d|@\s*\d|\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?![\p{L}])|noon|midnight|starting\s|from\s))/iu;

/**
 * Finds recurrence phrases in `text` (other tokens already blanked out with spaces; literal
 * text masked with non-space characters). Returns every match in order of position.
 */
export function findRecurrences(text: string): RecurrenceMatch[] {
  const found: RecurrenceMatch[] = [];
  for (const every of text.matchAll(EVERY)) {
    const bodyStart = every.index + every[0].length;
    for (const { pattern, build } of BODIES) {
      const sticky = new RegExp(pattern.source, 'iuy');
      sticky.lastIndex = bodyStart;
      const m = sticky.exec(text);
      if (!m) continue;
      const rule = build(m);
      if (!rule) continue;
      found.push({
        rule: { ...rule, fromCompletion: every[1] === '!' },
        start: every.index,
        end: bodyStart + m[0].length,
      });
      break;
    }
  }
  for (const bare of text.matchAll(BARE)) {
    const end = bare.index + bare[0].length;
    if (!BARE_TAIL.test(text.slice(end))) continue;
    if (found.some((f) => f.start < end && bare.index < f.end)) continue;
    const word = (bare[1] ?? '').toLowerCase();
    const freq =
      word === 'daily'
        ? 'DAILY'
        : word === 'monthly'
          ? 'MONTHLY'
          : word === 'weekly' || word === 'fortnightly'
            ? 'WEEKLY'
            : 'YEARLY';
    const interval = word === 'fortnightly' ? 2 : 1;
    found.push({ rule: { ...base(freq, interval), fromCompletion: bare[2] === '!' }, start: bare.index, end });
  }
  return found.sort((a, b) => a.start - b.start);
}
