// The quick-add parser against a table of phrases (fixed "now", explicit zones), every RRULE
// checked with the rrule package, the machine's own zone shown irrelevant, and a fuzz run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import rrule from 'rrule';
import { MAX_PARSED_LENGTH, parseQuickAdd, splitRecurrence } from './parse.ts';
import type { QuickAdd } from './parse.ts';

const { RRule, rrulestr } = rrule;

/** Monday 2 March 2026, 10:15 UTC. */
const MONDAY = new Date('2026-03-02T10:15:00Z');

type Row = {
  input: string;
  title: string;
  due?: QuickAdd['due'];
  recurrence?: string;
  priority?: QuickAdd['priority'];
  project?: string;
  labels?: string[];
  now?: Date;
  tz?: string;
  note?: string;
};

const d = (date: string, time: string | null = null): QuickAdd['due'] => ({ date, time });

const rows: Row[] = [
  // ---- dates and times (now: Monday 2026-03-02 10:15 UTC) ----
  { input: 'call mom tomorrow 5pm', title: 'call mom', due: d('2026-03-03', '17:00') },
  { input: 'tomorrow 5pm call mom', title: 'call mom', due: d('2026-03-03', '17:00') },
  { input: 'dentist next fri', title: 'dentist', due: d('2026-03-06'), note: '"next fri" = the coming Friday' },
  { input: 'dentist this fri', title: 'dentist', due: d('2026-03-06') },
  { input: 'report fri', title: 'report', due: d('2026-03-06') },
  { input: 'dentist wed', title: 'dentist', due: d('2026-03-04') },
  { input: 'standup monday', title: 'standup', due: d('2026-03-09'), note: 'a weekday is never today' },
  { input: 'standup monday at 9', title: 'standup', due: d('2026-03-09', '09:00') },
  { input: 'water plants in 3 days', title: 'water plants', due: d('2026-03-05') },
  { input: 'review in 2 weeks', title: 'review', due: d('2026-03-16') },
  { input: 'plan next week', title: 'plan', due: d('2026-03-09') },
  { input: 'birthday jan 27', title: 'birthday', due: d('2027-01-27'), note: 'past date rolls forward' },
  { input: 'birthday 27 jan', title: 'birthday', due: d('2027-01-27') },
  { input: 'march 1 deadline', title: 'deadline', due: d('2027-03-01'), note: 'yesterday rolls to next year' },
  { input: 'march 2 deadline', title: 'deadline', due: d('2026-03-02'), note: 'today is not past' },
  { input: 'christmas shopping dec 24', title: 'christmas shopping', due: d('2026-12-24') },
  { input: 'tax return jan 27 2025', title: 'tax return', due: d('2025-01-27'), note: 'an explicit year is kept' },
  { input: 'pay bills today', title: 'pay bills', due: d('2026-03-02') },
  { input: 'movie tonight', title: 'movie', due: d('2026-03-02', '20:00') },
  { input: 'run tomorrow morning', title: 'run', due: d('2026-03-03', '09:00') },
  {
    input: 'call today at 9',
    title: 'call',
    due: d('2026-03-02', '09:00'),
    note: 'an explicit "today" stays, even past',
  },
  { input: 'deploy midnight', title: 'deploy', due: d('2026-03-03', '00:00') },
  { input: 'party 12/31/2026 9:30pm', title: 'party', due: d('2026-12-31', '21:30') },
  {
    input: 'Meeting with John Friday 10am-11am #work',
    title: 'Meeting with John',
    due: d('2026-03-06', '10:00'),
    project: 'work',
  },
  { input: 'walk afternoon', title: 'walk', due: d('2026-03-02', '15:00') },
  { input: 'read evening', title: 'read', due: d('2026-03-02', '19:00') },
  { input: 'dinner sat 7pm', title: 'dinner', due: d('2026-03-07', '19:00') },
  { input: 'brunch next sun', title: 'brunch', due: d('2026-03-08') },
  { input: 'taxes due friday', title: 'taxes', due: d('2026-03-06') },
  { input: 'lunch noon', title: 'lunch', due: d('2026-03-02', '12:00') },
  { input: 'call at 17:30', title: 'call', due: d('2026-03-02', '17:30') },
  { input: 'call at 9', title: 'call', due: d('2026-03-03', '09:00'), note: 'a time already past today is tomorrow' },
  { input: 'call @5pm', title: 'call', due: d('2026-03-02', '17:00'), note: '@ before a time is no label' },
  { input: 'meeting tomorrow 3pm-5pm', title: 'meeting', due: d('2026-03-03', '15:00'), note: 'a range: its start' },
  { input: 'invoice 27/1', title: 'invoice', due: d('2027-01-27'), note: 'first number > 12: day/month' },
  { input: 'invoice 1/2', title: 'invoice', due: d('2027-01-02'), note: 'ambiguous: month/day (US)' },
  { input: 'invoice 3/4', title: 'invoice', due: d('2026-03-04') },
  { input: 'launch 2026-05-01', title: 'launch', due: d('2026-05-01') },
  { input: 'ship by friday', title: 'ship', due: d('2026-03-06'), note: 'a connector goes with the date' },
  { input: 'ship by friday!', title: 'ship!', due: d('2026-03-06') },
  { input: 'call mom, tomorrow', title: 'call mom', due: d('2026-03-03') },
  { input: 'nap in 2 hours', title: 'nap', due: d('2026-03-02', '12:15') },
  {
    input: 'move friday meeting to monday',
    title: 'move friday meeting to',
    due: d('2026-03-09'),
    note: 'the last date phrase wins; earlier ones stay in the title',
  },
  { input: 'tomorrow "call" 5pm', title: 'call', due: d('2026-03-03', '17:00'), note: 'last day + last time' },
  { input: 'tomorrow #home 5pm', title: '', due: d('2026-03-03', '17:00'), project: 'home' },
  // ---- words that are not dates ----
  { input: 'buy 2 apples', title: 'buy 2 apples' },
  { input: 'read 10 pages tomorrow', title: 'read 10 pages', due: d('2026-03-03') },
  { input: 'call 911', title: 'call 911' },
  { input: 'version 2.0 release', title: 'version 2.0 release' },
  { input: 'sit in the sun', title: 'sit in the sun' },
  { input: 'SAT prep sunday', title: 'SAT prep', due: d('2026-03-08') },
  { input: 'ask May about it', title: 'ask May about it' },
  { input: 'march in the parade', title: 'march in the parade' },
  { input: 'do it now', title: 'do it now' },
  { input: 'read every book', title: 'read every book' },
  { input: 'write daily report', title: 'write daily report', note: 'a bare "daily" counts only at the end' },
  // ---- time zones, DST, leap days ----
  {
    input: 'pay rent today',
    title: 'pay rent',
    due: d('2026-03-02'),
    now: new Date('2026-03-01T23:30:00Z'),
    tz: 'Asia/Tokyo',
    note: 'already Monday in Tokyo',
  },
  {
    input: 'pay rent today',
    title: 'pay rent',
    due: d('2026-03-01'),
    now: new Date('2026-03-01T23:30:00Z'),
    tz: 'UTC',
  },
  {
    input: 'pay rent tomorrow',
    title: 'pay rent',
    due: d('2026-03-02'),
    now: new Date('2026-03-02T03:00:00Z'),
    tz: 'America/New_York',
    note: 'still Sunday evening in New York',
  },
  {
    input: 'standup every monday',
    title: 'standup',
    due: d('2026-03-02'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO',
    now: new Date('2026-03-01T23:30:00Z'),
    tz: 'Asia/Tokyo',
  },
  {
    input: 'check oven in 2 hours',
    title: 'check oven',
    due: d('2026-03-08', '04:30'),
    now: new Date('2026-03-08T06:30:00Z'),
    tz: 'America/New_York',
    note: '01:30 EST + 2 h across spring-forward = 04:30 EDT',
  },
  {
    input: 'check in 24 hours',
    title: 'check',
    due: d('2026-03-29', '14:00'),
    now: new Date('2026-03-28T12:00:00Z'),
    tz: 'Europe/Berlin',
    note: '13:00 CET + 24 h = 14:00 CEST',
  },
  {
    input: 'brunch tomorrow 9am',
    title: 'brunch',
    due: d('2026-03-29', '09:00'),
    now: new Date('2026-03-28T12:00:00Z'),
    tz: 'Europe/Berlin',
    note: 'the DST day itself',
  },
  {
    input: 'night shift tomorrow 2:30am',
    title: 'night shift',
    due: d('2026-03-08', '02:30'),
    now: new Date('2026-03-07T15:00:00Z'),
    tz: 'America/New_York',
    note: 'a wall time in the DST gap is kept as written',
  },
  { input: 'leap feb 29', title: 'leap', due: d('2028-02-29'), note: 'next leap year' },
  { input: 'leap feb 29', title: 'leap', due: d('2028-02-29'), now: new Date('2028-01-15T12:00:00Z') },
  { input: 'leap 29 feb at 9am', title: 'leap', due: d('2032-02-29', '09:00'), now: new Date('2028-03-01T12:00:00Z') },
  { input: 'leap feb 29 9am', title: 'leap', due: d('2028-02-29', '09:00') },
  { input: 'leap feb 29 2028', title: 'leap', due: d('2028-02-29') },
  {
    input: 'close books every last day',
    title: 'close books',
    due: d('2028-02-29'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=-1',
    now: new Date('2028-02-10T12:00:00Z'),
  },
  // ---- recurrence ----
  { input: 'stretch every day', title: 'stretch', due: d('2026-03-02'), recurrence: 'FREQ=DAILY' },
  { input: 'stretch daily', title: 'stretch', due: d('2026-03-02'), recurrence: 'FREQ=DAILY' },
  { input: 'standup daily at 9', title: 'standup', due: d('2026-03-03', '09:00'), recurrence: 'FREQ=DAILY' },
  { input: 'pushups 100 daily', title: 'pushups 100', due: d('2026-03-02'), recurrence: 'FREQ=DAILY' },
  {
    input: 'email triage every weekday',
    title: 'email triage',
    due: d('2026-03-02'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  },
  { input: 'plan every weekend', title: 'plan', due: d('2026-03-07'), recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' },
  { input: 'gym every monday', title: 'gym', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;BYDAY=MO' },
  { input: 'gym every mon and thu', title: 'gym', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;BYDAY=MO,TH' },
  { input: 'gym every tue, thu', title: 'gym', due: d('2026-03-03'), recurrence: 'FREQ=WEEKLY;BYDAY=TU,TH' },
  {
    input: 'gym every other friday',
    title: 'gym',
    due: d('2026-03-06'),
    recurrence: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR',
  },
  { input: 'payroll every 2 weeks', title: 'payroll', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;INTERVAL=2' },
  { input: 'payroll every other week', title: 'payroll', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;INTERVAL=2' },
  { input: 'review every month', title: 'review', due: d('2026-03-02'), recurrence: 'FREQ=MONTHLY' },
  { input: 'review monthly', title: 'review', due: d('2026-03-02'), recurrence: 'FREQ=MONTHLY' },
  {
    input: 'Pay rent every 1st #home p1',
    title: 'Pay rent',
    due: d('2026-04-01'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
    project: 'home',
    priority: 1,
  },
  { input: 'invoice every 15th', title: 'invoice', due: d('2026-03-15'), recurrence: 'FREQ=MONTHLY;BYMONTHDAY=15' },
  {
    input: 'invoice every 1st and 15th',
    title: 'invoice',
    due: d('2026-03-15'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1,15',
  },
  {
    input: 'budget every last day',
    title: 'budget',
    due: d('2026-03-31'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=-1',
  },
  {
    input: 'water every 29th',
    title: 'water',
    due: d('2026-03-29'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=29',
    now: new Date('2026-02-10T12:00:00Z'),
    note: 'February 2026 has no 29th',
  },
  { input: 'renew every year', title: 'renew', due: d('2026-03-02'), recurrence: 'FREQ=YEARLY' },
  { input: 'renew yearly', title: 'renew', due: d('2026-03-02'), recurrence: 'FREQ=YEARLY' },
  {
    input: 'birthday every jan 27',
    title: 'birthday',
    due: d('2027-01-27'),
    recurrence: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27',
  },
  {
    input: 'birthday every 27th of january',
    title: 'birthday',
    due: d('2027-01-27'),
    recurrence: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=27',
  },
  {
    input: 'leap party every feb 29',
    title: 'leap party',
    due: d('2028-02-29'),
    recurrence: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
  },
  {
    input: 'water plants every 3 days',
    title: 'water plants',
    due: d('2026-03-02'),
    recurrence: 'FREQ=DAILY;INTERVAL=3',
  },
  {
    input: 'standup every monday at 9am',
    title: 'standup',
    due: d('2026-03-09', '09:00'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO',
    note: "today's 9am has passed",
  },
  {
    input: 'standup every monday at 11am',
    title: 'standup',
    due: d('2026-03-02', '11:00'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO',
  },
  {
    input: 'run every day starting friday',
    title: 'run',
    due: d('2026-03-06'),
    recurrence: 'FREQ=DAILY',
  },
  {
    input: 'haircut every! 3 weeks',
    title: 'haircut',
    due: d('2026-03-02'),
    recurrence: 'FREQ=WEEKLY;INTERVAL=3;X-TM-FROM=COMPLETION',
  },
  {
    input: 'water plants every! 3 days',
    title: 'water plants',
    due: d('2026-03-02'),
    recurrence: 'FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION',
  },
  { input: 'backup every 2 months', title: 'backup', due: d('2026-03-02'), recurrence: 'FREQ=MONTHLY;INTERVAL=2' },
  { input: 'backup every two weeks', title: 'backup', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;INTERVAL=2' },
  { input: 'backup every fortnight', title: 'backup', due: d('2026-03-02'), recurrence: 'FREQ=WEEKLY;INTERVAL=2' },
  { input: 'renew annually', title: 'renew', due: d('2026-03-02'), recurrence: 'FREQ=YEARLY' },
  {
    input: 'log hours every workday',
    title: 'log hours',
    due: d('2026-03-02'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  },
  {
    input: 'rent every 1st of the month',
    title: 'rent',
    due: d('2026-04-01'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
  },
  {
    input: 'report every 31st',
    title: 'report',
    due: d('2026-05-31'),
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=31',
    now: new Date('2026-04-05T12:00:00Z'),
    note: 'April has no 31st',
  },
  { input: 'lunch at noon every day', title: 'lunch', due: d('2026-03-02', '12:00'), recurrence: 'FREQ=DAILY' },
  { input: 'every 0 days', title: 'every 0 days', note: 'no such interval' },
  // ---- priority, project, labels ----
  { input: 'fix bug p1', title: 'fix bug', priority: 1 },
  { input: 'fix bug P2', title: 'fix bug', priority: 2 },
  { input: 'fix bug !3', title: 'fix bug', priority: 3 },
  { input: 'fix bug !4', title: 'fix bug', priority: 4 },
  { input: 'fix p5 and sp1 and p1p2 and hi!1', title: 'fix p5 and sp1 and p1p2 and hi!1' },
  { input: 'p1 later p3', title: 'p1 later', priority: 3, note: 'the last priority wins' },
  { input: 'fix bug #123', title: 'fix bug #123', note: 'a number is no project' },
  { input: 'plan trip #travel', title: 'plan trip', project: 'travel' },
  { input: 'plan trip #"summer holiday" @family', title: 'plan trip', project: 'summer holiday', labels: ['family'] },
  { input: 'plan #home then #work', title: 'plan #home then', project: 'work', note: 'the last project wins' },
  { input: 'groceries @errands @Shop @errands @shop', title: 'groceries', labels: ['errands', 'Shop'] },
  { input: 'café @zürich', title: 'café', labels: ['zürich'] },
  // ---- e-mail addresses, URLs, quotes ----
  { input: 'email bob@example.com tomorrow', title: 'email bob@example.com', due: d('2026-03-03') },
  { input: 'ping a@b.com', title: 'ping a@b.com' },
  {
    input: 'read https://example.com/2026/01/05 @reading',
    title: 'read https://example.com/2026/01/05',
    labels: ['reading'],
  },
  { input: 'see http://x.com/#top and www.x.com/@me', title: 'see http://x.com/#top and www.x.com/@me' },
  { input: '"meet at 5pm" tomorrow', title: 'meet at 5pm', due: d('2026-03-03') },
  { input: 'buy "every day" milk', title: 'buy every day milk' },
  { input: '"p1" review #"q1 plan"', title: 'p1 review', project: 'q1 plan' },
  { input: 'read “Monday Morning” tonight', title: 'read Monday Morning', due: d('2026-03-02', '20:00') },
  { input: 'say "hi tomorrow', title: 'say "hi', due: d('2026-03-03'), note: 'an unmatched quote is a character' },
  // ---- nothing but tokens, nothing at all ----
  { input: 'tomorrow p1 #inbox', title: '', due: d('2026-03-03'), priority: 1, project: 'inbox' },
  { input: '   ', title: '' },
  { input: '', title: '' },
];

function dayUtc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The RRULE is valid for rrule.js, and the due date is one of its occurrences. */
function assertValidRecurrence(recurrence: string, dueDate: string): void {
  assert.match(recurrence, /^(RRULE:)?FREQ=/, 'the tasks.recurrence check accepts it');
  assert.ok(recurrence.length <= 500);
  const { rrule: body } = splitRecurrence(recurrence);
  const parsed = RRule.fromString(body);
  assert.equal(rrulestr(`RRULE:${body}`).toString(), parsed.toString());
  const start = dayUtc(dueDate);
  const rule = new RRule({ ...RRule.parseString(body), dtstart: start });
  assert.deepEqual(rule.after(start, true), start, `${dueDate} is an occurrence of ${body}`);
}

describe('parseQuickAdd: the phrase table', () => {
  assert.ok(rows.length >= 60, `${rows.length} rows`);
  for (const row of rows) {
    const now = row.now ?? MONDAY;
    const timeZone = row.tz ?? 'UTC';
    test(`${JSON.stringify(row.input)} (${timeZone}, ${now.toISOString()})${row.note ? ` — ${row.note}` : ''}`, () => {
      const result = parseQuickAdd(row.input, { now, timeZone });
      assert.deepEqual(
        {
          title: result.title,
          due: result.due,
          recurrence: result.recurrence,
          priority: result.priority,
          project: result.project,
          labels: result.labels,
        },
        {
          title: row.title,
          due: row.due ?? null,
          recurrence: row.recurrence ?? null,
          priority: row.priority ?? null,
          project: row.project ?? null,
          labels: row.labels ?? [],
        },
      );
      if (result.recurrence) assertValidRecurrence(result.recurrence, result.due?.date ?? '');
      assertTokensConsistent(row.input, result);
    });
  }
});

function assertTokensConsistent(input: string, result: QuickAdd): void {
  let previous = -1;
  for (const token of result.tokens) {
    assert.ok(token.start >= 0 && token.start < token.end && token.end <= input.length, JSON.stringify(token));
    assert.ok(token.start >= previous, 'tokens are in order');
    previous = token.start;
    if (token.kind !== 'date') assert.equal(token.text, input.slice(token.start, token.end));
  }
  const kinds = result.tokens.map((t) => t.kind);
  assert.equal(kinds.includes('priority'), result.priority !== null);
  assert.equal(kinds.includes('project'), result.project !== null);
  assert.equal(kinds.includes('recurrence'), result.recurrence !== null);
  // Without a recurrence, a due date comes from a date phrase (and only then).
  if (result.recurrence === null) assert.equal(kinds.includes('date'), result.due !== null);
}

describe('parseQuickAdd: tokens for preview chips', () => {
  test('positions point into the original input', () => {
    const input = 'Pay rent every 1st #home p1 @bills';
    const { tokens } = parseQuickAdd(input, { now: MONDAY, timeZone: 'UTC' });
    assert.deepEqual(tokens, [
      { kind: 'recurrence', text: 'every 1st', start: 9, end: 18 },
      { kind: 'project', text: '#home', start: 19, end: 24 },
      { kind: 'priority', text: 'p1', start: 25, end: 27 },
      { kind: 'label', text: '@bills', start: 28, end: 34 },
    ]);
  });

  test('a date phrase around a tag is one chip without the tag', () => {
    const { tokens } = parseQuickAdd('tomorrow #home 5pm', { now: MONDAY, timeZone: 'UTC' });
    assert.deepEqual(tokens, [
      { kind: 'date', text: 'tomorrow 5pm', start: 0, end: 18 },
      { kind: 'project', text: '#home', start: 9, end: 14 },
    ]);
  });

  test('a connector word belongs to the date chip', () => {
    const { tokens } = parseQuickAdd('ship by friday', { now: MONDAY, timeZone: 'UTC' });
    assert.deepEqual(tokens, [{ kind: 'date', text: 'by friday', start: 5, end: 14 }]);
  });
});

describe('parseQuickAdd: recurrence representation', () => {
  test('splitRecurrence separates the repeat-from-completion flag', () => {
    assert.deepEqual(splitRecurrence('FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION'), {
      rrule: 'FREQ=DAILY;INTERVAL=3',
      fromCompletion: true,
    });
    assert.deepEqual(splitRecurrence('RRULE:FREQ=WEEKLY;BYDAY=MO'), {
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
      fromCompletion: false,
    });
  });
});

describe('parseQuickAdd: bad options and input never throw', () => {
  test('an unknown time zone is read as UTC', () => {
    const result = parseQuickAdd('today', { now: new Date('2026-03-01T23:30:00Z'), timeZone: 'Mars/Olympus_Mons' });
    assert.deepEqual(result.due, d('2026-03-01'));
  });

  test('an invalid date leaves everything in the title', () => {
    const result = parseQuickAdd('call tomorrow p1', { now: new Date(Number.NaN), timeZone: 'UTC' });
    assert.deepEqual(result, {
      title: 'call tomorrow p1',
      due: null,
      recurrence: null,
      priority: null,
      project: null,
      labels: [],
      tokens: [],
    });
  });

  test('a non-string input is an empty title', () => {
    const result = parseQuickAdd(null as unknown as string, { now: MONDAY, timeZone: 'UTC' });
    assert.equal(result.title, '');
  });

  test('input longer than the limit is not parsed', () => {
    const input = `${'x'.repeat(MAX_PARSED_LENGTH)} tomorrow`;
    const result = parseQuickAdd(input, { now: MONDAY, timeZone: 'UTC' });
    assert.equal(result.title, input);
    assert.equal(result.due, null);
  });
});

describe('parseQuickAdd: the machine time zone plays no part', () => {
  const phrases = ['today', 'tomorrow 9am', 'monday at 9', 'in 2 hours', 'every last day at 23:30', 'jan 27'];
  const expected = JSON.stringify(
    phrases.map((p) => parseQuickAdd(p, { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'Asia/Tokyo' })),
  );
  for (const machineZone of ['America/New_York', 'Pacific/Kiritimati', 'Asia/Kolkata']) {
    test(`TZ=${machineZone}`, () => {
      const script = `
        import { parseQuickAdd } from ${JSON.stringify(new URL('./parse.ts', import.meta.url).href)};
        const phrases = ${JSON.stringify(phrases)};
        process.stdout.write(JSON.stringify(phrases.map((p) => parseQuickAdd(p, { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'Asia/Tokyo' }))));
      `;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TZ: machineZone },
        encoding: 'utf8',
      });
      assert.equal(out, expected);
    });
  }
});

describe('parseQuickAdd: fuzz', () => {
  // A seeded generator (mulberry32): the same strings on every run.
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pieces = [
    'every',
    'every!',
    'tomorrow',
    'next',
    'fri',
    'monday',
    'at',
    '5pm',
    '17:30',
    '9',
    'in',
    '3',
    'days',
    'jan',
    '27',
    '29',
    'feb',
    '1st',
    'last day',
    'and',
    ',',
    '#',
    '#home',
    '#"',
    '"',
    '“',
    '”',
    '@',
    '@work',
    'p1',
    '!2',
    '!',
    'a@b.com',
    'http://x.com/#a',
    '/',
    '-',
    '.',
    ':',
    '  ',
    '\n',
    '\t',
    'é',
    '😀',
    '\uD800',
    '\uE000',
    '0',
    '99999',
    'daily',
    'weekly',
    'tonight',
    'noon',
    'month',
    'year',
    '2026-02-30',
    '31/31',
    'other',
    'weekday',
  ];
  const zones = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Pacific/Chatham', 'Australia/Lord_Howe', 'bogus'];

  test('500 random inputs: no throw, well-formed results', () => {
    for (let i = 0; i < 500; i += 1) {
      const count = Math.floor(random() * 12);
      let input = '';
      for (let j = 0; j < count; j += 1) {
        input +=
          random() < 0.8
            ? pieces[Math.floor(random() * pieces.length)]
            : String.fromCharCode(Math.floor(random() * 0xffff));
        if (random() < 0.7) input += ' ';
      }
      const now = new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 10 * 365 * 86_400_000));
      const timeZone = zones[Math.floor(random() * zones.length)] ?? 'UTC';
      const result = parseQuickAdd(input, { now, timeZone });
      const context = JSON.stringify({ input, now, timeZone, result });
      assert.equal(typeof result.title, 'string', context);
      assert.equal(result.title, result.title.trim(), context);
      assert.ok(result.priority === null || [1, 2, 3, 4].includes(result.priority), context);
      if (result.due) {
        assert.match(result.due.date, /^\d{4}-\d{2}-\d{2}$/, context);
        assert.ok(!Number.isNaN(Date.parse(`${result.due.date}T00:00:00Z`)), context);
        if (result.due.time !== null) assert.match(result.due.time, /^([01]\d|2[0-3]):[0-5]\d$/, context);
      }
      if (result.recurrence) {
        assert.ok(result.due, context);
        assertValidRecurrence(result.recurrence, result.due.date);
      }
      for (const label of result.labels) assert.doesNotMatch(label, /\s/, context);
      assertTokensConsistent(input, result);
    }
  });
});
