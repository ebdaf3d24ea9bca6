// Reminders against the real database and the real worker: each reminder is one
// graphile-worker job keyed reminder:<id> whose run_at is the instant it fires in the task's
// zone (DST included); editing the due date moves it, completing or trashing cancels it,
// reopening or restoring brings it back, purging removes it. reminders__fire runs with the
// clock injected (the job's run_at set to now; nothing sleeps) and notifies exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { asUserQuery } from '../../lib/db/as-user.ts';
import { reminderInstant, type ReminderSpec } from '../../lib/shared/recurrence/reminders.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { testDatabaseUrl } from '../support/db.ts';

const logger = workerLogger(pino({ level: 'silent' }));
const JOBS = `(select t.identifier as task_identifier, j.payload, j.key, j.run_at, j.attempts
  from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id) jobs`;
let pool: pg.Pool;
let ws: string;
let user: string;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  user = (
    await pool.query<{ id: string }>(
      `insert into identity.users (name, email, email_verified)
       values ('Rem', 'rem-' || gen_random_uuid() || '@example.test', true) returning id`,
    )
  ).rows[0]!.id;
  ws = (await pool.query<{ id: string }>(`insert into public.workspaces (name) values ('reminders') returning id`))
    .rows[0]!.id;
  await pool.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner')`, [
    ws,
    user,
  ]);
});

after(async () => {
  await pool.query(
    `delete from graphile_worker._private_jobs where payload->>'workspace_id' = $1 or key like 'reminder:%' and payload->>'workspace_id' = $1`,
    [ws],
  );
  await pool.query(
    `delete from graphile_worker._private_jobs j using private.outgoing_mail m
     where m.id::text = j.payload->>'mail_id' and m.user_id = $1`,
    [user],
  );
  await pool.query(`delete from public.workspaces where id = $1`, [ws]);
  await pool.query(`delete from identity.users where id = $1`, [user]);
  await pool.end();
});

async function newTask(date: string, time: string | null, tz: string | null): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.tasks (workspace_id, title, due_date, due_time, due_tz, created_by)
     values ($1, 'Call the dentist', $2, $3, $4, $5) returning id`,
    [ws, date, time, tz, user],
  );
  return rows[0]!.id;
}

type Reminder = { kind: 'at_due' | 'before_due' | 'absolute'; amount?: number; unit?: string; at?: string };

async function addReminder(task: string, r: Reminder): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit, remind_at, created_by)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [ws, task, r.kind, r.amount ?? null, r.unit ?? null, r.at ?? null, user],
  );
  return rows[0]!.id;
}

/** The reminder's jobs: [run_at in UTC] (one entry per job with its key). */
async function jobsOf(reminder: string): Promise<string[]> {
  const { rows } = await pool.query<{ run_at: string }>(
    `select to_char(run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as run_at from ${JOBS}
     where key = 'reminder:' || $1 and task_identifier = 'reminders__fire'`,
    [reminder],
  );
  return rows.map((r) => r.run_at);
}

const q = (sql: string, params: unknown[]) => pool.query(sql, params);
const worker = () => runOnce({ connectionString: testDatabaseUrl(), taskList, logger });

async function notifications(reminder: string) {
  const { rows } = await pool.query<{ title: string; url: string; kind: string }>(
    `select title, url, kind from account.notifications where user_id = $1 and dedupe_key like 'reminder:' || $2 || ':%'`,
    [user, reminder],
  );
  return rows;
}

test('run_at is the right instant in the task zone across DST', async () => {
  // New York springs forward on 14 March 2027: 09:00 that day is EDT (13:00 UTC).
  const ny = await newTask('2027-03-14', '09:00', 'America/New_York');
  const atDue = await addReminder(ny, { kind: 'at_due' });
  const dayBefore = await addReminder(ny, { kind: 'before_due', amount: 1, unit: 'days' });
  const twoHours = await addReminder(ny, { kind: 'before_due', amount: 2, unit: 'hours' });
  const thirty = await addReminder(ny, { kind: 'before_due', amount: 30, unit: 'minutes' });
  assert.deepEqual(await jobsOf(atDue), ['2027-03-14T13:00Z']);
  assert.deepEqual(await jobsOf(dayBefore), ['2027-03-13T14:00Z'], '09:00 EST the day before, not 23 hours');
  assert.deepEqual(await jobsOf(twoHours), ['2027-03-14T11:00Z'], 'hours are elapsed time');
  assert.deepEqual(await jobsOf(thirty), ['2027-03-14T12:30Z']);

  // Berlin: 1 day before 09:00 on 28 March 2027 (CEST) is 09:00 CET on the 27th.
  const berlin = await newTask('2027-03-28', '09:00', 'Europe/Berlin');
  assert.deepEqual(await jobsOf(await addReminder(berlin, { kind: 'before_due', amount: 1, unit: 'days' })), [
    '2027-03-27T08:00Z',
  ]);
  // Fall back in Berlin, 31 October 2027: 02:30 happens twice, the first (CEST) is used.
  const overlap = await newTask('2027-10-31', '02:30', 'Europe/Berlin');
  assert.deepEqual(await jobsOf(await addReminder(overlap, { kind: 'at_due' })), ['2027-10-31T00:30Z']);
  // 02:30 on 14 March 2027 does not exist in New York: offset before the gap (07:30 UTC).
  const gap = await newTask('2027-03-14', '02:30', 'America/New_York');
  assert.deepEqual(await jobsOf(await addReminder(gap, { kind: 'at_due' })), ['2027-03-14T07:30Z']);
  // All-day tasks count from 09:00 local; no zone means UTC (as due_at).
  const allDay = await newTask('2027-06-01', null, 'Pacific/Auckland');
  assert.deepEqual(await jobsOf(await addReminder(allDay, { kind: 'at_due' })), ['2027-05-31T21:00Z']);
  const utc = await newTask('2027-06-01', '10:00', null);
  assert.deepEqual(await jobsOf(await addReminder(utc, { kind: 'at_due' })), ['2027-06-01T10:00Z']);
  // An absolute reminder is its instant; one in the past or on an undated task is not scheduled.
  const undated = await newTask('2027-06-01', null, null);
  assert.deepEqual(await jobsOf(await addReminder(undated, { kind: 'absolute', at: '2027-05-20T08:15:00Z' })), [
    '2027-05-20T08:15Z',
  ]);
  assert.deepEqual(await jobsOf(await addReminder(undated, { kind: 'absolute', at: '2020-01-01T00:00:00Z' })), []);
  await q(`update public.tasks set due_date = null, due_time = null where id = $1`, [utc]);
  const reminderOnUtc = (
    await pool.query<{ id: string }>(`select id from public.task_reminders where task_id = $1`, [utc])
  ).rows[0]!.id;
  assert.deepEqual(await jobsOf(reminderOnUtc), [], 'no due date: nothing to remind about');
});

test('editing the due date moves the job; completing, trashing and purging cancel it', async () => {
  const task = await newTask('2027-04-10', '18:00', 'Europe/Berlin');
  const r = await addReminder(task, { kind: 'before_due', amount: 1, unit: 'hours' });
  assert.deepEqual(await jobsOf(r), ['2027-04-10T15:00Z']);

  await q(`update public.tasks set due_date = '2027-04-12', due_time = '08:30' where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), ['2027-04-12T05:30Z'], 'same key, one job, new run_at');
  await q(`update public.tasks set due_tz = 'America/New_York' where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), ['2027-04-12T11:30Z'], 'a new zone moves it too');
  await q(`update public.task_reminders set offset_amount = 2, offset_unit = 'days' where id = $1`, [r]);
  assert.deepEqual(await jobsOf(r), ['2027-04-10T12:30Z'], 'editing the reminder moves it');

  await q(`update public.tasks set status = 'completed' where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), [], 'completing cancels');
  await q(`update public.tasks set status = 'open' where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), ['2027-04-10T12:30Z'], 'reopening schedules again');
  await q(`update public.tasks set deleted_at = now() where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), [], 'trashing cancels');
  await q(`update public.tasks set deleted_at = null where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), ['2027-04-10T12:30Z'], 'restoring schedules again');
  await q(`update public.tasks set title = 'renamed', priority = 1 where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), ['2027-04-10T12:30Z'], 'other edits leave it alone');

  const second = await addReminder(task, { kind: 'at_due' });
  await q(`delete from public.task_reminders where id = $1`, [second]);
  assert.deepEqual(await jobsOf(second), [], 'deleting a reminder removes its job');
  await q(`delete from public.tasks where id = $1`, [task]);
  assert.deepEqual(await jobsOf(r), [], 'purging the task removes its reminders and their jobs');
});

test('reminders__fire with the clock injected notifies once, and not at all when stale', async () => {
  const task = await newTask('2027-05-03', '09:00', 'Europe/Berlin');
  const r = await addReminder(task, { kind: 'before_due', amount: 15, unit: 'minutes' });
  const job = await pool.query<{ payload: { fire_at: string } }>(
    `select payload from ${JOBS} where key = 'reminder:' || $1`,
    [r],
  );
  const payload = job.rows[0]!.payload;
  assert.equal(new Date(payload.fire_at).toISOString(), '2027-05-03T06:45:00.000Z');

  // The clock: make the job due now instead of waiting for May 2027.
  await q(`update graphile_worker._private_jobs set run_at = now() where key = 'reminder:' || $1`, [r]);
  await worker();
  assert.deepEqual(await jobsOf(r), [], 'the job ran and is done');
  assert.deepEqual(await notifications(r), [
    { title: 'Reminder: Call the dentist', url: `/app/tasks/${task}`, kind: 'reminder' },
  ]);

  // The same job again (a retry after a crash): still one notification.
  await q(`select graphile_worker.add_job('reminders__fire', $1::json, max_attempts => 1)`, [payload]);
  await worker();
  assert.equal((await notifications(r)).length, 1);

  // A job for an instant that is no longer the reminder's (the due date moved) does nothing.
  const moved = await addReminder(task, { kind: 'at_due' });
  const stale = { workspace_id: ws, reminder_id: moved, fire_at: '2027-05-02T07:00:00Z' };
  await q(`select graphile_worker.add_job('reminders__fire', $1::json, max_attempts => 1)`, [stale]);
  await worker();
  assert.deepEqual(await notifications(moved), []);

  // Completed before it fires: the job is gone, and a stray one does nothing.
  const done = await addReminder(task, { kind: 'before_due', amount: 1, unit: 'days' });
  const donePayload = (
    await pool.query<{ payload: object }>(`select payload from ${JOBS} where key = 'reminder:' || $1`, [done])
  ).rows[0]!.payload;
  await q(`update public.tasks set status = 'completed' where id = $1`, [task]);
  await q(`select graphile_worker.add_job('reminders__fire', $1::json, max_attempts => 1)`, [donePayload]);
  await worker();
  assert.deepEqual(await notifications(done), []);
  const leftovers = await pool.query(
    `select 1 from ${JOBS} where task_identifier = 'reminders__fire' and payload->>'workspace_id' = $1 and attempts > 0`,
    [ws],
  );
  assert.equal(leftovers.rowCount, 0, 'no failed reminder job');
});

test('members add reminders through RLS; the job is scheduled by the trigger, not by their rights', async () => {
  const task = await newTask('2027-07-01', '12:00', 'UTC');
  const claims = { sub: user, role: 'authenticated' as const };
  const { rows } = await asUserQuery<{ id: string }>(
    pool,
    { claims },
    {
      text: `insert into public.task_reminders (workspace_id, task_id, kind) values ($1, $2, 'at_due') returning id`,
      values: [ws, task],
    },
  );
  assert.deepEqual(await jobsOf(rows[0]!.id), ['2027-07-01T12:00Z']);
  await assert.rejects(
    asUserQuery(
      pool,
      { claims },
      {
        text: `insert into public.task_reminders (workspace_id, task_id, kind, offset_amount) values ($1, $2, 'at_due', 5)`,
        values: [ws, task],
      },
    ),
    /task_reminders_shape/,
  );
});

test('the app computes the same fire instant as the database (lib/shared/recurrence/reminders.ts)', async () => {
  const dues: Array<[string, string | null, string | null]> = [
    ['2027-03-14', '09:00', 'America/New_York'],
    ['2027-03-14', '02:30', 'America/New_York'],
    ['2027-11-07', '01:30', 'America/New_York'],
    ['2027-03-28', '09:00', 'Europe/Berlin'],
    ['2027-10-31', '02:30', 'Europe/Berlin'],
    ['2027-09-26', '02:15', 'Pacific/Auckland'],
    ['2027-04-04', '02:45', 'Pacific/Auckland'],
    ['2027-06-01', null, 'Asia/Kolkata'],
    ['2027-06-01', '23:30', null],
  ];
  const specs: ReminderSpec[] = [
    { kind: 'at_due', amount: null, unit: null, remindAt: null },
    { kind: 'before_due', amount: 1, unit: 'days', remindAt: null },
    { kind: 'before_due', amount: 7, unit: 'days', remindAt: null },
    { kind: 'before_due', amount: 90, unit: 'minutes', remindAt: null },
    { kind: 'before_due', amount: 3, unit: 'hours', remindAt: null },
  ];
  for (const [dueDate, dueTime, dueTz] of dues) {
    for (const spec of specs) {
      const { rows } = await pool.query<{ at: Date }>(
        `select private.reminder_fire_at($1, $2, $3, null, $4, $5, $6) as at`,
        [spec.kind, spec.amount, spec.unit, dueDate, dueTime, dueTz],
      );
      const ts = reminderInstant(spec, { dueDate, dueTime, dueTz });
      assert.equal(
        ts?.toISOString(),
        rows[0]!.at.toISOString(),
        `${spec.kind} ${spec.amount ?? ''} ${spec.unit ?? ''} for ${dueDate} ${dueTime} ${dueTz}`,
      );
    }
  }
});
