// kill -9 of the real worker process mid-job: the job is retried once the dead worker's
// lock times out (WORKER_LOCK_TIMEOUT_MS, enforced by the worker supervisor's heartbeats,
// not graphile-worker's fixed 4 hours) and its effect happens exactly once.
//
// How the job "blocks": events__analytics increments a row of analytics.workspace_daily;
// the test holds that row locked in an open transaction, so the real task waits inside its
// own transaction (receipt inserted, increment pending) like a handler stuck on a slow
// dependency. No test-only code runs in the worker.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { testDatabaseUrl } from '../support/db.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
let pool: pg.Pool;
const children: ChildProcess[] = [];

before(() => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await pool.end();
});

type Worker = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: string | null }>;
};

function startWorker(): Worker {
  const child = spawn(process.execPath, ['workers/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      WORKER_LOCK_TIMEOUT_MS: '3000',
      WORKER_HEARTBEAT_MS: '250',
      WORKER_PRESSURE_INTERVAL_MS: '1000',
      WORKER_POLL_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Polls until `check` returns a value (bounded: fails the test instead of hanging). */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a job whose worker is killed with SIGKILL runs again after the lock timeout, with its effect applied once', async () => {
  const { rows: ws } = await pool.query<{ id: string }>(
    `insert into public.workspaces (name) values ('crash') returning id`,
  );
  const workspaceId = ws[0]!.id;
  await pool.query(`insert into public.tasks (workspace_id, title) values ($1, 'survives a crash')`, [workspaceId]);
  const { rows: ev } = await pool.query<{ id: string; day: string }>(
    `select id, (occurred_at at time zone 'UTC')::date::text as day from events.log
     where workspace_id = $1 and type = 'task.created'`,
    [workspaceId],
  );
  const event = ev[0]!;
  const { rows: jobRows } = await pool.query<{ id: string }>(
    `select j.id::text from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'events__analytics' and j.payload->>'event_id' = $1`,
    [event.id],
  );
  const jobId = jobRows[0]!.id;

  // Hold the counter row the task will increment.
  await pool.query(
    `insert into analytics.workspace_daily (workspace_id, day, metric, value) values ($1, $2, 'tasks_created', 0)`,
    [workspaceId, event.day],
  );
  const blocker = await pool.connect();
  let blocking = true;
  try {
    await blocker.query('begin');
    await blocker.query(
      `select 1 from analytics.workspace_daily where workspace_id = $1 and metric = 'tasks_created' for update`,
      [workspaceId],
    );

    const first = startWorker();
    const lockedBy = await until('the first worker to take the job', async () => {
      const { rows } = await pool.query<{ locked_by: string | null }>(
        `select locked_by from graphile_worker._private_jobs where id = $1`,
        [jobId],
      );
      return rows[0]?.locked_by;
    });
    // The task is really inside its transaction, waiting for the row lock.
    await until('the task to wait on the counter row', async () => {
      const { rowCount } = await pool.query(
        `select 1 from pg_stat_activity where application_name = 'taskmaster-worker' and wait_event_type = 'Lock'
           and query like '%analytics.workspace_daily%'`,
      );
      return rowCount! > 0;
    });
    const { rows: beats } = await pool.query(`select 1 from private.worker_heartbeats where $1 = any (pool_ids)`, [
      lockedBy,
    ]);
    assert.equal(beats.length, 1, 'the worker announced the pool that holds the job');

    first.child.kill('SIGKILL');
    assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });
    assert.doesNotMatch(first.output(), /worker stopping/, 'no graceful shutdown ran');
    const { rows: orphan } = await pool.query<{ locked_by: string | null; attempts: number }>(
      `select locked_by, attempts from graphile_worker._private_jobs where id = $1`,
      [jobId],
    );
    assert.equal(orphan[0]!.locked_by, lockedBy, 'the dead worker still holds the job');

    const second = startWorker();
    try {
      // The second worker frees the job once the first one's heartbeat is older than the lock timeout.
      await until('the job to be taken by the second worker', async () => {
        const { rows } = await pool.query<{ locked_by: string | null }>(
          `select locked_by from graphile_worker._private_jobs where id = $1`,
          [jobId],
        );
        return rows[0] && rows[0].locked_by !== null && rows[0].locked_by !== lockedBy;
      });
      assert.match(second.output(), /unlocked jobs of a dead worker/);

      // Let the dependency answer: both the dead worker's orphaned transaction and the retry
      // may now proceed; only one can commit its receipt.
      await blocker.query('commit');
      blocking = false;
      await until('the job to complete', async () => {
        const { rowCount } = await pool.query(`select 1 from graphile_worker._private_jobs where id = $1`, [jobId]);
        return rowCount === 0;
      });
      const { rows: counted } = await pool.query<{ value: string }>(
        `select value from analytics.workspace_daily where workspace_id = $1 and metric = 'tasks_created'`,
        [workspaceId],
      );
      assert.equal(Number(counted[0]!.value), 1, 'counted exactly once');
      const { rows: receipts } = await pool.query(
        `select 1 from private.event_receipts where consumer = 'events__analytics' and event_id = $1`,
        [event.id],
      );
      assert.equal(receipts.length, 1);
    } finally {
      second.child.kill('SIGTERM');
      const { code } = await second.exited;
      assert.equal(code, 0, `graceful stop; output:\n${second.output().slice(-2000)}`);
    }
  } finally {
    if (blocking) await blocker.query('rollback');
    blocker.release();
    await pool.query(`delete from public.workspaces where id = $1`, [workspaceId]);
  }
});
