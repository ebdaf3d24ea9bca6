// The worker's cleanup of the gateway's tables: api__purge_rate_limits deletes buckets that
// are full again, api__purge_idempotency_keys deletes records older than 24 hours; both
// keep live rows, are idempotent, and are scheduled in workers/crontab.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseCrontab, runOnce } from 'graphile-worker';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { superuserQuery, testDatabaseUrl } from '../support/db.ts';

const logger = workerLogger(pino({ level: 'silent' }));

async function runJob(task: string, payload: unknown) {
  const key = `${task}-${randomUUID()}`;
  await superuserQuery(`select graphile_worker.add_job($1, $2::json, job_key => $3, max_attempts => 1)`, [
    task,
    JSON.stringify(payload),
    key,
  ]);
  await runOnce({ connectionString: testDatabaseUrl(), taskList, logger });
  const left = await superuserQuery(`select last_error from graphile_worker.jobs where key = $1`, [key]);
  assert.equal(left.rowCount, 0, `the job succeeded: ${JSON.stringify(left.rows)}`);
}

test('api__purge_rate_limits deletes full buckets only, and is idempotent', async () => {
  await runOnce({ connectionString: testDatabaseUrl(), taskList, logger }); // installs the queue schema
  const id = randomUUID();
  await superuserQuery(
    `insert into private.rate_limits (bucket, tat) values ($1, now() - interval '1 minute'), ($2, now() + interval '1 minute')`,
    [`test:full:${id}`, `test:live:${id}`],
  );
  for (let run = 0; run < 2; run++) {
    await runJob('api__purge_rate_limits', {});
    const { rows } = await superuserQuery<{ bucket: string }>(
      `select bucket from private.rate_limits where bucket like $1 order by bucket`,
      [`test:%:${id}`],
    );
    assert.deepEqual(
      rows.map((r) => r.bucket),
      [`test:live:${id}`],
    );
  }
});

test('api__purge_idempotency_keys deletes records older than 24 hours only, and is idempotent', async () => {
  const scope = `test:${randomUUID()}`;
  await superuserQuery(
    `insert into private.idempotency_keys
       (scope, idempotency_key, request_method, request_path, fingerprint, lock_token, created_at)
     values ($1, 'old', 'POST', '/rest/v1/tasks', sha256('a'), gen_random_uuid(), now() - interval '25 hours'),
            ($1, 'new', 'POST', '/rest/v1/tasks', sha256('b'), gen_random_uuid(), now() - interval '23 hours')`,
    [scope],
  );
  for (let run = 0; run < 2; run += 1) {
    await runJob('api__purge_idempotency_keys', { ttl_hours: 24 });
    const { rows } = await superuserQuery<{ idempotency_key: string }>(
      `select idempotency_key from private.idempotency_keys where scope = $1`,
      [scope],
    );
    assert.deepEqual(
      rows.map((r) => r.idempotency_key),
      ['new'],
    );
  }
});

test('a TTL below 24 hours is refused: the purge can never shorten the promise', async () => {
  const key = `purge-short-${randomUUID()}`;
  await superuserQuery(
    `select graphile_worker.add_job('api__purge_idempotency_keys', '{"ttl_hours":1}'::json, job_key => $1, max_attempts => 1)`,
    [key],
  );
  await runOnce({ connectionString: testDatabaseUrl(), taskList, logger });
  const { rows } = await superuserQuery<{ attempts: number }>(
    `select attempts from graphile_worker.jobs where key = $1`,
    [key],
  );
  assert.equal(rows[0]?.attempts, 1, 'the job failed instead of purging');
  await superuserQuery(`select graphile_worker.remove_job($1)`, [key]);
});

test('both purges are scheduled in workers/crontab', () => {
  const items = parseCrontab(readFileSync(resolve(import.meta.dirname, '../../workers/crontab'), 'utf8'));
  const tasks = items.map((i) => i.task);
  assert.ok(tasks.includes('api__purge_rate_limits'));
  assert.ok(tasks.includes('api__purge_idempotency_keys'));
  for (const task of tasks) assert.ok(task in taskList, `${task} is registered`);
});
