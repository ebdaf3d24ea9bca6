// Backpressure through the real gateway and the worker's real measurement
// (private.record_queue_pressure with the worker's class map): with the critical queue over
// its limit, bulk REST writes answer 503 + Retry-After and write nothing while single-row
// writes go through; with events__analytics over its limit, the event spine sheds the
// analytics job (counted in events_shed_total, visible on /metrics). /metrics answers the
// local scraper only. Limits are lowered for the test and restored after.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { allowedToScrape } from '../../gateway/src/metrics.ts';
import { isBulk } from '../../gateway/src/api/load-shed.ts';
import { closeServices } from '../../lib/services.ts';
import { classMap } from '../../workers/src/queues.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

process.env.QUEUE_PRESSURE_CACHE_MS = '0';
process.env.API_BULK_ROWS = '5';

let gw: TestGateway;
let token: string;
let workspaceId: string;
const keys: string[] = [];

before(async () => {
  gw = await startGateway();
  const email = uniqueEmail('pressure');
  const res = await signUp(gw.url, email);
  assert.equal(res.status, 200);
  token = await accessToken(gw.url, cookiesFrom(res));
  const { rows } = await superuserQuery<{ id: string }>(
    `select w.id from public.workspaces w join identity.users u on w.created_by = u.id and w.kind = 'personal' where u.email = $1`,
    [email],
  );
  workspaceId = rows[0]!.id;
});
after(async () => {
  await superuserQuery(`update private.queue_classes set depth_limit = 5000 where name = 'critical'`);
  await superuserQuery(
    `update private.queue_pressure set depth_limit = 10000 where task_identifier = 'events__analytics'`,
  );
  await superuserQuery(`delete from graphile_worker._private_jobs where key = any ($1::text[])`, [keys]);
  await measure();
  await gw.close();
  await closeServices();
});

/** What the worker's supervisor does every few seconds. */
async function measure() {
  await superuserQuery(`select private.record_queue_pressure($1::jsonb)`, [JSON.stringify(classMap(taskList))]);
}

function rest(path: string, method: string, body?: unknown) {
  return fetch(`${gw.url}/rest/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, prefer: 'return=minimal' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const rows = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ workspace_id: workspaceId, title: `${tag} ${i}` }));

async function count(tag: string) {
  const { rows: r } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from public.tasks where workspace_id = $1 and title like $2`,
    [workspaceId, `${tag}%`],
  );
  return r[0]!.n;
}

test('bulk REST writes answer 503 with Retry-After while the critical queue is over its limit', async () => {
  // Not over: a bulk insert goes through.
  await measure();
  assert.equal((await rest('/tasks', 'POST', rows(6, 'calm'))).status, 201);

  // Critical jobs waiting (jobs__evaluate_alerts is a critical task), limit lowered below them.
  for (let i = 0; i < 3; i += 1) {
    const key = `pressure-${crypto.randomUUID()}`;
    keys.push(key);
    await superuserQuery(`select graphile_worker.add_job('jobs__evaluate_alerts', '{}'::json, job_key => $1)`, [key]);
  }
  await superuserQuery(`update private.queue_classes set depth_limit = 2 where name = 'critical'`);
  await measure();

  const bulk = await rest('/tasks', 'POST', rows(6, 'storm'));
  assert.equal(bulk.status, 503);
  assert.equal(bulk.headers.get('retry-after'), '30');
  const body = (await bulk.json()) as { code: string; message: string };
  assert.equal(body.code, 'TM503');
  assert.match(body.message, /bulk operations are paused/);
  assert.equal(await count('storm'), 0, 'nothing written');

  const patchAll = await rest(`/tasks?workspace_id=eq.${workspaceId}`, 'PATCH', { priority: 1 });
  assert.equal(patchAll.status, 503, 'PATCH without a primary-key filter is bulk');
  const deleteAll = await rest(`/tasks?title=like.calm*`, 'DELETE');
  assert.equal(deleteAll.status, 503, 'DELETE without a primary-key filter is bulk');
  assert.equal(await count('calm'), 6);

  // People's single-row edits still go through.
  assert.equal((await rest('/tasks', 'POST', rows(5, 'small'))).status, 201, 'up to API_BULK_ROWS rows is not bulk');
  const { rows: one } = await superuserQuery<{ id: string }>(
    `select id from public.tasks where workspace_id = $1 and title = 'small 0'`,
    [workspaceId],
  );
  assert.equal((await rest(`/tasks?id=eq.${one[0]!.id}`, 'PATCH', { priority: 1 })).status, 204);

  // Back under the limit: bulk works again.
  await superuserQuery(`update private.queue_classes set depth_limit = 5000 where name = 'critical'`);
  await measure();
  assert.equal((await rest('/tasks', 'POST', rows(6, 'after'))).status, 201);
});

test('non-critical event jobs are shed while their queue is over its limit, and counted', async () => {
  const metric = async () => {
    const res = await fetch(`${gw.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const m = /^taskmaster_events_shed_total (\d+)$/m.exec(await res.text());
    assert.ok(m, 'the shed counter is exposed');
    return Number(m[1]);
  };
  const shedBefore = await metric();
  // Two analytics jobs waiting (from these inserts), limit lowered below them.
  assert.equal((await rest('/tasks', 'POST', rows(2, 'backlog'))).status, 201);
  await superuserQuery(`update private.queue_pressure set depth_limit = 1 where task_identifier = 'events__analytics'`);
  await measure();

  const created = await fetch(`${gw.url}/rest/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, prefer: 'return=representation' },
    body: JSON.stringify({ workspace_id: workspaceId, title: 'while shedding' }),
  });
  assert.equal(created.status, 201, 'the write itself is never refused');
  const [task] = (await created.json()) as { id: string }[];
  const { rows: jobs } = await superuserQuery<{ task: string }>(
    `select t.identifier as task from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     join events.log e on e.id::text = j.payload->>'event_id'
     where e.workspace_id = $1 and e.subject_id = $2 order by 1`,
    [workspaceId, task!.id],
  );
  const consumers = jobs.map((j) => j.task);
  assert.ok(consumers.includes('events__notify'), 'critical consumers still get their jobs');
  assert.ok(!consumers.includes('events__analytics'), 'analytics is shed');
  assert.equal(await metric(), shedBefore + 1);
});

test('/metrics answers loopback scrapers, refuses proxied ones, and honours METRICS_TOKEN', async () => {
  const local = await fetch(`${gw.url}/metrics`);
  assert.equal(local.status, 200);
  const text = await local.text();
  for (const name of [
    'taskmaster_jobs_dead_letters',
    'taskmaster_jobs_ready',
    'taskmaster_jobs_oldest_ready_seconds',
    'taskmaster_queue_class_depth',
    'taskmaster_events_shed_total',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'));
  }
  assert.match(text, /^taskmaster_queue_class_depth\{class="critical"\} \d+$/m);
  const proxied = await fetch(`${gw.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(proxied.status, 403);
  assert.equal((await fetch(`${gw.url}/metrics`, { method: 'POST' })).status, 405);

  const fake = (remoteAddress: string, headers: Record<string, string> = {}) =>
    ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
  const secret = 'a-metrics-token-of-at-least-32-characters';
  assert.equal(allowedToScrape(fake('10.0.0.5', { authorization: `Bearer ${secret}` }), secret), true);
  assert.equal(allowedToScrape(fake('127.0.0.1'), secret), false, 'with a token set, loopback needs it too');
  assert.equal(allowedToScrape(fake('127.0.0.1', { authorization: 'Bearer wrong' }), secret), false);
  assert.equal(allowedToScrape(fake('::ffff:127.0.0.1'), undefined), true);
  assert.equal(allowedToScrape(fake('192.0.2.1'), undefined), false);
});

test('what counts as bulk', () => {
  const q = (s: string) => new URLSearchParams(s);
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));
  const req = (method: string, path: string, query = '', b?: unknown) => ({
    method,
    path,
    query: q(query),
    body: b === undefined ? undefined : body(b),
  });
  assert.equal(isBulk(req('POST', '/tasks', '', [{}, {}, {}]), 2), true);
  assert.equal(isBulk(req('POST', '/tasks', '', [{}, {}]), 2), false);
  assert.equal(isBulk(req('POST', '/tasks', '', { title: 'x' }), 2), false);
  assert.equal(isBulk(req('PATCH', '/tasks', 'id=eq.1'), 2), false);
  assert.equal(isBulk(req('PATCH', '/tasks', 'id=in.(1,2)'), 2), false);
  assert.equal(isBulk(req('PATCH', '/tasks', 'id=in.(1,2,3)'), 2), true);
  assert.equal(isBulk(req('DELETE', '/tasks', 'status=eq.completed'), 2), true);
  assert.equal(isBulk(req('GET', '/tasks'), 2), false);
  assert.equal(isBulk(req('POST', '/rpc/complete_task', '', { task_id: 'x' }), 2), false);
  assert.equal(
    isBulk({ method: 'POST', path: '/tasks', query: q(''), body: Buffer.from('[{"a":1},{"a":2},{"a":3}') }, 2),
    false,
    'a malformed body is left to the engine',
  );
});
