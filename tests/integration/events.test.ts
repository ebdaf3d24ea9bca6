// The event spine (supabase/migrations/20261123213000_events-spine.sql) against the real
// database and the real worker: events are recorded and jobs enqueued in the writer's
// transaction, numbered per workspace, readable under RLS, and consumers run idempotently.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { jobsSettled } from '../support/jobs.ts';

const logger = workerLogger(pino({ level: 'silent' }));
/** graphile-worker's public jobs view hides payloads; tests read its table. */
const JOBS = `(select t.identifier as task_identifier, j.payload, j.run_at
  from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id) jobs`;
let pool: pg.Pool;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
});
after(async () => {
  await pool.end();
});

async function newWorkspace(name = 'events'): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(`insert into public.workspaces (name) values ($1) returning id`, [
    name,
  ]);
  return rows[0]!.id;
}

async function newUser(): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ('Ev', 'ev-' || gen_random_uuid() || '@example.test', true) returning id`,
  );
  return rows[0]!.id;
}

async function events(workspaceId: string) {
  const { rows } = await pool.query<{ seq: string; type: string; subject_id: string; changes: string[] | null }>(
    `select seq, type, subject_id, changes from events.log where workspace_id = $1 order by seq`,
    [workspaceId],
  );
  return rows.map((r) => ({ seq: Number(r.seq), type: r.type, subject_id: r.subject_id, changes: r.changes }));
}

/** Jobs enqueued for a workspace's events, by task identifier. */
async function jobs(workspaceId: string) {
  const { rows } = await pool.query<{ task_identifier: string; n: number }>(
    `select task_identifier, count(*)::int as n from ${JOBS}
     where payload->>'workspace_id' = $1 group by 1 order by 1`,
    [workspaceId],
  );
  return Object.fromEntries(rows.map((r) => [r.task_identifier, r.n]));
}

async function consumersOf(type: string): Promise<string[]> {
  const { rows } = await pool.query<{ task_identifier: string }>(
    `select task_identifier from private.event_consumers
     where $1 = any (event_types) or split_part($1, '.', 1) || '.*' = any (event_types) order by 1`,
    [type],
  );
  return rows.map((r) => r.task_identifier);
}

async function removeJobs(workspaceId: string) {
  await pool.query(`delete from graphile_worker._private_jobs where payload->>'workspace_id' = $1`, [workspaceId]);
}

test('a rolled-back change records and enqueues nothing; a committed one enqueues exactly one job per consumer', async () => {
  const ws = await newWorkspace();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`insert into public.tasks (workspace_id, title) values ($1, 'never happened')`, [ws]);
    await client.query('rollback');
  } finally {
    client.release();
  }
  assert.deepEqual(await events(ws), []);
  assert.deepEqual(await jobs(ws), {});

  const { rows } = await pool.query<{ id: string }>(
    `insert into public.tasks (workspace_id, title) values ($1, 'happened') returning id`,
    [ws],
  );
  assert.deepEqual(await events(ws), [{ seq: 1, type: 'task.created', subject_id: rows[0]!.id, changes: null }]);
  const expected = Object.fromEntries((await consumersOf('task.created')).map((c) => [c, 1]));
  assert.ok(Object.keys(expected).length >= 3, 'notify, webhooks and analytics consume task.created');
  assert.deepEqual(await jobs(ws), expected);
  const payloads = await pool.query<{ payload: Record<string, unknown> }>(
    `select payload from ${JOBS} where payload->>'workspace_id' = $1`,
    [ws],
  );
  for (const { payload } of payloads.rows) {
    assert.deepEqual(Object.keys(payload).sort(), ['event_id', 'seq', 'workspace_id'], 'ids only');
  }
  await removeJobs(ws);
});

test('each change has its own event type; updates name the changed columns; no-op updates emit nothing', async () => {
  const ws = await newWorkspace();
  const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);
  const task = (
    await pool.query<{ id: string }>(`insert into public.tasks (workspace_id, title) values ($1, 'a') returning id`, [
      ws,
    ])
  ).rows[0]!.id;
  await q(`update public.tasks set title = 'b', priority = 1 where id = $1`, [task]);
  await q(`update public.tasks set title = 'b' where id = $1`, [task]);
  await q(`update public.tasks set status = 'completed' where id = $1`, [task]);
  await q(`update public.tasks set status = 'open' where id = $1`, [task]);
  await q(`update public.tasks set deleted_at = now() where id = $1`, [task]);
  await q(`update public.tasks set deleted_at = null where id = $1`, [task]);
  const label = (
    await pool.query<{ id: string }>(`insert into public.labels (workspace_id, name) values ($1, 'x') returning id`, [
      ws,
    ])
  ).rows[0]!.id;
  await q(`insert into public.task_labels (workspace_id, task_id, label_id) values ($1, $2, $3)`, [ws, task, label]);
  await q(`delete from public.task_labels where task_id = $1`, [task]);
  await q(`insert into public.task_labels (workspace_id, task_id, label_id) values ($1, $2, $3)`, [ws, task, label]);
  await q(`delete from public.tasks where id = $1`, [task]);

  const project = (
    await pool.query<{ id: string }>(`insert into public.projects (workspace_id, name) values ($1, 'P') returning id`, [
      ws,
    ])
  ).rows[0]!.id;
  await q(`update public.projects set color = 'red' where id = $1`, [project]);
  await q(`update public.projects set archived_at = now() where id = $1`, [project]);
  await q(`update public.projects set archived_at = null where id = $1`, [project]);
  await q(`delete from public.projects where id = $1`, [project]);

  const user = await newUser();
  await q(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`, [ws, user]);
  await q(`update public.workspace_members set role = 'admin' where user_id = $1 and workspace_id = $2`, [user, ws]);
  await q(`delete from public.workspace_members where user_id = $1 and workspace_id = $2`, [user, ws]);

  const got = await events(ws);
  assert.deepEqual(
    got.map((e) => e.seq),
    got.map((_, i) => i + 1),
    'seq counts 1, 2, 3, … with no gap',
  );
  assert.deepEqual(
    got.map((e) => [e.type, e.changes]),
    [
      ['task.created', null],
      ['task.updated', ['priority', 'title']],
      ['task.completed', null],
      ['task.reopened', null],
      ['task.deleted', null],
      ['task.restored', null],
      ['task.updated', ['labels']],
      ['task.updated', ['labels']],
      ['task.updated', ['labels']],
      ['task.purged', null],
      ['project.created', null],
      ['project.updated', ['color']],
      ['project.archived', null],
      ['project.unarchived', null],
      ['project.deleted', null],
      ['member.added', null],
      ['member.role_changed', ['role']],
      ['member.removed', null],
    ],
  );
  await removeJobs(ws);
});

test('sequence numbers are per workspace and stay gapless and unique under concurrent writers', async () => {
  const [a, b] = [await newWorkspace('a'), await newWorkspace('b')];
  await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      pool.query(`insert into public.tasks (workspace_id, title) values ($1, $2)`, [i % 2 ? a : b, `t${i}`]),
    ),
  );
  for (const ws of [a, b]) {
    assert.deepEqual(
      (await events(ws)).map((e) => e.seq),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    await removeJobs(ws);
  }
});

test('members read their own workspace events through public.events, nobody else’s, and cannot write them', async () => {
  const [mine, theirs] = [await newWorkspace('mine'), await newWorkspace('theirs')];
  const user = await newUser();
  await pool.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`, [
    mine,
    user,
  ]);
  await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'm'), ($2, 't')`, [mine, theirs]);
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: user, role: 'authenticated' }),
    ]);
    await client.query('set local role authenticated');
    const { rows } = await client.query<{ workspace_id: string; type: string; actor_id: string | null }>(
      `select workspace_id, type, actor_id from public.events order by workspace_id, seq`,
    );
    assert.ok(rows.some((r) => r.workspace_id === mine));
    assert.ok(!rows.some((r) => r.workspace_id === theirs), 'another workspace’s events stay hidden');
    await client.query(`insert into public.tasks (workspace_id, title) values ($1, 'by me')`, [mine]);
    const last = await client.query<{ actor_id: string }>(
      `select actor_id from public.events where workspace_id = $1 order by seq desc limit 1`,
      [mine],
    );
    assert.equal(last.rows[0]!.actor_id, user, 'the actor is the caller');
    await assert.rejects(
      client.query(
        `insert into public.events (workspace_id, seq, type, subject_id) values ($1, 99, 'task.created', gen_random_uuid())`,
        [mine],
      ),
      /permission denied/,
    );
  } finally {
    await client.query('rollback');
    client.release();
  }
  await removeJobs(mine);
  await removeJobs(theirs);
});

test('deleting a workspace cascades without recording events for it', async () => {
  const ws = await newWorkspace();
  await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'x'), ($1, 'y')`, [ws]);
  await pool.query(`insert into public.projects (workspace_id, name) values ($1, 'P')`, [ws]);
  await removeJobs(ws);
  await pool.query(`delete from public.workspaces where id = $1`, [ws]);
  assert.deepEqual(await events(ws), []);
  assert.deepEqual(await jobs(ws), {});
});

test('under pressure a non-critical consumer is shed or delayed, critical ones never', async () => {
  const ws = await newWorkspace();
  const shedBefore = await pool.query<{ n: string }>(
    `select case when is_called then last_value else 0 end as n from private.events_shed_total`,
  );
  try {
    await pool.query(
      `update private.queue_pressure set depth = depth_limit + 1 where task_identifier = 'events__analytics'`,
    );
    await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'shed')`, [ws]);
    const shed = await jobs(ws);
    assert.equal(shed['events__analytics'], undefined, 'analytics shed');
    assert.equal(shed['events__notify'], 1, 'notifications still enqueued');
    const shedAfter = await pool.query<{ n: string }>(`select last_value as n from private.events_shed_total`);
    assert.equal(Number(shedAfter.rows[0]!.n), Number(shedBefore.rows[0]!.n) + 1, 'the shed counter counts it');

    await pool.query(
      `update private.queue_pressure set on_pressure = 'delay', delay = interval '5 minutes' where task_identifier = 'events__analytics'`,
    );
    await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'delayed')`, [ws]);
    const { rows } = await pool.query<{ task_identifier: string; delayed: boolean }>(
      `select task_identifier, run_at > now() + interval '4 minutes' as delayed from ${JOBS}
       where payload->>'workspace_id' = $1 and payload->>'seq' = '2'`,
      [ws],
    );
    const byTask = Object.fromEntries(rows.map((r) => [r.task_identifier, r.delayed]));
    assert.equal(byTask['events__analytics'], true, 'analytics delayed');
    assert.equal(byTask['events__notify'], false, 'notifications run now');
  } finally {
    await pool.query(
      `update private.queue_pressure set depth = 0, on_pressure = 'shed', delay = interval '0' where task_identifier = 'events__analytics'`,
    );
    await removeJobs(ws);
  }
});

test('events__analytics counts an event once even when its job runs twice, and skips vanished events', async () => {
  const connectionString = testDatabaseUrl();
  await runOnce({ connectionString, taskList, logger });
  const ws = await newWorkspace();
  await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'count me')`, [ws]);
  const { rows } = await pool.query<{ payload: object }>(
    `select payload from ${JOBS} where task_identifier = 'events__analytics' and payload->>'workspace_id' = $1`,
    [ws],
  );
  await removeJobs(ws);
  const payload = rows[0]!.payload;
  for (let run = 0; run < 2; run += 1) {
    await pool.query(`select graphile_worker.add_job('events__analytics', $1::json, max_attempts => 1)`, [payload]);
    await runOnce({ connectionString, taskList, logger });
  }
  const counts = await pool.query<{ metric: string; value: string }>(
    `select metric, value from analytics.workspace_daily where workspace_id = $1`,
    [ws],
  );
  assert.deepEqual(
    counts.rows.map((r) => [r.metric, Number(r.value)]),
    [['tasks_created', 1]],
  );
  // A job for an event that no longer exists succeeds without doing anything.
  await pool.query(
    `select graphile_worker.add_job('events__analytics', json_build_object('workspace_id', $1::uuid, 'seq', 999, 'event_id', gen_random_uuid()), max_attempts => 1)`,
    [ws],
  );
  await runOnce({ connectionString, taskList, logger });
  await jobsSettled(pool, { workspaceId: ws });
  assert.deepEqual(await jobs(ws), {}, 'no failed job left behind');
  await pool.query(`delete from public.workspaces where id = $1`, [ws]);
});

test('events__purge_receipts deletes receipts past their days only, and a second run deletes nothing more', async () => {
  const connectionString = testDatabaseUrl();
  const [old, fresh] = [crypto.randomUUID(), crypto.randomUUID()];
  await pool.query(
    `insert into private.event_receipts (consumer, event_id, processed_at) values
       ('events__analytics', $1, now() - interval '31 days'), ('events__analytics', $2, now() - interval '29 days')`,
    [old, fresh],
  );
  const left = async () =>
    (
      await pool.query<{ event_id: string }>(`select event_id from private.event_receipts where event_id = any ($1)`, [
        [old, fresh],
      ])
    ).rows.map((r) => r.event_id);
  for (let run = 0; run < 2; run += 1) {
    await pool.query(
      `select graphile_worker.add_job('events__purge_receipts', '{"days":30}'::json, max_attempts => 1)`,
    );
    await runOnce({ connectionString, taskList, logger });
    assert.deepEqual(await left(), [fresh]);
  }
});
