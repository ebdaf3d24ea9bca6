// The worker against the real queue: jobs are rows in Postgres, run by graphile-worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { superuserQuery, testDatabaseUrl } from '../support/db.ts';

const logger = workerLogger(pino({ level: 'silent' }));

test('identity__purge_expired removes long-expired sessions only, and is idempotent', async () => {
  const connectionString = testDatabaseUrl();
  // Installs graphile-worker's schema on first use.
  await runOnce({ connectionString, taskList, logger });
  const { rows } = await superuserQuery<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ('Purge', 'purge-' || gen_random_uuid() || '@example.test', false) returning id`,
  );
  const userId = rows[0]!.id;
  await superuserQuery(
    `insert into identity.sessions (token, user_id, expires_at, updated_at) values
       ('old-' || gen_random_uuid(), $1, now() - interval '3 days', now()),
       ('fresh-' || gen_random_uuid(), $1, now() + interval '3 days', now()),
       ('recent-' || gen_random_uuid(), $1, now() - interval '1 hour', now())`,
    [userId],
  );
  const remaining = async () =>
    (
      await superuserQuery<{ token: string }>(`select token from identity.sessions where user_id = $1 order by token`, [
        userId,
      ])
    ).rows.map((r) => r.token.split('-')[0]);

  const key = `purge-${userId}`;
  for (let run = 0; run < 2; run += 1) {
    await superuserQuery(
      `select graphile_worker.add_job('identity__purge_expired', '{"grace_hours":24}'::json, job_key => $1)`,
      [key],
    );
    await runOnce({ connectionString, taskList, logger });
    assert.deepEqual(await remaining(), ['fresh', 'recent']);
  }
  const failed = await superuserQuery(`select 1 from graphile_worker.jobs where key = $1`, [key]);
  assert.equal(failed.rowCount, 0, 'no job left behind (none failed)');
});

test('a malformed payload fails the job instead of doing anything', async () => {
  const connectionString = testDatabaseUrl();
  const marker = crypto.randomUUID();
  await superuserQuery(
    `select graphile_worker.add_job('identity__purge_expired', '{"grace_hours":"lots"}'::json, job_key => $1::text, max_attempts => 1)`,
    [marker],
  );
  await runOnce({ connectionString, taskList, logger });
  const { rows } = await superuserQuery<{ last_error: string; attempts: number }>(
    `select last_error, attempts from graphile_worker.jobs where key = $1`,
    [marker],
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.attempts, 1);
  assert.match(rows[0]!.last_error, /grace_hours/);
});
