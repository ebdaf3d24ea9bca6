// Quick add: one line of text → a task's title, due date/time, recurrence, priority, project
// and labels, with the recognised tokens' positions for preview chips. The same module runs in
// the browser (as you type) and on the server (when the form is submitted without JavaScript),
// so it is browser-safe (no node: imports) and pure: the caller passes "now" and the user's
// IANA time zone. The syntax and every choice made here are documented in docs/quick-add.md.

import * as chrono from 'chrono-node/en';
import type { ParsedResult } from 'chrono-node/en';
import {
  addDays,
  compareDates,
  compareTimes,
  formatDate,
  formatTime,
  isKnownTimeZone,
  isValidDate,
  nextWeekdayAfter,
  zonedNow,
} from './civil-date.ts';
import type { CivilDate, WallTime, ZonedNow } from './civil-date.ts';
import { findRecurrences, firstOccurrence, formatRule } from './recurrence.ts';

export { FROM_COMPLETION_PART, splitRecurrence } from './recurrence.ts';

export type QuickAddToken = {
  kind: 'date' | 'recurrence' | 'priority' | 'project' | 'label';
  text: string;
  start: number;
  end: number;
};

export type QuickAdd = {
  /** The input with the recognised tokens removed, whitespace collapsed; quotes removed from literal phrases. */
  title: string;
  /** 'YYYY-MM-DD' and 'HH:MM' (24 h), in the user's time zone. */
  due: { date: string; time: string | null } | null;
  /** RFC 5545 RRULE body, e.g. 'FREQ=WEEKLY;BYDAY=MO'; see splitRecurrence() for "every!". */
  recurrence: string | null;
  priority: 1 | 2 | 3 | 4 | null;
  project: string | null;
  labels: string[];
  /** Recognised tokens in order of position in the original input (a date token may enclose a tag). */
  tokens: QuickAddToken[];
};

export type QuickAddOptions = { now: Date; timeZone: string };

/** Longer input is not parsed at all (it is no quick add; the title check rejects it anyway). */
export const MAX_PARSED_LENGTH = 1000;

/**
 * Parses a quick-add line. Never throws: on any unexpected input (invalid date, unknown zone,
 * non-string) it degrades to "everything is the title".
 */
export function parseQuickAdd(input: string, opts: QuickAddOptions): QuickAdd {
  const text = typeof input === 'string' ? input : '';
  try {
    if (text.length > MAX_PARSED_LENGTH) return plain(text);
    return parse(text, opts);
  } catch {
    return plain(text);
  }
}

function plain(input: string): QuickAdd {
  return {
    title: collapse(input),
    due: null,
    recurrence: null,
    priority: null,
    project: null,
    labels: [],
    tokens: [],
  };
}

const collapse = (s: string): string => s.replace(/\s+/gu, ' ').trim();

/** Literal text (quoted phrases, URLs, e-mail addresses) is hidden from every other pass behind this character. */
const LITERAL_MASK = '\uE000';

type Span = { start: number; end: number };

function mask(work: string, span: Span, ch: string): string {
  return work.slice(0, span.start) + ch.repeat(span.end - span.start) + work.slice(span.end);
}

// A tag starts a word: at the start, after whitespace or an opening bracket, and ends before
// whitespace, the end, or closing punctuation. So a@b.com, http://x/#a and x#1 are no tags.
const TAG_BEFORE = '(?<=^|[\\s(\\[{])';
const TAG_AFTER = '(?=$|[\\s,;:.!?)\\]}])';
const TAG_NAME = '[\\p{L}\\p{M}\\p{N}_-]+';
const PROJECT = new RegExp(`${TAG_BEFORE}#(${TAG_NAME})${TAG_AFTER}`, 'gu');
const LABEL = new RegExp(`${TAG_BEFORE}@(${TAG_NAME})${TAG_AFTER}`, 'gu');
const PRIORITY = new RegExp(`${TAG_BEFORE}(?:p([1-4])|!([1-4]))${TAG_AFTER}`, 'giu');
const QUOTED = /(#?)(["“])([^"“”\n]*)(["”])/gu;
const URL_OR_EMAIL = /(?:https?:\/\/|www\.)[^\s\uE000]+|[^\s@\uE000"“”]+@[^\s@\uE000"“”]+\.[^\s@\uE000"“”]+/giu;
const FEB_29 =
  /(?<![\p{L}\p{N}])(?:feb(?:ruary)?\.?\s+29(?:th)?|29(?:th)?\s+(?:of\s+)?feb(?:ruary)?\.?)(?![\p{L}\p{N}])(?!\s*,?\s*\d{4})/giu;
// Words that may introduce a date and belong to its token: "due friday", "by 5pm", "@5pm".
const CONNECTOR = /(?:(?<![\p{L}\p{N}])(?:due|by|starting|from|until|before|on|at)\s+|@\s*)$/iu;
const TIME_LIKE = /^\d{1,2}(?::\d{2})?(?:am|pm)?$/iu;
const WEEKDAY_WORD = /(?<![\p{L}])(?:mon|tue|wed|thu|fri|sat|sun)/iu;
// chrono reads these alone as dates; in a task title they are ordinary words.
const NOT_A_DATE = new Set(['now', 'sun', 'sat', 'second', 'mar', 'may']);
// chrono's part-of-day words imply a time; these are the times a to-do app should use.
const PART_OF_DAY: Record<string, WallTime> = {
  morning: { hour: 9, minute: 0 },
  afternoon: { hour: 15, minute: 0 },
  evening: { hour: 19, minute: 0 },
  tonight: { hour: 20, minute: 0 },
};

type DateCandidate = Span & { date: CivilDate; hasDate: boolean; time: WallTime | null; text: string };

function parse(input: string, opts: QuickAddOptions): QuickAdd {
  const timeZone = typeof opts.timeZone === 'string' && isKnownTimeZone(opts.timeZone) ? opts.timeZone : 'UTC';
  const now = zonedNow(opts.now, timeZone);
  if (!isValidDate(now.date)) return plain(input);
  const today = now.date;

  let work = input;
  const tokens: QuickAddToken[] = [];
  const quoteChars: number[] = [];
  const addToken = (kind: QuickAddToken['kind'], span: Span): void => {
    tokens.push({ kind, text: input.slice(span.start, span.end), start: span.start, end: span.end });
    work = mask(work, span, ' ');
  };

  // 1. Literal text: "quoted phrases" (the quotes go, the words stay), URLs and e-mail addresses.
  //    #"two words" is a project, not a literal.
  const projects: Array<Span & { name: string }> = [];
  for (const m of input.matchAll(QUOTED)) {
    const hash = m[1] ?? '';
    const inner = m[3] ?? '';
    const start = m.index;
    const end = start + m[0].length;
    const before = start === 0 ? ' ' : (input[start - 1] ?? ' ');
    if (hash === '#' && /[\s([{]/u.test(before) && inner.trim() !== '') {
      projects.push({ start, end, name: collapse(inner) });
      work = mask(work, { start, end }, LITERAL_MASK);
      continue;
    }
    const quoteStart = start + hash.length;
    quoteChars.push(quoteStart, end - 1);
    work = mask(work, { start: quoteStart, end }, LITERAL_MASK);
  }
  for (const m of work.matchAll(URL_OR_EMAIL)) {
    work = mask(work, { start: m.index, end: m.index + m[0].length }, LITERAL_MASK);
  }

  // 2. Tags. For the project and the priority the last one wins; earlier ones stay in the title.
  for (const m of work.matchAll(PROJECT)) {
    const name = m[1] ?? '';
    // "#123" reads as an issue number, not a project.
    if (/\p{L}/u.test(name)) projects.push({ start: m.index, end: m.index + m[0].length, name });
  }
  const project = projects.sort((a, b) => a.start - b.start).at(-1) ?? null;
  if (project) addToken('project', project);

  const labels: string[] = [];
  for (const m of work.matchAll(LABEL)) {
    const name = m[1] ?? '';
    if (TIME_LIKE.test(name)) continue; // "@5pm" is a time
    if (!labels.some((l) => l.toLowerCase() === name.toLowerCase())) labels.push(name);
    addToken('label', { start: m.index, end: m.index + m[0].length });
  }

  let priority: QuickAdd['priority'] = null;
  const priorityMatch = [...work.matchAll(PRIORITY)].at(-1);
  if (priorityMatch) {
    priority = Number(priorityMatch[1] ?? priorityMatch[2]) as 1 | 2 | 3 | 4;
    addToken('priority', { start: priorityMatch.index, end: priorityMatch.index + priorityMatch[0].length });
  }

  // 3. Recurrence (the last phrase wins).
  const recurrence = findRecurrences(work).at(-1) ?? null;
  if (recurrence) addToken('recurrence', recurrence);

  // 4. Dates and times: chrono plus February 29 (which chrono rejects in a non-leap year).
  const candidates: DateCandidate[] = [];
  for (const m of work.matchAll(FEB_29)) {
    let year = today.year;
    while (!isValidDate({ year, month: 2, day: 29 }) || compareDates({ year, month: 2, day: 29 }, today) < 0) {
      year += 1;
    }
    const span = { start: m.index, end: m.index + m[0].length };
    candidates.push({ ...span, date: { year, month: 2, day: 29 }, hasDate: true, time: null, text: m[0] });
    work = mask(work, span, ' ');
  }
  for (const result of runChrono(work, now)) {
    // "every 0 days" is no recurrence; its words stay in the title rather than become a date.
    if (/(?<![\p{L}\p{N}])every!?\s+$/iu.test(work.slice(0, result.index))) continue;
    const candidate = toCandidate(result, now, opts.now, timeZone);
    if (candidate) candidates.push(candidate);
  }
  candidates.sort((a, b) => a.start - b.start);
  // The last phrase naming a day gives the date, the last phrase naming a time gives the time.
  const dayCandidate = candidates.filter((c) => c.hasDate).at(-1) ?? null;
  const timeCandidate = candidates.filter((c) => c.time !== null).at(-1) ?? null;
  for (const c of new Set([dayCandidate, timeCandidate])) {
    if (!c) continue;
    const connector = CONNECTOR.exec(work.slice(0, c.start));
    const start = connector ? c.start - connector[0].length : c.start;
    addToken('date', { start, end: c.end });
  }

  // 5. The due date.
  const time = timeCandidate?.time ?? null;
  let due: QuickAdd['due'] = null;
  if (recurrence) {
    // The rule's first occurrence on or after the named day (default today); a time already
    // past today moves the start to tomorrow.
    let from = dayCandidate && compareDates(dayCandidate.date, today) > 0 ? dayCandidate.date : today;
    if (time && compareDates(from, today) === 0 && compareTimes(time, now.time) < 0) from = addDays(today, 1);
    const first = firstOccurrence(recurrence.rule, from);
    if (first) due = { date: formatDate(first), time: time ? formatTime(time) : null };
  } else if (dayCandidate || timeCandidate) {
    const date = (dayCandidate ?? timeCandidate)?.date ?? today;
    due = { date: formatDate(date), time: time ? formatTime(time) : null };
  }

  // 6. The title: everything not recognised, quotes of literal phrases removed.
  const removed = new Uint8Array(input.length);
  for (const t of tokens) removed.fill(1, t.start, t.end);
  for (const i of quoteChars) removed[i] = 1;
  let title = '';
  for (let i = 0; i < input.length; i += 1) title += removed[i] ? ' ' : input[i];
  title = collapse(title);
  if (tokens.length > 0) {
    // Punctuation left behind by a removed token: "ship by friday!" → "ship!", "call mom, p1" → "call mom".
    title = collapse(
      title
        .replace(/ +(?=[!?.,;:](?:\s|$))/gu, '')
        .replace(/[\s,;:]+$/u, '')
        .replace(/^[\s,;:]+/u, ''),
    );
  }
  // A date phrase may enclose a tag ("tomorrow #home 5pm"): its chip text leaves the tag out.
  for (const t of tokens) {
    if (t.kind !== 'date') continue;
    let text = '';
    for (let i = t.start; i < t.end; i += 1) {
      const inTag = tokens.some((o) => o !== t && o.kind !== 'date' && o.start <= i && i < o.end);
      text += inTag ? ' ' : input[i];
    }
    t.text = collapse(text);
  }

  return {
    title,
    due,
    recurrence: recurrence ? formatRule(recurrence.rule) : null,
    priority,
    project: project?.name ?? null,
    labels,
    tokens: tokens.sort((a, b) => a.start - b.start || b.end - a.end),
  };
}

/**
 * chrono works in the wall-clock frame of the user's zone: the reference instant is "now in
 * that zone" written as UTC, and components are read back as numbers (never via Date objects
 * in the machine's zone), so the machine's own time zone plays no part.
 */
function runChrono(text: string, now: ZonedNow): ParsedResult[] {
  if (!/[\p{L}\p{N}]/u.test(text)) return [];
  const instant = wallClockInstant(now.date, now.time, now.second);
  return chrono.casual.parse(text, { instant: new Date(instant), timezone: 0 }, { forwardDate: true });
}

function wallClockInstant(date: CivilDate, time: WallTime, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(date.year, date.month - 1, date.day);
  d.setUTCHours(time.hour, time.minute, second, 0);
  return d.getTime();
}

function toCandidate(result: ParsedResult, now: ZonedNow, realNow: Date, timeZone: string): DateCandidate | null {
  const text = result.text;
  if (NOT_A_DATE.has(text.trim().toLowerCase())) return null;
  const start = result.start;
  const tags = result.tags();
  const relative = tags.has('result/relativeDate');
  const weekdayOnly = start.isCertain('weekday') && !start.isCertain('day') && WEEKDAY_WORD.test(text);
  const hasDate = start.isCertain('day') || start.isCertain('weekday') || relative;

  let time: WallTime | null = null;
  if (start.isCertain('hour')) {
    time = { hour: start.get('hour') ?? 0, minute: start.get('minute') ?? 0 };
  } else {
    for (const tag of tags) {
      const part = PART_OF_DAY[tag.replace(/^casualReference\//u, '')];
      if (tag.startsWith('casualReference/') && part) time = part;
    }
  }
  if (!hasDate && !time) return null; // "march" alone names no day

  let date: CivilDate = {
    year: start.get('year') ?? NaN,
    month: start.get('month') ?? NaN,
    day: start.get('day') ?? NaN,
  };
  if (tags.has('result/relativeDateAndTime')) {
    // "in 2 hours": elapsed time, so add it to the real instant and read the zone's clock
    // (right across a daylight-saving change, where wall-clock arithmetic is an hour off).
    const offset =
      wallClockInstant(date, time ?? now.time, start.get('second') ?? 0) -
      wallClockInstant(now.date, now.time, now.second);
    const then = zonedNow(new Date(realNow.getTime() + offset), timeZone);
    date = then.date;
    time = then.time;
  } else if (weekdayOnly) {
    // A weekday is the next such day, never today ("monday" on a Monday is in a week).
    date = nextWeekdayAfter(now.date, start.get('weekday') ?? 0);
  }
  if (!isValidDate(date)) return null;
  return { start: result.index, end: result.index + text.length, date, hasDate, time, text };
}
