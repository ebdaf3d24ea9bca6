// GET /api/v1/recurrence/preview over HTTP against the real gateway: the engine's answers
// (wall clock kept across DST, month ends), and a 400 with a readable message for every
// kind of bad input, never a 500.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeServices } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

let gw: TestGateway;
let token: string;
before(async () => {
  gw = await startGateway();
  const res = await signUp(gw.url, uniqueEmail('preview'));
  assert.equal(res.status, 200);
  token = await accessToken(gw.url, cookiesFrom(res));
});
after(async () => {
  await gw.close();
  await closeServices();
});

type Preview = {
  rrule: string;
  tz: string;
  from_completion: boolean;
  occurrences: Array<{ date: string; time: string | null; at: string | null }>;
};

async function preview(params: Record<string, string>, auth = true) {
  const url = new URL('/api/v1/recurrence/preview', gw.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: auth ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('daily 09:00 in New York across spring-forward: same wall clock, instants one hour apart', async () => {
  const { status, body } = await preview({
    rrule: 'FREQ=DAILY',
    dtstart: '2026-03-07T09:00',
    tz: 'America/New_York',
    count: '3',
  });
  assert.equal(status, 200);
  const p = body as unknown as Preview;
  assert.deepEqual(p.occurrences, [
    { date: '2026-03-07', time: '09:00', at: '2026-03-07T14:00:00.000Z' },
    { date: '2026-03-08', time: '09:00', at: '2026-03-08T13:00:00.000Z' },
    { date: '2026-03-09', time: '09:00', at: '2026-03-09T13:00:00.000Z' },
  ]);
  assert.equal(p.from_completion, false);
});

test('count defaults to 5; month ends skip per RFC 5545; signed-out callers may preview', async () => {
  const { status, body } = await preview({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=31', dtstart: '2026-01-31' }, false);
  assert.equal(status, 200);
  assert.deepEqual(
    (body as unknown as Preview).occurrences.map((o) => o.date),
    ['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31'],
  );
});

test('the every! extension is reported', async () => {
  const { status, body } = await preview({
    rrule: 'FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION',
    dtstart: '2026-01-01',
  });
  assert.equal(status, 200);
  assert.equal((body as unknown as Preview).from_completion, true);
});

test('bad input answers 400 with a message', async () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ rrule: 'FREQ=HOURLY', dtstart: '2026-01-01' }, /at most daily/],
    [{ rrule: 'FREQ=DAILY;COUNT=2;UNTIL=20270101', dtstart: '2026-01-01' }, /not both/],
    [{ rrule: 'FREQ=DAILY;INTERVAL=5000', dtstart: '2026-01-01' }, /INTERVAL/],
    [{ rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', dtstart: '2026-01-01' }, /never occurs/],
    [{ rrule: 'FREQ=DAILY;UNTIL=20200101', dtstart: '2026-01-01' }, /never occurs/],
    [{ rrule: 'FREQ=DAILY', dtstart: '2026-02-30' }, /not a date/],
    [{ rrule: 'FREQ=DAILY', dtstart: 'tomorrow' }, /dtstart/],
    [{ rrule: 'FREQ=DAILY', dtstart: '2026-01-01', tz: 'Mars/Olympus' }, /IANA time zone/],
    [{ rrule: 'FREQ=DAILY', dtstart: '2026-01-01', count: '51' }, /count: must be at most 50/],
    [{ rrule: 'FREQ=DAILY', dtstart: '2026-01-01', count: 'x' }, /count/],
    [{ dtstart: '2026-01-01' }, /rrule/],
    [{ rrule: 'FREQ=DAILY', dtstart: '2026-01-01', extra: '1' }, /extra|Unrecognized/i],
  ];
  for (const [params, message] of bad) {
    const { status, body } = await preview(params);
    assert.equal(status, 400, JSON.stringify(params));
    assert.match(String(body.message), message, JSON.stringify(params));
  }
});

test('only GET', async () => {
  const res = await fetch(`${gw.url}/api/v1/recurrence/preview?rrule=FREQ=DAILY&dtstart=2026-01-01`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 405);
  await res.body?.cancel();
});

test('reminders over REST: a malformed one is a 400 with the readable message; a good one is scheduled', async () => {
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    prefer: 'return=representation',
  };
  const ws = (await (await fetch(`${gw.url}/rest/v1/workspaces?select=id`, { headers })).json()) as { id: string }[];
  const created = await fetch(`${gw.url}/rest/v1/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      workspace_id: ws[0]!.id,
      title: 'REST reminder',
      due_date: '2099-05-01',
      due_time: '08:00',
    }),
  });
  assert.equal(created.status, 201);
  const [task] = (await created.json()) as { id: string }[];
  const bad = await fetch(`${gw.url}/rest/v1/task_reminders`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ workspace_id: ws[0]!.id, task_id: task!.id, kind: 'before_due' }),
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /before_due needs an amount and unit/);
  const good = await fetch(`${gw.url}/rest/v1/task_reminders`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      workspace_id: ws[0]!.id,
      task_id: task!.id,
      kind: 'before_due',
      offset_amount: 2,
      offset_unit: 'hours',
    }),
  });
  assert.equal(good.status, 201);
  const [reminder] = (await good.json()) as { id: string }[];
  const { rows } = await superuserQuery<{ run_at: Date }>(
    `select run_at from graphile_worker._private_jobs where key = 'reminder:' || $1`,
    [reminder!.id],
  );
  assert.equal(rows[0]?.run_at.toISOString(), '2099-05-01T06:00:00.000Z');
  await superuserQuery(`delete from public.tasks where id = $1`, [task!.id]);
});
