// Dead letters against real graphile-worker jobs: a job whose task throws until its
// downstream is "fixed" exhausts its attempts, is listed with its last error (library and
// `npm run jobs` CLI), fires the dead-letter alert, and is replayed to success or discarded,
// which resolves the alert. The failing task is test-only (a task list passed to runOnce)
// under a fresh identifier per run, so other tests' jobs never mix in.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runOnce, type TaskList } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { evaluateDeadLetterAlerts } from '../../lib/jobs/alerts.ts';
import { discardDeadLetters, listDeadLetters, replayDeadLetters } from '../../lib/jobs/dead-letters.ts';
import { prometheusText, queueSnapshot } from '../../lib/jobs/stats.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { jobs__evaluate_alerts } from '../../workers/src/tasks/jobs__evaluate_alerts.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { jobsSettled } from '../support/jobs.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const silent = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;

const TASK = `jobs_test__flaky_${randomBytes(4).toString('hex')}`;
let downstreamFixed = false;
const delivered: string[] = [];
const taskList: TaskList = {
  [TASK]: async (payload) => {
    const { n } = payload as { n: string };
    if (!downstreamFixed) throw new Error(`downstream refused delivery ${n}`);
    delivered.push(n);
  },
};

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
});
after(async () => {
  await pool.query(
    `delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = $1)`,
    [TASK],
  );
  await evaluateDeadLetterAlerts(pool);
  await pool.end();
});

async function enqueue(n: string, maxAttempts: number): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `select id::text from graphile_worker.add_job($1, json_build_object('n', $2::text), max_attempts => $3)`,
    [TASK, n, maxAttempts],
  );
  return rows[0]!.id;
}

/** Runs every job of the test task that is due now, and waits for their outcomes. */
async function work() {
  await runOnce({ connectionString: testDatabaseUrl(), taskList, logger: silent });
  await jobsSettled(pool, { task: TASK });
}

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['scripts/jobs.ts', ...args], {
      cwd: ROOT,
      env: process.env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function alertFor(changes: Awaited<ReturnType<typeof evaluateDeadLetterAlerts>>) {
  return changes.filter((c) => c.task === TASK);
}

test('a job that exhausts its attempts is a dead letter with its last error; replaying it runs it to success', async () => {
  await evaluateDeadLetterAlerts(pool); // baseline sample
  const dead = await enqueue('a', 1);
  const retrying = await enqueue('b', 3);
  await work();

  const listed = await listDeadLetters(pool, { task: TASK });
  assert.deepEqual(
    listed.map((d) => [d.id, d.attempts, d.maxAttempts]),
    [[dead, 1, 1]],
    'only the job out of attempts is dead; the one with attempts left is retrying',
  );
  assert.match(listed[0]!.lastError ?? '', /downstream refused delivery a/);

  // The CLI shows the same.
  const shown = await cli('dead', '--task', TASK);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(
    shown.stdout,
    new RegExp(`^${dead}\\t${TASK}\\tattempts 1/1\\tdied \\d+s ago.*downstream refused delivery a`, 'm'),
  );

  const stats = await cli('stats');
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, new RegExp(TASK), 'stats lists the task');

  // Metrics count it.
  const metrics = prometheusText(await queueSnapshot(pool));
  assert.match(metrics, new RegExp(`^taskmaster_jobs_dead_letters\\{task="${TASK}"\\} 1$`, 'm'));
  assert.match(
    metrics,
    new RegExp(`^taskmaster_jobs_scheduled\\{task="${TASK}"\\} 1$`, 'm'),
    'b waits for its backoff',
  );

  // The alert fires once when the count grows, and stays quiet while it does not.
  assert.deepEqual(alertFor(await evaluateDeadLetterAlerts(pool)), [
    { task: TASK, state: 'firing', dead: 1, baseline: 0 },
  ]);
  assert.deepEqual(alertFor(await evaluateDeadLetterAlerts(pool)), []);
  assert.match(
    prometheusText(await queueSnapshot(pool)),
    new RegExp(`^taskmaster_jobs_dead_letter_alert_firing\\{task="${TASK}"\\} 1$`, 'm'),
  );

  // Replay: a retrying job is not a dead letter and is skipped; the dead one runs again now.
  const replayed = await cli('replay', dead, retrying);
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.match(replayed.stdout, new RegExp(`replayed 1: ${dead}`));
  assert.match(replayed.stdout, new RegExp(`skipped \\(not dead letters\\): ${retrying}`));
  downstreamFixed = true;
  await work();
  assert.ok(delivered.includes('a'), 'the replayed job ran to success');
  assert.deepEqual(await listDeadLetters(pool, { task: TASK }), []);
  assert.deepEqual(alertFor(await evaluateDeadLetterAlerts(pool)), [
    { task: TASK, state: 'resolved', dead: 0, baseline: 0 },
  ]);

  // Tidy: the retrying job is not this test's business any more.
  await pool.query(`select graphile_worker.complete_jobs(array[$1::bigint])`, [retrying]);
});

test('discarding dead letters deletes them, leaves other jobs alone, and resolves the alert; the alert task logs at error level', async () => {
  downstreamFixed = false;
  await evaluateDeadLetterAlerts(pool);
  const one = await enqueue('c', 1);
  const two = await enqueue('d', 1);
  await work();
  assert.equal((await listDeadLetters(pool, { task: TASK })).length, 2);

  // The cron task: a growing count is logged at error level.
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  await pool.query(`select graphile_worker.add_job('jobs__evaluate_alerts', '{}'::json, job_key => $1)`, [
    `evaluate-${TASK}`,
  ]);
  await runOnce({
    connectionString: testDatabaseUrl(),
    taskList: { jobs__evaluate_alerts },
    logger: workerLogger(pino({ level: 'info' }, sink)),
  });
  const fired = lines.find((l) => l.msg.includes(`DeadLettersGrowing firing for ${TASK}`));
  assert.ok(fired, `an alert line for ${TASK}; got ${JSON.stringify(lines.map((l) => l.msg))}`);
  assert.equal(fired.level, 50, 'logged at error level');

  const { rows: bystander } = await pool.query<{ id: string }>(
    `select id::text from graphile_worker.add_job($1, '{"n":"e"}'::json, run_at => now() + interval '1 hour')`,
    [TASK],
  );
  const out = await cli('discard', one, two, bystander[0]!.id);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /discarded 2/);
  assert.match(out.stdout, new RegExp(`skipped \\(not dead letters\\): ${bystander[0]!.id}`));
  const left = await pool.query(`select 1 from graphile_worker._private_jobs where id = $1`, [bystander[0]!.id]);
  assert.equal(left.rowCount, 1, 'a job that is not dead is not discarded');
  assert.deepEqual(alertFor(await evaluateDeadLetterAlerts(pool)), [
    { task: TASK, state: 'resolved', dead: 0, baseline: 0 },
  ]);
  assert.deepEqual(await discardDeadLetters(pool, [one]), [], 'discarding again does nothing');
  assert.deepEqual(await replayDeadLetters(pool, { task: TASK }), [], 'nothing left to replay');
});

test('bad CLI input is refused with a message and changes nothing', async () => {
  const badId = await cli('discard', 'abc');
  assert.equal(badId.code, 64);
  assert.match(badId.stderr, /expected bigint|Invalid input/i);
  const badTask = await cli('dead', '--task', 'no such; task');
  assert.equal(badTask.code, 64);
  assert.match(badTask.stderr, /task identifier/);
  const none = await cli('discard');
  assert.equal(none.code, 64);
  assert.match(none.stderr, /at least one job id/);
  const unknown = await cli('explode');
  assert.equal(unknown.code, 64);
});
