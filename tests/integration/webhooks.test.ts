// Outgoing webhooks against the real database, the real worker (runOnce) and a real local
// HTTP receiver: signed deliveries verified with the snippet documented in
// docs/webhooks.md, the retry schedule (read from the rescheduled job's run_at; time is
// moved by pulling run_at forward, never slept), the dead letter and its replay, SSRF
// refusals at registration and at delivery, admin-only access, and idempotent fan-out.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { type TaskList, runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { EndpointBreakers } from '../../workers/src/webhooks/breaker.ts';
import { MAX_ATTEMPTS, nominalDelayMs } from '../../workers/src/webhooks/schedule.ts';
import type { Resolver } from '../../workers/src/webhooks/target.ts';
import { defaultSendTaskOptions, makeSendTask } from '../../workers/src/tasks/webhook_deliveries__send.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { jobsSettled } from '../support/jobs.ts';

const logger = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;
let verify: (raw: string, header: string | undefined, secret: string, tolerance?: number) => Record<string, unknown>;
let snippetDir: string;

type Received = { headers: http.IncomingHttpHeaders; body: string };
type Receiver = { url: string; received: Received[]; status: number; responseBody: string; close: () => Promise<void> };

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], status: 200, responseBody: 'ok', close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiver.status, { 'content-type': 'text/plain' }).end(receiver.responseBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

/** The worker's tasks, with the webhook sender configured for a local receiver. */
function tasks(
  overrides: Partial<Parameters<typeof makeSendTask>[0]> = {},
  breakers = new EndpointBreakers({ volumeThreshold: 1000 }),
): TaskList {
  return {
    ...taskList,
    webhook_deliveries__send: makeSendTask({
      ...defaultSendTaskOptions,
      allowInsecure: () => true,
      breakers,
      random: () => 0.5, // jitter factor exactly 1: the schedule's nominal delays
      rateLimit: null,
      ...overrides,
    }),
  };
}

/**
 * Runs every due job, then waits until graphile-worker has recorded each outcome (a failed
 * job's own run_at already points past now, so runOnce finds no further job).
 */
async function work(list: TaskList = tasks()) {
  await runOnce({ connectionString: testDatabaseUrl(), taskList: list, logger });
  await jobsSettled(pool);
}

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  await runOnce({ connectionString: testDatabaseUrl(), taskList, logger }); // installs the worker schema
  // The receiver verification snippet, exactly as docs/webhooks.md shows it.
  const doc = await readFile(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
  const code = /```js verify-webhook\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(code, 'docs/webhooks.md has the verification snippet');
  snippetDir = await mkdtemp(join(tmpdir(), 'webhook-snippet-'));
  const file = join(snippetDir, 'verify.mjs');
  await writeFile(file, code);
  verify = (await import(pathToFileURL(file).href)).verifyTaskMasterWebhook;
});
after(async () => {
  defaultSendTaskOptions.breakers.clear();
  await pool.end();
  await rm(snippetDir, { recursive: true, force: true });
});

async function newUser(): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ('Hook', 'hook-' || gen_random_uuid() || '@example.test', true) returning id`,
  );
  return rows[0]!.id;
}

/** A team workspace with an owner, an admin and a member. */
async function team() {
  const [owner, admin, member] = [await newUser(), await newUser(), await newUser()];
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.workspaces (name, kind, created_by) values ('Hooks', 'team', $1) returning id`,
    [owner],
  );
  const ws = rows[0]!.id;
  await pool.query(
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'admin'), ($1, $4, 'member')`,
    [ws, owner, admin, member],
  );
  return { ws, owner, admin, member };
}

/**
 * An endpoint inserted directly (as the database owner): the URLs of these tests point at
 * 127.0.0.1, which the registration RPC refuses outside development.
 */
async function endpoint(ws: string, url: string, types = ['task.*']): Promise<{ id: string; secret: string }> {
  const { rows } = await pool.query<{ id: string; secret: string }>(
    `with e as (insert into public.webhook_endpoints (workspace_id, url, event_types) values ($1, $2, $3) returning workspace_id, id)
     insert into private.webhook_endpoint_secrets (workspace_id, endpoint_id, secret)
     select workspace_id, id, private.new_webhook_secret() from e returning endpoint_id as id, secret`,
    [ws, url, types],
  );
  return rows[0]!;
}

async function newTask(ws: string, title = 'hooked'): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.tasks (workspace_id, title) values ($1, $2) returning id`,
    [ws, title],
  );
  return rows[0]!.id;
}

type DeliveryRow = {
  id: string;
  event_id: string;
  status: string;
  attempt: number;
  response_status: number | null;
  latency_ms: number | null;
  response_snippet: string | null;
  last_error: string | null;
  last_attempted_at: Date | null;
  next_attempt_at: Date | null;
};

async function deliveries(endpointId: string): Promise<DeliveryRow[]> {
  const { rows } = await pool.query<DeliveryRow>(
    `select id, event_id, status, attempt, response_status, latency_ms, response_snippet, last_error,
            last_attempted_at, next_attempt_at
     from public.webhook_deliveries where endpoint_id = $1 order by created_at`,
    [endpointId],
  );
  return rows;
}

type JobRow = { id: string; attempts: number; max_attempts: number; last_error: string | null; run_at: Date };

async function sendJobs(deliveryId: string): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `select j.id, j.attempts, j.max_attempts, j.last_error, j.run_at from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'webhook_deliveries__send' and j.payload->>'delivery_id' = $1`,
    [deliveryId],
  );
  return rows;
}

/** "Time passes": the delivery's job becomes due now. */
async function makeDue(deliveryId: string) {
  await pool.query(
    `update graphile_worker._private_jobs set run_at = now()
     where payload->>'delivery_id' = $1 and locked_at is null`,
    [deliveryId],
  );
}

test('a local receiver gets a signed delivery that the documented snippet verifies', async () => {
  const receiver = await startReceiver();
  try {
    const { ws } = await team();
    const hook = await endpoint(ws, receiver.url);
    const other = await endpoint(ws, receiver.url.replace('/hook', '/projects-only'), ['project.created']);
    const taskId = await newTask(ws);
    await work();

    assert.equal(receiver.received.length, 1, 'one request: the project-only endpoint is not subscribed');
    const [request] = receiver.received;
    const signature = request!.headers['taskmaster-signature'] as string;
    assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    const event = verify(request!.body, signature, hook.secret);
    const { rows } = await pool.query<{ id: string; occurred_at: Date }>(
      `select id, occurred_at from events.log where workspace_id = $1 and type = 'task.created'`,
      [ws],
    );
    assert.deepEqual(event, {
      id: rows[0]!.id,
      type: 'task.created',
      created: Math.floor(rows[0]!.occurred_at.getTime() / 1000),
      workspace_id: ws,
      data: { object: { type: 'task', id: taskId } },
    });
    assert.equal(request!.headers['taskmaster-event-id'], rows[0]!.id);
    assert.throws(
      () => verify(request!.body.replace('task.created', 'task.deleted'), signature, hook.secret),
      /mismatch/,
    );
    assert.throws(() => verify(request!.body, signature, other.secret), /mismatch/, 'another endpoint’s secret');
    assert.throws(() => verify(request!.body, signature, hook.secret, -1), /tolerance/, 'a stale timestamp');

    const [delivery] = await deliveries(hook.id);
    assert.equal(delivery!.status, 'succeeded');
    assert.equal(delivery!.attempt, 1);
    assert.equal(delivery!.response_status, 200);
    assert.equal(delivery!.response_snippet, 'ok');
    assert.ok(delivery!.latency_ms !== null && delivery!.latency_ms >= 0);
    assert.deepEqual(await sendJobs(delivery!.id), [], 'the job is done');
    assert.deepEqual(await deliveries(other.id), []);

    // A stray second run of the send job (a retry after a lost acknowledgement) sends nothing more.
    await pool.query(`select graphile_worker.add_job('webhook_deliveries__send', $1::json)`, [
      JSON.stringify({ workspace_id: ws, delivery_id: delivery!.id }),
    ]);
    await work();
    assert.equal(receiver.received.length, 1, 'a succeeded delivery is not sent again');
    assert.equal((await deliveries(hook.id))[0]!.attempt, 1);
  } finally {
    await receiver.close();
  }
});

test('after a rotation, deliveries carry both signatures until the previous secret expires', async () => {
  const receiver = await startReceiver();
  try {
    const { ws, admin } = await team();
    const hook = await endpoint(ws, receiver.url);
    /** rotate_webhook_secret as the admin, committed. */
    const rotate = async (keepHours?: number) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: admin, role: 'authenticated' }),
        ]);
        await client.query('set local role authenticated');
        const { rows } = await client.query<{ secret: string }>(
          keepHours === undefined
            ? `select public.rotate_webhook_secret($1) as secret`
            : `select public.rotate_webhook_secret($1, $2) as secret`,
          keepHours === undefined ? [hook.id] : [hook.id, keepHours],
        );
        await client.query('commit');
        return rows[0]!.secret;
      } finally {
        client.release();
      }
    };
    const deliver = async () => {
      await newTask(ws);
      await work();
      const request = receiver.received.at(-1)!;
      return { body: request.body, header: request.headers['taskmaster-signature'] as string };
    };

    const rotated = await rotate();
    const overlap = await deliver();
    assert.equal(overlap.header.match(/v1=/g)?.length, 2, 'two signatures during the overlap');
    assert.ok(verify(overlap.body, overlap.header, rotated), 'the new secret verifies');
    assert.ok(verify(overlap.body, overlap.header, hook.secret), 'the previous secret still verifies');

    // Time passes beyond the overlap.
    await pool.query(
      `update private.webhook_endpoint_secrets set previous_expires_at = now() - interval '1 second' where endpoint_id = $1`,
      [hook.id],
    );
    const later = await deliver();
    assert.equal(later.header.match(/v1=/g)?.length, 1);
    assert.ok(verify(later.body, later.header, rotated));
    assert.throws(() => verify(later.body, later.header, hook.secret), /mismatch/);

    // keep_previous_hours 0 (a leaked secret): the old one stops at once.
    const fresh = await rotate(0);
    const now = await deliver();
    assert.equal(now.header.match(/v1=/g)?.length, 1);
    assert.ok(verify(now.body, now.header, fresh));
    assert.throws(() => verify(now.body, now.header, rotated), /mismatch/);
    assert.equal(receiver.received.length, 3);
  } finally {
    await receiver.close();
  }
});

test('running the fan-out twice creates one delivery and one send job', async () => {
  const { ws } = await team();
  const hook = await endpoint(ws, 'https://receiver.example.test/hook');
  await newTask(ws);
  const { rows } = await pool.query<{ payload: unknown }>(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     join events.log e on e.id = (j.payload->>'event_id')::uuid
     where t.identifier = 'events__webhooks' and j.payload->>'workspace_id' = $1 and e.type = 'task.created'`,
    [ws],
  );
  assert.equal(rows.length, 1);
  // A second copy of the same job, as a retry after a lost acknowledgement would run it.
  await pool.query(`select graphile_worker.add_job('events__webhooks', $1::json)`, [JSON.stringify(rows[0]!.payload)]);
  // Only the fan-out runs here: the send jobs stay queued to be counted.
  await work({ events__webhooks: taskList.events__webhooks! });
  await work({ events__webhooks: taskList.events__webhooks! });
  const found = await deliveries(hook.id);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.status, 'pending');
  assert.equal((await sendJobs(found[0]!.id)).length, 1);
  await pool.query(`delete from graphile_worker._private_jobs where payload->>'delivery_id' = $1`, [found[0]!.id]);
});

test('failed attempts follow the schedule; the last one leaves a dead letter, disables the endpoint, and a replay succeeds', async () => {
  const receiver = await startReceiver();
  receiver.status = 500;
  receiver.responseBody = `${'é'.repeat(400)}${'x'.repeat(2000)}`; // > 1 KB, multi-byte
  try {
    const { ws, owner, admin } = await team();
    const hook = await endpoint(ws, `${receiver.url}?token=receiver-secret`);
    await newTask(ws);
    const list = tasks();
    await work(list);
    const [delivery] = await deliveries(hook.id);
    assert.ok(delivery);

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 1) {
        await makeDue(delivery.id);
        await work(list);
      }
      assert.equal(receiver.received.length, attempt, `attempt ${attempt} reached the receiver`);
      const [row] = await deliveries(hook.id);
      const [job] = await sendJobs(delivery.id);
      assert.equal(row!.attempt, attempt);
      assert.equal(row!.response_status, 500);
      assert.ok(Buffer.byteLength(row!.response_snippet!) <= 1024, 'snippet at most 1 KB');
      assert.ok(row!.response_snippet!.startsWith('éé'));
      assert.equal(job!.attempts, attempt);
      assert.equal(job!.max_attempts, MAX_ATTEMPTS);
      if (attempt < MAX_ATTEMPTS) {
        assert.equal(row!.status, 'retrying');
        const wanted = row!.last_attempted_at!.getTime() + nominalDelayMs(attempt);
        assert.ok(
          Math.abs(job!.run_at.getTime() - wanted) < 5,
          `attempt ${attempt}: next run ${job!.run_at.toISOString()} = last attempt + ${nominalDelayMs(attempt) / 60000} min`,
        );
        assert.equal(row!.next_attempt_at!.getTime(), job!.run_at.getTime());
        assert.match(job!.last_error!, new RegExp(`attempt ${attempt} of ${MAX_ATTEMPTS} failed \\(HTTP 500\\)`));
      }
    }
    const [dead] = await sendJobs(delivery.id);
    assert.equal(dead!.attempts, dead!.max_attempts, 'a dead letter: attempts used up');
    assert.match(dead!.last_error!, /no attempts left/);
    const [failed] = await deliveries(hook.id);
    assert.equal(failed!.status, 'failed');
    assert.equal(failed!.next_attempt_at, null);

    // Failing for the whole schedule disabled the endpoint and told the owner (not the admin).
    const { rows: ep } = await pool.query<{ enabled: boolean; disabled_reason: string; disabled_at: Date | null }>(
      `select enabled, disabled_reason, disabled_at from public.webhook_endpoints where id = $1`,
      [hook.id],
    );
    assert.equal(ep[0]!.enabled, false);
    assert.ok(ep[0]!.disabled_at);
    assert.match(ep[0]!.disabled_reason, /failed since/);
    const { rows: notes } = await pool.query<{ user_id: string; url: string; body: string }>(
      `select user_id, url, body from account.notifications where kind = 'webhook_disabled' and subject_id = $1`,
      [hook.id],
    );
    assert.deepEqual(
      notes.map(({ user_id, url }) => ({ user_id, url })),
      [{ user_id: owner, url: '/app/settings/webhooks' }],
    );
    assert.match(notes[0]!.body, /Deliveries to http:\/\/127\.0\.0\.1:\d+\/hook failed continuously/);
    assert.ok(!notes[0]!.body.includes('receiver-secret'), 'the query string (a possible token) is left out');
    assert.notEqual(owner, admin);

    // A dead letter waits: running the worker does not touch it.
    await work(list);
    assert.equal(receiver.received.length, MAX_ATTEMPTS);

    // The receiver is fixed; the endpoint is enabled again; the dead letter is replayed.
    receiver.status = 204;
    receiver.responseBody = '';
    await pool.query(`update public.webhook_endpoints set enabled = true where id = $1`, [hook.id]);
    await pool.query(`select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => now(), attempts => 0)`, [
      dead!.id,
    ]);
    await work(list);
    assert.equal(receiver.received.length, MAX_ATTEMPTS + 1);
    const [ok] = await deliveries(hook.id);
    assert.equal(ok!.status, 'succeeded');
    assert.equal(ok!.response_status, 204);
    assert.deepEqual(await sendJobs(delivery.id), [], 'the replayed job completed');
    const { rows: cleared } = await pool.query<{ failing_since: Date | null }>(
      `select failing_since from public.webhook_endpoints where id = $1`,
      [hook.id],
    );
    assert.equal(cleared[0]!.failing_since, null, 'a success ends the failing streak');
  } finally {
    await receiver.close();
  }
});

test('a delivery that runs out of attempts does not disable an endpoint that succeeded meanwhile', async () => {
  const receiver = await startReceiver();
  receiver.status = 500;
  try {
    const { ws } = await team();
    const hook = await endpoint(ws, receiver.url);
    await newTask(ws);
    const list = tasks();
    await work(list);
    const [delivery] = await deliveries(hook.id);
    // Meanwhile another delivery to the endpoint succeeded (what the send task does then),
    // and this one reached its last attempt.
    await pool.query(`update public.webhook_endpoints set failing_since = null where id = $1`, [hook.id]);
    await pool.query(
      `update graphile_worker._private_jobs set attempts = max_attempts - 1, run_at = now()
       where payload->>'delivery_id' = $1`,
      [delivery!.id],
    );
    await work(list);
    const [job] = await sendJobs(delivery!.id);
    assert.equal(job!.attempts, job!.max_attempts, 'a dead letter');
    assert.equal((await deliveries(hook.id))[0]!.status, 'failed');
    const { rows } = await pool.query<{ enabled: boolean; failing_since: Date | null }>(
      `select enabled, failing_since from public.webhook_endpoints where id = $1`,
      [hook.id],
    );
    assert.equal(rows[0]!.enabled, true, 'not failing for the whole window: still enabled');
    assert.ok(rows[0]!.failing_since, 'but its new failing streak is recorded');
    await pool.query(`delete from graphile_worker._private_jobs where id = $1`, [job!.id]);
  } finally {
    await receiver.close();
  }
});

test('an open circuit breaker makes deliveries wait without using attempts', async () => {
  const receiver = await startReceiver();
  receiver.status = 503;
  try {
    const { ws } = await team();
    const hook = await endpoint(ws, receiver.url);
    const breakers = new EndpointBreakers({ volumeThreshold: 2, resetTimeout: 60_000 });
    const list = tasks({}, breakers);
    await newTask(ws, 'one');
    await newTask(ws, 'two');
    await newTask(ws, 'three');
    await work(list);
    assert.equal(receiver.received.length, 2, 'two failures opened the breaker; the third did not go out');
    const rows = await deliveries(hook.id);
    const waiting = rows.find((d) => d.attempt === 0)!;
    assert.ok(waiting, 'one delivery has made no attempt');
    const [job] = await sendJobs(waiting.id);
    assert.equal(job!.attempts, 0, 'waiting used no attempt');
    assert.match(job!.last_error!, /circuit breaker open/);
    const waitMs = job!.run_at.getTime() - Date.now();
    assert.ok(waitMs > 30_000 && waitMs <= 61_000, `it waits for the breaker to half-open (${waitMs} ms)`);
    breakers.clear();
    await pool.query(`delete from graphile_worker._private_jobs where payload->>'delivery_id' = any($1)`, [
      rows.map((d) => d.id),
    ]);
  } finally {
    await receiver.close();
  }
});

test('the per-endpoint rate limit makes deliveries wait without using attempts', async () => {
  const receiver = await startReceiver();
  try {
    const { ws } = await team();
    const hook = await endpoint(ws, receiver.url);
    const list = tasks({ rateLimit: { limit: 1, windowSeconds: 3600 } });
    await newTask(ws, 'one');
    await newTask(ws, 'two');
    await work(list);
    assert.equal(receiver.received.length, 1, 'one request per hour allowed');
    const rows = await deliveries(hook.id);
    const waiting = rows.find((d) => d.status === 'pending')!;
    const [job] = await sendJobs(waiting.id);
    assert.equal(job!.attempts, 0);
    assert.match(job!.last_error!, /rate limit/);
    assert.ok(job!.run_at.getTime() - Date.now() > 3_000_000, 'it waits for the bucket (about an hour)');
    await pool.query(`delete from graphile_worker._private_jobs where payload->>'delivery_id' = $1`, [waiting.id]);
  } finally {
    await receiver.close();
  }
});

test('outside development, the worker refuses private targets, also after DNS resolution (rebinding)', async () => {
  const receiver = await startReceiver();
  try {
    const { ws } = await team();
    const port = new URL(receiver.url).port;
    // Registered while the name pointed elsewhere; it now resolves to loopback.
    const rebound = await endpoint(ws, `https://rebind.example.test:${port}/hook`);
    const literal = await endpoint(ws, 'https://10.0.0.5/hook');
    const plain = await endpoint(ws, receiver.url);
    const resolve: Resolver = async (host) => {
      assert.equal(host, 'rebind.example.test');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    await newTask(ws);
    await work(tasks({ allowInsecure: () => false, resolve }));
    assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
    const errors = Object.fromEntries(
      await Promise.all(
        [rebound, literal, plain].map(async (e) => [e.id, (await deliveries(e.id))[0]!.last_error] as const),
      ),
    );
    assert.match(errors[rebound.id]!, /refused: rebind\.example\.test resolves to 127\.0\.0\.1 \(loopback\)/);
    assert.match(errors[literal.id]!, /refused: 10\.0\.0\.5 resolves to 10\.0\.0\.5 \(private\)/);
    assert.match(errors[plain.id]!, /refused: webhook URLs must use https/);
    await pool.query(
      `delete from graphile_worker._private_jobs where payload->>'delivery_id' in (select id::text from public.webhook_deliveries where workspace_id = $1)`,
      [ws],
    );
  } finally {
    await receiver.close();
  }
});

/** Runs fn as `user` through RLS, the way the APIs do; rolled back. */
async function asUser<T>(user: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: user, role: 'authenticated' }),
    ]);
    await client.query('set local role authenticated');
    return await fn(client);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

/** The SQLSTATE and message a statement fails with (inside a savepoint, so the transaction goes on). */
async function sqlState(
  client: pg.PoolClient,
  sql: string,
  params: unknown[] = [],
): Promise<{ code: string; message: string }> {
  await client.query('savepoint attempt');
  try {
    await client.query(sql, params);
  } catch (error) {
    await client.query('rollback to savepoint attempt');
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  await client.query('release savepoint attempt');
  return { code: 'none', message: '' };
}

test('registration refuses http and private, loopback and link-local targets outside development', async () => {
  const { ws, admin } = await team();
  const refused: [string, RegExp][] = [
    ['http://example.com/hook', /must use https/],
    ['https://127.0.0.1/hook', /127\.0\.0\.1 is private, loopback or reserved/],
    ['https://10.1.2.3/hook', /10\.1\.2\.3 is private/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is private/],
    ['https://[::1]:8443/hook', /::1 is private/],
    ['https://[::ffff:127.0.0.1]/hook', /127\.0\.0\.1 is private/],
    ['https://[fe80::1]/hook', /fe80::1 is private/],
    ['https://localhost/hook', /public host, not localhost/],
    ['https://api.localhost/hook', /public host/],
    ['https://2130706433/hook', /four decimal numbers/],
    ['https://0x7f.0.0.1/hook', /four decimal numbers/],
    ['https://user:pw@example.com/hook', /no spaces, user names/],
    ['ftp://example.com/hook', /Enter a full URL/],
  ];
  for (const [url, message] of refused) {
    const error = await asUser(admin, (c) =>
      sqlState(c, `select public.create_webhook_endpoint($1, $2, '{task.*}')`, [ws, url]),
    );
    assert.equal(error.code, '22023', url);
    assert.match(error.message, message, url);
  }
  const unknownType = await asUser(admin, (c) =>
    sqlState(c, `select public.create_webhook_endpoint($1, 'https://example.com/h', '{billing.paid}')`, [ws]),
  );
  assert.match(unknownType.message, /Unknown event type billing\.paid/);

  const created = await asUser(admin, async (c) => {
    const { rows } = await c.query<{ id: string; url: string; event_types: string[]; secret: string }>(
      `select * from public.create_webhook_endpoint($1, ' https://hooks.example.com/tm?x=1 ', '{task.completed,task.*,task.completed}', 'CRM')`,
      [ws],
    );
    return rows[0]!;
  });
  assert.equal(created.url, 'https://hooks.example.com/tm?x=1');
  assert.deepEqual(created.event_types, ['task.*', 'task.completed']);
  assert.match(created.secret, /^whsec_[A-Za-z0-9_-]{40,}$/);
});

test('only owners and admins see and manage endpoints and deliveries; nobody reads a secret through the APIs', async () => {
  const { ws, owner, admin, member } = await team();
  const hook = await endpoint(ws, 'https://receiver.example.test/hook');
  await newTask(ws);
  await work({ events__webhooks: taskList.events__webhooks! });
  const [delivery] = await deliveries(hook.id);
  assert.ok(delivery);

  for (const user of [owner, admin]) {
    await asUser(user, async (c) => {
      assert.equal(
        (await c.query(`select id from public.webhook_endpoints where workspace_id = $1`, [ws])).rowCount,
        1,
      );
      assert.equal(
        (await c.query(`select id from public.webhook_deliveries where workspace_id = $1`, [ws])).rowCount,
        1,
      );
      const { rows } = await c.query<{ secret: string }>(`select public.rotate_webhook_secret($1) as secret`, [
        hook.id,
      ]);
      assert.notEqual(rows[0]!.secret, hook.secret);
      const redelivered = await c.query<{ status: string }>(`select status from public.redeliver_webhook($1)`, [
        delivery.id,
      ]);
      assert.equal(redelivered.rows[0]!.status, 'pending');
      const secret = await sqlState(c, `select secret from private.webhook_endpoint_secrets`);
      assert.equal(secret.code, '42501', 'the secrets table is out of reach');
    });
  }
  await asUser(member, async (c) => {
    assert.equal((await c.query(`select id from public.webhook_endpoints where workspace_id = $1`, [ws])).rowCount, 0);
    assert.equal((await c.query(`select id from public.webhook_deliveries where workspace_id = $1`, [ws])).rowCount, 0);
    assert.equal((await sqlState(c, `select public.rotate_webhook_secret($1)`, [hook.id])).code, 'PT404');
    assert.equal((await sqlState(c, `select public.redeliver_webhook($1)`, [delivery.id])).code, 'PT404');
    const create = await sqlState(c, `select public.create_webhook_endpoint($1, 'https://example.com/h', '{task.*}')`, [
      ws,
    ]);
    assert.equal(create.code, '42501');
    assert.match(create.message, /owners and admins/);
    const deleted = await c.query(`delete from public.webhook_endpoints where id = $1`, [hook.id]);
    assert.equal(deleted.rowCount, 0);
    assert.equal((await sqlState(c, `select secret from private.webhook_endpoint_secrets`)).code, '42501');
  });
  await asUser(admin, async (c) => {
    const paused = await c.query<{ enabled: boolean; disabled_reason: string }>(
      `update public.webhook_endpoints set enabled = false where id = $1 returning enabled, disabled_reason`,
      [hook.id],
    );
    assert.deepEqual(paused.rows, [{ enabled: false, disabled_reason: 'Disabled by a workspace admin.' }]);
    const redeliver = await sqlState(c, `select public.redeliver_webhook($1)`, [delivery.id]);
    assert.match(redeliver.message, /enable it before redelivering/);
    const url = await sqlState(c, `update public.webhook_endpoints set url = 'https://evil.example' where id = $1`, [
      hook.id,
    ]);
    assert.equal(url.code, '42501', 'the URL cannot be changed (it was validated at registration)');
  });
  await pool.query(`delete from graphile_worker._private_jobs where payload->>'delivery_id' = $1`, [delivery.id]);
});

test('the nightly purge deletes finished deliveries past 30 days and keeps the rest', async () => {
  const { ws } = await team();
  const hook = await endpoint(ws, 'https://receiver.example.test/hook');
  // Back-dated rows: the timestamps trigger stamps created_at with now(), so it is skipped
  // for this one insert (session_replication_role, superuser only, this transaction only).
  const client = await pool.connect();
  let ids;
  try {
    await client.query('begin');
    await client.query(`set local session_replication_role = replica`);
    ids = await client.query(
      `insert into public.webhook_deliveries (workspace_id, endpoint_id, event_id, event_type, status, created_at)
       select $1, $2, gen_random_uuid(), 'task.created', s.status, now() - make_interval(days => s.age)
       from (values ('succeeded', 31), ('failed', 31), ('retrying', 31), ('succeeded', 29)) s(status, age)`,
      [ws, hook.id],
    );
    await client.query('commit');
  } finally {
    client.release();
  }
  assert.equal(ids.rowCount, 4);
  const key = `webhook-purge-${ws}`;
  for (let run = 0; run < 2; run += 1) {
    await pool.query(
      `select graphile_worker.add_job('webhook_deliveries__purge', '{"days":30}'::json, job_key => $1)`,
      [key],
    );
    await work({ webhook_deliveries__purge: taskList.webhook_deliveries__purge! });
    const left = await pool.query<{ status: string; age: number }>(
      `select status, extract(day from now() - created_at)::int as age from public.webhook_deliveries
       where endpoint_id = $1 order by status`,
      [hook.id],
    );
    assert.deepEqual(left.rows, [
      { status: 'retrying', age: 31 },
      { status: 'succeeded', age: 29 },
    ]);
  }
});
