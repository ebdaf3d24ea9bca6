// Completing a recurring task creates its next occurrence, through the real event spine and
// the real worker (tasks__next_occurrence run by graphile-worker's runOnce) against the real
// database: chains across month ends, leap days and DST, repeat-from-completion, COUNT,
// what is carried over, and idempotency (the job twice, reopen and complete again).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { testDatabaseUrl } from '../support/db.ts';

const logger = workerLogger(pino({ level: 'silent' }));
const JOBS = `(select t.identifier as task_identifier, j.payload, j.key, j.run_at, j.attempts, j.last_error
  from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id) jobs`;
let pool: pg.Pool;
let ws: string;
let user: string;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  user = (
    await pool.query<{ id: string }>(
      `insert into identity.users (name, email, email_verified)
       values ('Rec', 'rec-' || gen_random_uuid() || '@example.test', true) returning id`,
    )
  ).rows[0]!.id;
  ws = (await pool.query<{ id: string }>(`insert into public.workspaces (name) values ('recurring') returning id`))
    .rows[0]!.id;
  await pool.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner')`, [
    ws,
    user,
  ]);
});

after(async () => {
  await pool.query(`delete from graphile_worker._private_jobs where payload->>'workspace_id' = $1`, [ws]);
  await pool.query(`delete from public.workspaces where id = $1`, [ws]);
  await pool.end();
});

type Due = { date: string; time?: string; tz?: string };

async function newTask(recurrence: string | null, due: Due, extra: { title?: string; notes?: string } = {}) {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.tasks (workspace_id, title, notes, priority, due_date, due_time, due_tz, recurrence, created_by)
     values ($1, $2, $3, 2, $4, $5, $6, $7, $8) returning id`,
    [ws, extra.title ?? 'recurring', extra.notes ?? '', due.date, due.time ?? null, due.tz ?? null, recurrence, user],
  );
  return rows[0]!.id;
}

const worker = () => runOnce({ connectionString: testDatabaseUrl(), taskList, logger });

type Row = {
  id: string;
  status: string;
  due_date: string | null;
  due_time: string | null;
  due_tz: string | null;
  due_at: string | null;
  recurrence: string | null;
  title: string;
  notes: string;
  priority: number;
  project_id: string | null;
};

async function children(parent: string): Promise<Row[]> {
  const { rows } = await pool.query<Row>(
    `select id, status, due_date::text as due_date, to_char(due_time, 'HH24:MI') as due_time, due_tz,
            to_char(due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as due_at, recurrence, title, notes,
            priority, project_id
     from public.tasks where workspace_id = $1 and recurrence_parent_id = $2`,
    [ws, parent],
  );
  return rows;
}

/** Completes a task (at `completedAt`, default now), runs the worker, returns the next task. */
async function complete(id: string, completedAt?: string): Promise<Row | undefined> {
  await pool.query(`update public.tasks set status = 'completed', completed_at = $2 where id = $1`, [
    id,
    completedAt ?? null,
  ]);
  await worker();
  const next = await children(id);
  assert.ok(next.length <= 1, 'at most one next occurrence');
  return next[0];
}

/** Completes each task of the chain in turn; returns [date, time, due_at] of every next one. */
async function chain(first: string, steps: number) {
  const seen: Array<[string | null, string | null, string | null]> = [];
  let id = first;
  for (let i = 0; i < steps; i += 1) {
    const next = await complete(id);
    assert.ok(next, `step ${i + 1} creates a next occurrence`);
    seen.push([next.due_date, next.due_time, next.due_at]);
    id = next.id;
  }
  return seen;
}

test('monthly on the 31st skips short months; every last day lands on each month end', async () => {
  const the31st = await newTask('FREQ=MONTHLY;BYMONTHDAY=31', { date: '2027-01-31' });
  assert.deepEqual(
    (await chain(the31st, 3)).map((s) => s[0]),
    ['2027-03-31', '2027-05-31', '2027-07-31'],
  );
  const lastDay = await newTask('FREQ=MONTHLY;BYMONTHDAY=-1', { date: '2027-12-31' });
  assert.deepEqual(
    (await chain(lastDay, 4)).map((s) => s[0]),
    ['2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30'],
  );
});

test('yearly on February 29 goes from leap year to leap year', async () => {
  const leap = await newTask('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', { date: '2028-02-29' });
  assert.deepEqual(
    (await chain(leap, 2)).map((s) => s[0]),
    ['2032-02-29', '2036-02-29'],
  );
});

test('a daily 02:30 task in New York across spring-forward keeps its wall clock', async () => {
  const id = await newTask('FREQ=DAILY', { date: '2027-03-13', time: '02:30', tz: 'America/New_York' });
  assert.deepEqual(await chain(id, 2), [
    // 02:30 does not exist on 14 March 2027: due_at reads it with the offset before the gap.
    ['2027-03-14', '02:30', '2027-03-14T07:30Z'],
    ['2027-03-15', '02:30', '2027-03-15T06:30Z'],
  ]);
});

test('a weekly 09:00 task in Berlin moves one hour in UTC after the change, not on the wall clock', async () => {
  const id = await newTask('FREQ=WEEKLY;BYDAY=MO', { date: '2027-03-22', time: '09:00', tz: 'Europe/Berlin' });
  assert.deepEqual(await chain(id, 2), [
    ['2027-03-29', '09:00', '2027-03-29T07:00Z'],
    ['2027-04-05', '09:00', '2027-04-05T07:00Z'],
  ]);
  // Auckland springs forward on 26 September 2027: 09:00 NZST (+12) then 09:00 NZDT (+13).
  const nz = await newTask('FREQ=WEEKLY;BYDAY=SU', { date: '2027-09-19', time: '09:00', tz: 'Pacific/Auckland' });
  assert.deepEqual(await chain(nz, 1), [['2027-09-26', '09:00', '2027-09-25T20:00Z']]);
});

test('every! rules repeat from the completion day in the task zone', async () => {
  const id = await newTask('FREQ=DAILY;INTERVAL=3;X-TM-FROM=COMPLETION', {
    date: '2027-01-01',
    time: '09:00',
    tz: 'Europe/Berlin',
  });
  // 23:30 on 10 January in Berlin (22:30 UTC): three days after the 10th.
  const next = await complete(id, '2027-01-10T22:30:00Z');
  assert.deepEqual([next?.due_date, next?.due_time, next?.due_at], ['2027-01-13', '09:00', '2027-01-13T08:00Z']);
  // 00:30 on the 11th in Berlin is still the 10th in UTC: the zone decides.
  const after = await complete(next!.id, '2027-01-10T23:30:00Z');
  assert.equal(after?.due_date, '2027-01-14');
});

test('COUNT counts down and the series ends; a plain task has no next occurrence', async () => {
  const id = await newTask('FREQ=WEEKLY;COUNT=2', { date: '2027-02-01' });
  const next = await complete(id);
  assert.deepEqual([next?.due_date, next?.recurrence], ['2027-02-08', 'FREQ=WEEKLY;COUNT=1']);
  assert.equal(await complete(next!.id), undefined, 'COUNT=1 was the last one');
  assert.equal(await complete(await newTask(null, { date: '2027-02-01' })), undefined);
});

test('a rule the engine refuses creates nothing and the job does not fail', async () => {
  const id = await newTask('FREQ=HOURLY', { date: '2027-02-01' });
  assert.equal(await complete(id), undefined);
  const { rows } = await pool.query(
    `select 1 from ${JOBS} where task_identifier = 'tasks__next_occurrence' and payload->>'workspace_id' = $1`,
    [ws],
  );
  assert.equal(rows.length, 0, 'no job left to retry');
});

test('the next task carries title, notes, priority, project, labels and reminders; the completed one stays', async () => {
  const project = (
    await pool.query<{ id: string }>(
      `insert into public.projects (workspace_id, name) values ($1, 'Home') returning id`,
      [ws],
    )
  ).rows[0]!.id;
  const id = await newTask(
    'FREQ=WEEKLY;BYDAY=MO',
    { date: '2027-06-07', time: '09:00', tz: 'Europe/Berlin' },
    { title: 'Water the plants', notes: 'the **big** ones' },
  );
  await pool.query(`update public.tasks set project_id = $2 where id = $1`, [id, project]);
  for (const name of ['home', 'weekly']) {
    const label = (
      await pool.query<{ id: string }>(`insert into public.labels (workspace_id, name) values ($1, $2) returning id`, [
        ws,
        name,
      ])
    ).rows[0]!.id;
    await pool.query(`insert into public.task_labels (workspace_id, task_id, label_id) values ($1, $2, $3)`, [
      ws,
      id,
      label,
    ]);
  }
  await pool.query(
    `insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit, remind_at, created_by)
     values ($1, $2, 'before_due', 1, 'days', null, $3), ($1, $2, 'absolute', null, null, '2027-06-06T20:00:00Z', $3)`,
    [ws, id, user],
  );
  const next = await complete(id);
  assert.ok(next);
  assert.deepEqual(
    [next.title, next.notes, next.priority, next.project_id, next.due_date, next.status],
    ['Water the plants', 'the **big** ones', 2, project, '2027-06-14', 'open'],
  );
  const labels = await pool.query<{ name: string }>(
    `select l.name from public.task_labels tl join public.labels l on l.workspace_id = tl.workspace_id and l.id = tl.label_id
     where tl.task_id = $1 order by 1`,
    [next.id],
  );
  assert.deepEqual(
    labels.rows.map((r) => r.name),
    ['home', 'weekly'],
  );
  const reminders = await pool.query<{ kind: string; offset_amount: number | null; remind_at: string | null }>(
    `select kind, offset_amount, to_char(remind_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as remind_at
     from public.task_reminders where task_id = $1 order by kind`,
    [next.id],
  );
  assert.deepEqual(reminders.rows, [
    { kind: 'absolute', offset_amount: null, remind_at: '2027-06-13T20:00Z' },
    { kind: 'before_due', offset_amount: 1, remind_at: null },
  ]);
  const original = await pool.query<{ status: string }>(`select status from public.tasks where id = $1`, [id]);
  assert.equal(original.rows[0]!.status, 'completed', 'the completed instance stays as history');
});

test('the job run twice, or the task reopened and completed again, creates one next task', async () => {
  const id = await newTask('FREQ=DAILY', { date: '2027-05-01' });
  await pool.query(`update public.tasks set status = 'completed' where id = $1`, [id]);
  const { rows } = await pool.query<{ payload: object }>(
    `select payload from ${JOBS} where task_identifier = 'tasks__next_occurrence' and payload->>'workspace_id' = $1`,
    [ws],
  );
  assert.equal(rows.length, 1, 'one job per completion');
  const payload = rows[0]!.payload;
  for (let run = 0; run < 2; run += 1) {
    await pool.query(`select graphile_worker.add_job('tasks__next_occurrence', $1::json, max_attempts => 1)`, [
      payload,
    ]);
    await worker();
  }
  assert.equal((await children(id)).length, 1);

  await pool.query(`update public.tasks set status = 'open' where id = $1`, [id]);
  await worker();
  await pool.query(`update public.tasks set status = 'completed' where id = $1`, [id]);
  await worker();
  const next = await children(id);
  assert.equal(next.length, 1, 'reopen + complete does not spawn twice');
  assert.equal(next[0]!.due_date, '2027-05-02');

  // Reopened before the job ran: nothing is created.
  const other = await newTask('FREQ=DAILY', { date: '2027-05-01' });
  await pool.query(`update public.tasks set status = 'completed' where id = $1`, [other]);
  await pool.query(`update public.tasks set status = 'open' where id = $1`, [other]);
  await worker();
  assert.equal((await children(other)).length, 0);
});
