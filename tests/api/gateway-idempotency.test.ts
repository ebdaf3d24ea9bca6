// Idempotency-Key with Stripe's semantics, through the gateway pipeline: replay of the
// stored response (even an error), 422 for a different request, 409 while the first is
// in flight, no storage of 5xx, expiry after 24 hours, scoping per caller, fail-closed.
// A controllable engine makes the in-flight case deterministic (it waits on a promise);
// the write-once guarantee is proven against the real REST engine and the tasks table.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { json, type ApiContext, type ApiHandler } from '../../gateway/src/api/types.ts';
import { closeServices } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { gate, newUser, until, type TestUser } from './gateway-support.ts';

// One gateway whose engine each test swaps; a second gateway runs the real REST engine.
let engine: ApiHandler = async () => json(200, {});
const calls: ApiContext[] = [];
const dispatch: ApiHandler = async (ctx) => {
  calls.push(ctx);
  return engine(ctx);
};
let gw: TestGateway;
let real: TestGateway;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  const api = { rateLimits: { anon: 0, user: 0, apiKey: 0 } };
  gw = await startGateway({ api, engines: { rest: dispatch } });
  real = await startGateway({ api });
  alice = await newUser(gw.url, 'idem-alice');
  bob = await newUser(gw.url, 'idem-bob');
});
after(async () => {
  await gw.close();
  await real.close();
  await closeServices();
});

function post(
  user: TestUser,
  key: string | undefined,
  body: unknown,
  { base = gw.url, path = '/rest/v1/tasks', method = 'POST', headers = {} as Record<string, string> } = {},
) {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      ...user.auth,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const created: ApiHandler = async (ctx) =>
  json(201, { echo: JSON.parse(ctx.body?.toString() || 'null'), n: calls.length }, { location: '/tasks?id=eq.1' });

describe('Idempotency-Key (controllable engine)', () => {
  test('the same key and request replays the stored status, headers and body without running again', async () => {
    engine = created;
    const key = randomUUID();
    const first = await post(alice, key, { title: 'a' });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const firstBody = await first.text();
    const before = calls.length;
    const again = await post(alice, key, { title: 'a' });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), '/tasks?id=eq.1');
    assert.equal(again.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await again.text(), firstBody);
    assert.equal(calls.length, before, 'the engine did not run for the replay');
  });

  test('an error response is stored and replayed too', async () => {
    engine = async () => json(400, { code: 'PGRST100', message: 'bad', details: null, hint: null });
    const key = randomUUID();
    assert.equal((await post(alice, key, { x: 1 })).status, 400);
    engine = created; // even if the engine would now succeed, the stored error is the answer
    const again = await post(alice, key, { x: 1 });
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await again.json()) as { code: string }).code, 'PGRST100');
  });

  test('a 5xx is not stored: the key is released and a retry runs', async () => {
    engine = async () => json(503, { code: 'TM503', message: 'down', details: null, hint: null });
    const key = randomUUID();
    assert.equal((await post(alice, key, { y: 1 })).status, 503);
    engine = created;
    const retry = await post(alice, key, { y: 1 });
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), null);
  });

  test('an engine that throws is a 500, not stored', async () => {
    engine = async () => {
      throw new Error('boom');
    };
    const key = randomUUID();
    assert.equal((await post(alice, key, { z: 1 })).status, 500);
    engine = created;
    assert.equal((await post(alice, key, { z: 1 })).status, 201);
  });

  test('the same key with a different body, query or Prefer is refused with 422', async () => {
    engine = created;
    const key = randomUUID();
    assert.equal((await post(alice, key, { title: 'one' })).status, 201);
    const n = calls.length;
    const differentBody = await post(alice, key, { title: 'two' });
    assert.equal(differentBody.status, 422);
    const body = (await differentBody.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
    assert.equal(body.code, 'TM422');
    assert.equal((await post(alice, key, { title: 'one' }, { path: '/rest/v1/tasks?select=id' })).status, 422);
    assert.equal((await post(alice, key, { title: 'one' }, { headers: { prefer: 'return=minimal' } })).status, 422);
    assert.equal(calls.length, n, 'refused requests never reach the engine');
  });

  test('a request still in flight with the key gets 409; after it finishes the key replays', async () => {
    const held = gate();
    let entered = 0;
    engine = async (ctx) => {
      entered += 1;
      await held.promise;
      return created(ctx);
    };
    const key = randomUUID();
    const first = post(alice, key, { title: 'slow' });
    await until(() => entered === 1, 'the first request to reach the engine');
    const second = await post(alice, key, { title: 'slow' });
    assert.equal(second.status, 409);
    assert.equal(((await second.json()) as { code: string }).code, 'TM409');
    assert.ok(second.headers.get('retry-after'));
    held.open();
    assert.equal((await first).status, 201);
    const third = await post(alice, key, { title: 'slow' });
    assert.equal(third.status, 201);
    assert.equal(third.headers.get('idempotent-replayed'), 'true');
    assert.equal(entered, 1, 'the engine ran once');
  });

  test('keys are scoped per caller and per path', async () => {
    engine = created;
    const key = randomUUID();
    assert.equal((await post(alice, key, { t: 1 })).headers.get('idempotent-replayed'), null);
    assert.equal((await post(bob, key, { t: 2 })).status, 201, 'another user may use the same key');
    const otherPath = await post(alice, key, { t: 3 }, { path: '/rest/v1/projects' });
    assert.equal(otherPath.status, 201);
    assert.equal(otherPath.headers.get('idempotent-replayed'), null);
  });

  test('a key expires after 24 hours: the request then runs again', async () => {
    engine = created;
    const key = randomUUID();
    await post(alice, key, { e: 1 });
    const n = calls.length;
    await superuserQuery(
      `update private.idempotency_keys set created_at = now() - interval '24 hours 1 second' where idempotency_key = $1`,
      [key],
    );
    const again = await post(alice, key, { e: 2 });
    assert.equal(again.status, 201, 'an expired key does not refuse a different body');
    assert.equal(again.headers.get('idempotent-replayed'), null);
    assert.equal(calls.length, n + 1);
  });

  test('a malformed key is refused with 400 before anything runs', async () => {
    engine = created;
    const n = calls.length;
    for (const bad of ['x'.repeat(256), 'has space', 'tab\there', 'caf\u00e9']) {
      const res = await post(alice, bad, {});
      assert.equal(res.status, 400, bad);
      assert.equal(((await res.json()) as { code: string }).code, 'TM400');
    }
    assert.equal(calls.length, n);
  });

  test('GET ignores Idempotency-Key; PATCH and DELETE honour it', async () => {
    engine = async (ctx) => json(200, { method: ctx.method, n: calls.length });
    const key = randomUUID();
    const n = calls.length;
    await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...alice.auth, 'idempotency-key': key } });
    await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...alice.auth, 'idempotency-key': key } });
    assert.equal(calls.length, n + 2);
    for (const method of ['PATCH', 'DELETE']) {
      const k = randomUUID();
      await post(alice, k, { p: 1 }, { method, path: '/rest/v1/tasks?id=eq.1' });
      const again = await post(alice, k, { p: 1 }, { method, path: '/rest/v1/tasks?id=eq.1' });
      assert.equal(again.headers.get('idempotent-replayed'), 'true', method);
    }
  });

  test('when the key store is unreachable the request is refused (503) and not performed', async () => {
    const broken = new pg.Pool({ connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none', max: 1 });
    const dead = await startGateway({ api: { statePool: broken }, engines: { rest: dispatch } });
    try {
      engine = created;
      const n = calls.length;
      const res = await post(alice, randomUUID(), { f: 1 }, { base: dead.url });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, 'TM503');
      assert.equal(calls.length, n);
    } finally {
      await dead.close();
      await broken.end();
    }
  });
});

describe('Idempotency-Key (real REST engine)', () => {
  async function workspaceOf(user: TestUser): Promise<string> {
    const { rows } = await superuserQuery<{ id: string }>(
      `select w.id from public.workspaces w join identity.users u on u.id = w.created_by
       where u.email = $1 and w.kind = 'personal'`,
      [user.email],
    );
    return rows[0]!.id;
  }
  const countTasks = async (workspace: string, title: string) =>
    (
      await superuserQuery<{ n: number }>(
        `select count(*)::int as n from public.tasks where workspace_id = $1 and title = $2`,
        [workspace, title],
      )
    ).rows[0]!.n;

  test('a repeated POST /rest/v1/tasks with one key creates exactly one task', async () => {
    const ws = await workspaceOf(alice);
    const title = `idempotent ${randomUUID()}`;
    const key = randomUUID();
    const headers = { prefer: 'return=representation' };
    const first = await post(alice, key, { workspace_id: ws, title }, { base: real.url, headers });
    assert.equal(first.status, 201, await first.clone().text());
    const again = await post(alice, key, { workspace_id: ws, title }, { base: real.url, headers });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), await first.json());
    assert.equal(await countTasks(ws, title), 1);
  });

  test('concurrent duplicates write once: one 201, the others 201-replayed or 409', async () => {
    const ws = await workspaceOf(bob);
    const title = `concurrent ${randomUUID()}`;
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post(bob, key, { workspace_id: ws, title }, { base: real.url })),
    );
    const fresh = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    assert.equal(fresh.length, 1, `statuses: ${responses.map((r) => r.status).join(',')}`);
    for (const r of responses) assert.ok(r.status === 201 || r.status === 409, String(r.status));
    assert.equal(await countTasks(ws, title), 1);
  });

  test('a refused write (RLS) is replayed as the same error and still writes nothing', async () => {
    const foreign = await workspaceOf(alice);
    const title = `foreign ${randomUUID()}`;
    const key = randomUUID();
    const first = await post(bob, key, { workspace_id: foreign, title }, { base: real.url });
    assert.ok(first.status >= 400 && first.status < 500, String(first.status));
    const again = await post(bob, key, { workspace_id: foreign, title }, { base: real.url });
    assert.equal(again.status, first.status);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), await first.json());
    assert.equal(await countTasks(foreign, title), 0);
  });
});
