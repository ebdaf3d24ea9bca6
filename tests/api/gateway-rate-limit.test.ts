// Rate limits per API key, user and client IP, enforced in Postgres: the RateLimit fields
// on every response, 429 + Retry-After once a bucket is empty, limits shared by two
// gateway processes, separate buckets per kind, failed credentials counted per IP, and
// fail-open when the limiter's database is unreachable.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { callerScope, createClientIp } from '../../gateway/src/api/caller-scope.ts';
import { asUser } from '../../lib/db/as-user.ts';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { echoEngine, newUser, parseLimitField, type TestUser } from './gateway-support.ts';

// The test gateways trust the loopback peer as a proxy, so each test gives itself a fresh
// client IP in X-Forwarded-For and starts with empty buckets, run after run.
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const engine = echoEngine();
const limits = { anon: 3, user: 4, apiKey: 5, windowSeconds: 60 };
let gw: TestGateway;
let gw2: TestGateway;
let user: TestUser;

before(async () => {
  const api = { rateLimits: limits, trustedProxies: ['127.0.0.1'] };
  gw = await startGateway({ api, engines: { rest: engine } });
  gw2 = await startGateway({ api, engines: { rest: engine } });
  user = await newUser(gw.url, 'ratelimit');
});
after(async () => {
  await gw.close();
  await gw2.close();
  await closeServices();
});

const get = (base: string, ip: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/rest/v1/tasks`, { headers: { 'x-forwarded-for': ip, ...headers } });

describe('RateLimit fields', () => {
  test('every response names the policy and the remaining quota, decreasing', async () => {
    const ip = randomIp();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(gw.url, ip);
      assert.equal(res.status, 200);
      assert.deepEqual(parseLimitField(res.headers.get('ratelimit-policy')), { name: 'anon', params: { q: 3, w: 60 } });
      const field = parseLimitField(res.headers.get('ratelimit'));
      assert.equal(field.name, 'anon');
      assert.ok(field.params.t !== undefined && field.params.t > 0 && field.params.t <= 60);
      seen.push(field.params.r as number);
    }
    assert.deepEqual(seen, [2, 1, 0]);
  });

  test('an empty bucket answers 429 with Retry-After in PostgREST error shape, without calling the engine', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) assert.equal((await get(gw.url, ip)).status, 200);
    const calls = engine.calls.length;
    const res = await get(gw.url, ip);
    assert.equal(res.status, 429);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(parseLimitField(res.headers.get('ratelimit')).params.r, 0);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
    assert.equal(body.code, 'TM429');
    assert.equal(engine.calls.length, calls, 'a refused request never reaches the engine');
  });

  test('concurrent requests of one bucket are counted exactly (coalesced takes)', async () => {
    const ip = randomIp();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => get(i % 2 ? gw.url : gw2.url, ip)));
    const ok = responses.filter((r) => r.status === 200);
    assert.equal(ok.length, 3, `statuses ${responses.map((r) => r.status).join(',')}`);
    assert.equal(responses.filter((r) => r.status === 429).length, 9);
    const remaining = ok.map((r) => parseLimitField(r.headers.get('ratelimit')).params.r).sort();
    assert.deepEqual(remaining, [0, 1, 2], 'each granted request reports its own remaining quota');
  });

  test('the limit holds across two gateway processes sharing the database', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const base = i % 2 === 0 ? gw.url : gw2.url;
      statuses.push((await get(base, randomIp(), user.auth)).status);
    }
    // user limit 4: four pass, whichever gateway they hit, then both refuse.
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
  });

  test('anonymous IP buckets and user buckets are separate', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) assert.equal((await get(gw.url, ip)).status, 200);
    assert.equal((await get(gw.url, ip)).status, 429, 'the IP is exhausted');
    const other = await newUser(gw.url, 'ratelimit-sep');
    const res = await get(gw.url, ip, other.auth);
    assert.equal(res.status, 200, 'a signed-in user on the same IP has their own bucket');
    assert.equal(parseLimitField(res.headers.get('ratelimit-policy')).name, 'user');
    assert.equal(parseLimitField(res.headers.get('ratelimit')).params.r, 3);
    assert.equal((await get(gw.url, randomIp())).status, 200, 'another IP has its own bucket');
  });

  test("an API key has its own bucket, separate from its creator's user bucket", async () => {
    const owner = await newUser(gw.url, 'ratelimit-key');
    const sub = decodeJwt(owner.token).sub as string;
    const { rows } = await superuserQuery<{ id: string }>(
      `select id from public.workspaces where created_by = $1 and kind = 'personal'`,
      [sub],
    );
    // Creating API keys needs a verified email (create_api_key, issue 6).
    await superuserQuery(`update identity.users set email_verified = true where id = $1`, [sub]);
    const key = await asUser(services().apiPool, { claims: { sub, role: 'authenticated' } }, async (c) => {
      const created = await c.query<{ key: string }>(`select key from public.create_api_key($1, 'limits', 'read')`, [
        rows[0]!.id,
      ]);
      return created.rows[0]!.key;
    });
    const ip = randomIp();
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await get(gw.url, ip, { apikey: key });
      if (res.status === 429) break;
      assert.equal(res.status, 200);
      assert.equal(parseLimitField(res.headers.get('ratelimit-policy')).name, 'api-key');
      seen.push(parseLimitField(res.headers.get('ratelimit')).params.r as number);
    }
    assert.deepEqual(seen, [4, 3, 2, 1, 0], 'api-key quota is 5');
    assert.equal((await get(gw.url, ip, { apikey: key })).status, 429);
    const asUserToo = await get(gw.url, ip, owner.auth);
    assert.equal(asUserToo.status, 200, 'the creator signed in as themselves is not limited by the key');
    assert.equal(parseLimitField(asUserToo.headers.get('ratelimit-policy')).name, 'user');
  });

  test('failed credentials count against the client IP', async () => {
    const ip = randomIp();
    const bogus = { authorization: 'Bearer not-a-jwt' };
    for (let i = 0; i < 3; i++) {
      const res = await get(gw.url, ip, bogus);
      assert.equal(res.status, 401);
      assert.equal(parseLimitField(res.headers.get('ratelimit-policy')).name, 'anon');
    }
    assert.equal((await get(gw.url, ip, bogus)).status, 429);
  });

  test('a limit of 0 turns the limiter off: no fields, no refusal', async () => {
    const off = await startGateway({
      api: { rateLimits: { anon: 0 }, trustedProxies: ['127.0.0.1'] },
      engines: { rest: engine },
    });
    try {
      const ip = randomIp();
      for (let i = 0; i < 5; i++) {
        const res = await get(off.url, ip);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('ratelimit'), null);
      }
    } finally {
      await off.close();
    }
  });

  test('when the limiter cannot reach the database the request proceeds (fail open)', async () => {
    const broken = new pg.Pool({ connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none', max: 1 });
    const dead = await startGateway({ api: { rateLimits: limits, statePool: broken }, engines: { rest: engine } });
    try {
      const res = await fetch(`${dead.url}/rest/v1/tasks`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit'), null, 'no fields when the limit is unknown');
    } finally {
      await dead.close();
      await broken.end();
    }
  });

  test('buckets live in private.rate_limits keyed by scope, never by credential', async () => {
    const { rows } = await superuserQuery<{ bucket: string }>(
      `select bucket from private.rate_limits where bucket !~ '^(t55|test):' limit 200`,
    );
    assert.ok(rows.length > 0);
    for (const { bucket } of rows) {
      // The ingest endpoints keep their own buckets under a prefix (gateway/src/ingest/).
      assert.match(bucket, /^((bug-reports|telemetry):)?((user|key):[0-9a-f-]{36}|ip:[0-9a-f.:]+)$/);
    }
  });
});

describe('through the real REST engine', () => {
  test('a refused read and a refused write answer 429, and the refused write changes nothing', async () => {
    // Reads ask the limiter while the engine opens its transaction, writes before it: both
    // end in the same 429, and no row is written past the quota.
    const real = await startGateway({ api: { rateLimits: { ...limits, user: 3 }, trustedProxies: ['127.0.0.1'] } });
    try {
      const me = await newUser(real.url, 'ratelimit-real');
      const headers = { ...me.auth, 'content-type': 'application/json', prefer: 'return=minimal' };
      const workspaces = await fetch(`${real.url}/rest/v1/workspaces?select=id`, { headers: me.auth });
      assert.equal(workspaces.status, 200);
      const id = ((await workspaces.json()) as { id: string }[])[0]!.id;
      const post = () =>
        fetch(`${real.url}/rest/v1/tasks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ workspace_id: id, title: 'limited' }),
        });
      assert.equal((await post()).status, 201);
      assert.equal((await post()).status, 201);
      const refusedWrite = await post();
      assert.equal(refusedWrite.status, 429);
      assert.equal(((await refusedWrite.json()) as { code: string }).code, 'TM429');
      const refusedRead = await fetch(`${real.url}/rest/v1/tasks?select=id`, { headers: me.auth });
      assert.equal(refusedRead.status, 429);
      assert.ok(Number(refusedRead.headers.get('retry-after')) >= 1);
      const { rows } = await superuserQuery(`select 1 from public.tasks where workspace_id = $1`, [id]);
      assert.equal(rows.length, 2, 'only the admitted writes happened');
    } finally {
      await real.close();
    }
  });
});

describe('caller scope and client IP', () => {
  const req = (remoteAddress: string, xff?: string) =>
    ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

  test('API key, then user, then anonymous IP', () => {
    const claims = { role: 'authenticated' as const, sub: '00000000-0000-4000-8000-000000000001' };
    assert.deepEqual(callerScope({ claims, via: 'api_key', apiKeyId: 'k1' }, '1.2.3.4'), {
      kind: 'api-key',
      id: 'key:k1',
    });
    assert.deepEqual(callerScope({ claims, via: 'jwt' }, '1.2.3.4'), { kind: 'user', id: `user:${claims.sub}` });
    assert.deepEqual(callerScope({ claims: { role: 'anon' }, via: 'anon' }, '1.2.3.4'), {
      kind: 'anon',
      id: 'ip:1.2.3.4',
    });
  });

  test('X-Forwarded-For is ignored unless the peer is a trusted proxy', () => {
    const none = createClientIp([]);
    assert.equal(none(req('203.0.113.9', '198.51.100.1')), '203.0.113.9');
    assert.equal(none(req('::ffff:203.0.113.9')), '203.0.113.9');
    const trusted = createClientIp(['10.0.0.0/8', '192.0.2.1']);
    assert.equal(trusted(req('203.0.113.9', '198.51.100.1')), '203.0.113.9', 'untrusted peer: header ignored');
    assert.equal(trusted(req('10.1.2.3', '198.51.100.1')), '198.51.100.1');
    // A client-supplied left part cannot win: the right-most untrusted hop is the client.
    assert.equal(trusted(req('10.1.2.3', '6.6.6.6, 198.51.100.1, 192.0.2.1')), '198.51.100.1');
    assert.equal(trusted(req('10.1.2.3', 'garbage')), '10.1.2.3');
  });
});
