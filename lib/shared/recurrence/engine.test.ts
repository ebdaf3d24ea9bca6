// The recurrence engine against a table of rules whose answers were worked out by hand from
// the calendar and the tz database: month ends, leap days, DST gaps and overlaps in three
// hemispheres' zones, COUNT/UNTIL, repeat-from-completion, and the validation messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextOccurrence, occurrences, parseRecurrence, recurrenceProblem, RecurrenceError } from './engine.ts';
import type { LocalDateTime } from './engine.ts';
import { isAmbiguous, isNonexistent, wallToInstant } from './zoned-time.ts';

type Case = {
  name: string;
  rule: string;
  start: LocalDateTime;
  tz?: string;
  count?: number;
  after?: LocalDateTime;
  /** Expected dates, or [date, instant] pairs for timed series. */
  want: Array<string | [string, string]>;
};

const at = (date: string, time: string | null = null): LocalDateTime => ({ date, time });

const cases: Case[] = [
  {
    name: 'weekly on Monday',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    start: at('2026-03-02'),
    want: ['2026-03-02', '2026-03-09', '2026-03-16'],
  },
  {
    name: 'every other week on Monday and Thursday',
    rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH',
    start: at('2026-03-02'),
    count: 4,
    want: ['2026-03-02', '2026-03-05', '2026-03-16', '2026-03-19'],
  },
  {
    name: 'monthly on the 31st skips short months (RFC 5545)',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=31',
    start: at('2026-01-31'),
    count: 5,
    want: ['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31'],
  },
  {
    name: 'monthly without BYMONTHDAY from the 31st also skips',
    rule: 'FREQ=MONTHLY',
    start: at('2026-01-31'),
    want: ['2026-01-31', '2026-03-31', '2026-05-31'],
  },
  {
    name: 'monthly on the 30th skips February',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=30',
    start: at('2026-01-30'),
    want: ['2026-01-30', '2026-03-30', '2026-04-30'],
  },
  {
    name: 'every last day (BYMONTHDAY=-1)',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
    start: at('2026-01-31'),
    count: 4,
    want: ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30'],
  },
  {
    name: 'last day of February in a leap year',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
    start: at('2028-01-31'),
    want: ['2028-01-31', '2028-02-29', '2028-03-31'],
  },
  {
    name: 'yearly on February 29 occurs in leap years only',
    rule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
    start: at('2024-02-29'),
    want: ['2024-02-29', '2028-02-29', '2032-02-29'],
  },
  {
    name: 'yearly from February 29 skips 2100 (not a leap year)',
    rule: 'FREQ=YEARLY',
    start: at('2096-02-29'),
    count: 2,
    want: ['2096-02-29', '2104-02-29'],
  },
  {
    name: 'last Friday of the month',
    rule: 'FREQ=MONTHLY;BYDAY=-1FR',
    start: at('2026-01-01'),
    want: ['2026-01-30', '2026-02-27', '2026-03-27'],
  },
  {
    name: 'last weekday of the month (BYSETPOS=-1)',
    rule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    start: at('2026-01-01'),
    want: ['2026-01-30', '2026-02-27', '2026-03-31'],
  },
  {
    name: 'daily at 09:00 in New York keeps 09:00 across spring-forward',
    rule: 'FREQ=DAILY',
    start: at('2026-03-07', '09:00'),
    tz: 'America/New_York',
    want: [
      ['2026-03-07', '2026-03-07T14:00:00.000Z'],
      ['2026-03-08', '2026-03-08T13:00:00.000Z'],
      ['2026-03-09', '2026-03-09T13:00:00.000Z'],
    ],
  },
  {
    name: 'New York 02:30 on spring-forward day does not exist: offset before the gap (03:30 EDT)',
    rule: 'FREQ=DAILY',
    start: at('2026-03-07', '02:30'),
    tz: 'America/New_York',
    want: [
      ['2026-03-07', '2026-03-07T07:30:00.000Z'],
      ['2026-03-08', '2026-03-08T07:30:00.000Z'],
      ['2026-03-09', '2026-03-09T06:30:00.000Z'],
    ],
  },
  {
    name: 'New York 01:30 on fall-back day happens twice: the first (EDT)',
    rule: 'FREQ=DAILY',
    start: at('2026-10-31', '01:30'),
    tz: 'America/New_York',
    want: [
      ['2026-10-31', '2026-10-31T05:30:00.000Z'],
      ['2026-11-01', '2026-11-01T05:30:00.000Z'],
      ['2026-11-02', '2026-11-02T06:30:00.000Z'],
    ],
  },
  {
    name: 'Berlin 02:30 on spring-forward day: offset before the gap (CET)',
    rule: 'FREQ=DAILY',
    start: at('2026-03-28', '02:30'),
    tz: 'Europe/Berlin',
    want: [
      ['2026-03-28', '2026-03-28T01:30:00.000Z'],
      ['2026-03-29', '2026-03-29T01:30:00.000Z'],
      ['2026-03-30', '2026-03-30T00:30:00.000Z'],
    ],
  },
  {
    name: 'Berlin 02:30 on fall-back day: the first (CEST)',
    rule: 'FREQ=DAILY',
    start: at('2026-10-24', '02:30'),
    tz: 'Europe/Berlin',
    want: [
      ['2026-10-24', '2026-10-24T00:30:00.000Z'],
      ['2026-10-25', '2026-10-25T00:30:00.000Z'],
      ['2026-10-26', '2026-10-26T01:30:00.000Z'],
    ],
  },
  {
    name: 'weekly Monday 09:00 in Berlin moves one hour in UTC after the change',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    start: at('2026-03-23', '09:00'),
    tz: 'Europe/Berlin',
    count: 2,
    want: [
      ['2026-03-23', '2026-03-23T08:00:00.000Z'],
      ['2026-03-30', '2026-03-30T07:00:00.000Z'],
    ],
  },
  {
    name: 'Auckland (southern hemisphere) fall-back in April: the first (NZDT)',
    rule: 'FREQ=DAILY',
    start: at('2026-04-04', '02:30'),
    tz: 'Pacific/Auckland',
    want: [
      ['2026-04-04', '2026-04-03T13:30:00.000Z'],
      ['2026-04-05', '2026-04-04T13:30:00.000Z'],
      ['2026-04-06', '2026-04-05T14:30:00.000Z'],
    ],
  },
  {
    name: 'Auckland spring-forward in September: offset before the gap (NZST)',
    rule: 'FREQ=DAILY',
    start: at('2026-09-26', '02:30'),
    tz: 'Pacific/Auckland',
    want: [
      ['2026-09-26', '2026-09-25T14:30:00.000Z'],
      ['2026-09-27', '2026-09-26T14:30:00.000Z'],
      ['2026-09-28', '2026-09-27T13:30:00.000Z'],
    ],
  },
  {
    name: 'COUNT ends the series',
    rule: 'FREQ=DAILY;COUNT=3',
    start: at('2026-03-07'),
    count: 10,
    want: ['2026-03-07', '2026-03-08', '2026-03-09'],
  },
  {
    name: 'UNTIL as a date includes that day',
    rule: 'FREQ=DAILY;UNTIL=20260310',
    start: at('2026-03-07'),
    count: 10,
    want: ['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'],
  },
  {
    name: 'UNTIL in UTC is compared as an instant',
    rule: 'FREQ=DAILY;UNTIL=20260309T130000Z',
    start: at('2026-03-07', '09:00'),
    tz: 'America/New_York',
    count: 10,
    want: [
      ['2026-03-07', '2026-03-07T14:00:00.000Z'],
      ['2026-03-08', '2026-03-08T13:00:00.000Z'],
      ['2026-03-09', '2026-03-09T13:00:00.000Z'],
    ],
  },
  {
    name: '"after" is exclusive',
    rule: 'FREQ=WEEKLY;BYDAY=MO,FR',
    start: at('2026-03-02'),
    after: at('2026-03-06'),
    count: 2,
    want: ['2026-03-09', '2026-03-13'],
  },
  {
    name: 'the X-TM-FROM extension does not change the series itself',
    rule: 'FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION',
    start: at('2026-01-01'),
    want: ['2026-01-01', '2026-01-04', '2026-01-07'],
  },
  {
    name: 'an RRULE: prefix and lower case are accepted',
    rule: 'RRULE:freq=yearly;bymonth=1;bymonthday=27',
    start: at('2026-01-27'),
    count: 2,
    want: ['2026-01-27', '2027-01-27'],
  },
];

describe('occurrences', () => {
  for (const c of cases) {
    test(c.name, () => {
      const got = occurrences({
        recurrence: c.rule,
        start: c.start,
        timeZone: c.tz ?? 'UTC',
        count: c.count ?? 3,
        ...(c.after ? { after: c.after } : {}),
      });
      const shaped = got.map((o) => (o.at === null ? o.date : [o.date, o.at]));
      assert.deepEqual(shaped, c.want);
      for (const o of got) assert.equal(o.time, c.start.time?.slice(0, 5) ?? null, 'the wall-clock time is kept');
    });
  }
});

type Next = {
  name: string;
  rule: string;
  due: LocalDateTime;
  tz?: string;
  completedAt?: string;
  want: { date: string; time?: string; at?: string; rule?: string } | null;
};

const nexts: Next[] = [
  {
    name: 'from the due date: weekly',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    due: at('2026-03-02'),
    want: { date: '2026-03-09' },
  },
  {
    name: 'from the due date even when completed late',
    rule: 'FREQ=WEEKLY;BYDAY=MO',
    due: at('2026-03-02'),
    completedAt: '2026-03-20T12:00:00Z',
    want: { date: '2026-03-09' },
  },
  {
    name: 'every last day: January → February 28',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
    due: at('2026-01-31'),
    want: { date: '2026-02-28' },
  },
  {
    name: 'on the 31st: January → March',
    rule: 'FREQ=MONTHLY;BYMONTHDAY=31',
    due: at('2026-01-31'),
    want: { date: '2026-03-31' },
  },
  {
    name: 'every! 3 days repeats from the completion day in the task zone, at the task time',
    rule: 'FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION',
    due: at('2026-01-01', '09:00'),
    tz: 'Europe/Berlin',
    completedAt: '2026-01-10T22:30:00Z', // 23:30 on the 10th in Berlin
    want: { date: '2026-01-13', time: '09:00', at: '2026-01-13T08:00:00.000Z' },
  },
  {
    name: 'every! uses the zone: 00:30 on the 11th in Berlin is still the 10th in UTC',
    rule: 'FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION',
    due: at('2026-01-01', '09:00'),
    tz: 'Europe/Berlin',
    completedAt: '2026-01-10T23:30:00Z',
    want: { date: '2026-01-14', time: '09:00' },
  },
  {
    name: 'every! monday completed on a Monday: the following Monday',
    rule: 'FREQ=WEEKLY;BYDAY=MO;X-TM-FROM=COMPLETION',
    due: at('2026-02-23'),
    completedAt: '2026-03-02T10:00:00Z',
    want: { date: '2026-03-09' },
  },
  {
    name: 'COUNT counts down on the next task',
    rule: 'FREQ=DAILY;COUNT=2',
    due: at('2026-03-07'),
    want: { date: '2026-03-08', rule: 'FREQ=DAILY;COUNT=1' },
  },
  { name: 'COUNT=1 was the last one', rule: 'FREQ=DAILY;COUNT=1', due: at('2026-03-07'), want: null },
  { name: 'UNTIL has passed', rule: 'FREQ=WEEKLY;UNTIL=20260305', due: at('2026-03-02'), want: null },
  {
    name: 'a daily 02:30 task in New York on the eve of spring-forward',
    rule: 'FREQ=DAILY',
    due: at('2026-03-07', '02:30'),
    tz: 'America/New_York',
    want: { date: '2026-03-08', time: '02:30', at: '2026-03-08T07:30:00.000Z' },
  },
];

describe('nextOccurrence', () => {
  for (const n of nexts) {
    test(n.name, () => {
      const got = nextOccurrence({
        recurrence: n.rule,
        due: n.due,
        timeZone: n.tz ?? 'UTC',
        completedAt: new Date(n.completedAt ?? '2026-03-01T00:00:00Z'),
      });
      if (n.want === null) return assert.equal(got, null);
      assert.ok(got);
      assert.equal(got.occurrence.date, n.want.date);
      if (n.want.time) assert.equal(got.occurrence.time, n.want.time);
      if (n.want.at) assert.equal(got.occurrence.at, n.want.at);
      assert.equal(got.recurrence, n.want.rule ?? n.rule);
    });
  }
});

describe('validation', () => {
  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['BYDAY=MO', /needs a FREQ/],
    ['FREQ=HOURLY', /at most daily/],
    ['FREQ=FORTNIGHTLY', /FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY/],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270101', /COUNT or with UNTIL, not both/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL must be a whole number from 1 to 999/],
    ['FREQ=DAILY;INTERVAL=100000', /INTERVAL must be a whole number from 1 to 999/],
    ['FREQ=DAILY;COUNT=0', /COUNT must be/],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', /never occurs/],
    ['FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31', /never occurs/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY must list days/],
    ['FREQ=WEEKLY;BYDAY=2MO', /needs FREQ=MONTHLY or FREQ=YEARLY/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /BYMONTHDAY values must be between/],
    ['FREQ=DAILY;BYSETPOS=1;BYDAY=MO', /BYSETPOS needs FREQ=WEEKLY/],
    ['FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2', /BYSETPOS can only be 1 or -1/],
    ['FREQ=YEARLY;BYWEEKNO=20', /not supported/],
    ['FREQ=DAILY;UNTIL=2026-01-01', /UNTIL must be a date/],
    ['FREQ=DAILY;FREQ=WEEKLY', /more than once/],
    ['FREQ=DAILY;X-FOO=1', /Unknown extension/],
    ['FREQ=DAILY;X-TM-FROM=DUE', /only supports COMPLETION/],
    ['FREQ=DAILY;COLOR=RED', /Unknown rule part COLOR/],
  ];
  for (const [rule, message] of invalid) {
    test(`rejects ${rule || '(empty)'}`, () => {
      assert.throws(
        () => parseRecurrence(rule),
        (error: unknown) => error instanceof RecurrenceError && message.test(error.message),
      );
      assert.match(recurrenceProblem(rule) ?? '', message);
    });
  }

  test('every rule the quick-add grammar writes is accepted', () => {
    for (const rule of [
      'FREQ=DAILY',
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO',
      'FREQ=MONTHLY;BYMONTHDAY=1,15',
      'FREQ=MONTHLY;BYMONTHDAY=-1',
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
      'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;X-TM-FROM=COMPLETION',
    ]) {
      assert.equal(recurrenceProblem(rule), null, rule);
    }
  });

  test('a bad zone, start or count is refused with a message', () => {
    const base = { recurrence: 'FREQ=DAILY', start: at('2026-01-01'), timeZone: 'UTC', count: 3 };
    assert.throws(() => occurrences({ ...base, timeZone: 'Mars/Olympus' }), /not an IANA time zone/);
    assert.throws(() => occurrences({ ...base, start: at('2026-02-30') }), /not a date/);
    assert.throws(() => occurrences({ ...base, start: at('2026-02-03', '25:00') }), /not a time/);
    assert.throws(() => occurrences({ ...base, count: 51 }), /count must be between 1 and 50/);
  });

  test('a rule whose UNTIL is before its start never occurs', () => {
    assert.throws(
      () =>
        occurrences({ recurrence: 'FREQ=DAILY;UNTIL=20250101', start: at('2026-01-01'), timeZone: 'UTC', count: 3 }),
      /never occurs/,
    );
  });
});

describe('wall clock to instant', () => {
  test('gaps and overlaps are recognised', () => {
    assert.ok(isNonexistent({ year: 2026, month: 3, day: 8 }, { hour: 2, minute: 30 }, 'America/New_York'));
    assert.ok(!isNonexistent({ year: 2026, month: 3, day: 8 }, { hour: 3, minute: 30 }, 'America/New_York'));
    assert.ok(isAmbiguous({ year: 2026, month: 11, day: 1 }, { hour: 1, minute: 30 }, 'America/New_York'));
    assert.ok(!isAmbiguous({ year: 2026, month: 11, day: 1 }, { hour: 2, minute: 30 }, 'America/New_York'));
  });

  test('a zone without DST and a half-hour zone', () => {
    assert.equal(
      wallToInstant({ year: 2026, month: 7, day: 1 }, { hour: 9, minute: 0 }, 'Asia/Kolkata').toISOString(),
      '2026-07-01T03:30:00.000Z',
    );
    assert.equal(
      wallToInstant({ year: 2026, month: 7, day: 1 }, { hour: 9, minute: 0 }, 'UTC').toISOString(),
      '2026-07-01T09:00:00.000Z',
    );
  });
});
