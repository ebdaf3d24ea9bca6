// CORS allow-list and request ids on data-API responses: preflight for allowed and
// disallowed origins, CORS headers on actual responses, no ACAO for strangers, the CSRF
// guard on cookie-authenticated writes, X-Request-Id echoed or minted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServices, services } from '../../lib/services.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { echoEngine, newUser, type TestUser } from './gateway-support.ts';

const ALLOWED = 'https://app.example.com';
const STRANGER = 'https://evil.example.net';
const engine = echoEngine();
let gw: TestGateway;
let user: TestUser;

before(async () => {
  gw = await startGateway({
    api: { corsOrigins: [ALLOWED], rateLimits: { anon: 0, user: 0, apiKey: 0 } },
    engines: { rest: engine, graphql: engine },
  });
  user = await newUser(gw.url, 'cors');
});
after(async () => {
  await gw.close();
  await closeServices();
});

const preflight = (origin: string, path = '/rest/v1/tasks') =>
  fetch(`${gw.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  });

describe('CORS', () => {
  test('a preflight from an allowed origin gets 204 with the policy, never reaching the engine', async () => {
    const n = engine.calls.length;
    const res = await preflight(ALLOWED);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const methods = res.headers.get('access-control-allow-methods') ?? '';
    for (const m of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) assert.match(methods, new RegExp(`\\b${m}\\b`));
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(', ');
    for (const h of [
      'authorization',
      'apikey',
      'content-type',
      'prefer',
      'range',
      'accept-profile',
      'content-profile',
    ]) {
      assert.ok(allowed.includes(h), h);
    }
    for (const h of ['idempotency-key', 'if-none-match', 'x-client-info', 'x-request-id', 'range-unit']) {
      assert.ok(allowed.includes(h), h);
    }
    assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.equal(engine.calls.length, n);
  });

  test('PUBLIC_URL’s origin is always allowed, on /graphql too', async () => {
    const origin = new URL(services().config.PUBLIC_URL).origin;
    const res = await preflight(origin, '/graphql');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
  });

  test('a preflight from another origin is refused with 403 and no CORS headers', async () => {
    const res = await preflight(STRANGER);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.equal(((await res.json()) as { code: string }).code, 'TM403');
  });

  test('actual responses to an allowed origin expose the API headers', async () => {
    const res = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...user.auth, origin: ALLOWED } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.notEqual(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const h of [
      'content-range',
      'location',
      'preference-applied',
      'etag',
      'ratelimit',
      'ratelimit-policy',
      'retry-after',
      'x-request-id',
      'deprecation',
      'sunset',
      'link',
      'idempotent-replayed',
      'content-profile',
      'allow',
      'www-authenticate',
    ]) {
      assert.ok(exposed.includes(h), h);
    }
  });

  test('responses to a disallowed origin carry no CORS headers (the browser withholds them)', async () => {
    const res = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...user.auth, origin: STRANGER } });
    assert.equal(res.status, 200, 'a Bearer token is not ambient: the request itself is harmless');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-expose-headers'), null);
  });

  test('a cookie-authenticated write from a disallowed origin is refused (CSRF) before the engine', async () => {
    const n = engine.calls.length;
    const res = await fetch(`${gw.url}/rest/v1/tasks`, {
      method: 'POST',
      headers: { cookie: user.cookie, origin: STRANGER, 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(res.status, 403);
    assert.equal(engine.calls.length, n);
    const ok = await fetch(`${gw.url}/rest/v1/tasks`, {
      method: 'POST',
      headers: { cookie: user.cookie, origin: ALLOWED, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(ok.status, 200);
    assert.equal(engine.calls.at(-1)?.caller.via, 'session');
  });

  test('without an Origin, Sec-Fetch-Site decides: cross-site is refused, same-origin passes', async () => {
    const n = engine.calls.length;
    const post = (site?: string) =>
      fetch(`${gw.url}/rest/v1/tasks`, {
        method: 'POST',
        headers: {
          cookie: user.cookie,
          'content-type': 'application/json',
          ...(site ? { 'sec-fetch-site': site } : {}),
        },
        body: '{}',
      });
    assert.equal((await post('cross-site')).status, 403);
    assert.equal((await post('same-site')).status, 403, 'a sibling subdomain is not our origin');
    assert.equal(engine.calls.length, n, 'refused writes never reach the engine');
    assert.equal((await post('same-origin')).status, 200);
    assert.equal((await post()).status, 200, 'a non-browser client with a cookie sends neither header');
  });
});

describe('every header the gateway sends is readable by a browser page', () => {
  // Response headers a page may read without Access-Control-Expose-Headers (Fetch's
  // CORS-safelisted response-header names), and ones it can never read or needs not.
  const SAFELISTED = new Set([
    'cache-control',
    'content-language',
    'content-length',
    'content-type',
    'expires',
    'last-modified',
    'pragma',
  ]);
  const TRANSPORT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'vary', 'set-cookie']);
  let real: TestGateway;
  let owner: TestUser;

  before(async () => {
    real = await startGateway({ api: { corsOrigins: [ALLOWED] } });
    owner = await newUser(real.url, 'cors-expose');
  });
  after(async () => {
    await real.close();
  });

  test('responses of the real engines expose every non-safelisted header they carry', async () => {
    const seen = new Map<string, string>();
    const collect = (res: Response, what: string) => {
      res.headers.forEach((_value, name) => {
        if (!seen.has(name)) seen.set(name, what);
      });
      return res;
    };
    const rest = (path: string, init: RequestInit = {}) =>
      fetch(`${real.url}/rest/v1${path}`, {
        ...init,
        headers: { ...owner.auth, origin: ALLOWED, ...(init.headers as Record<string, string>) },
      });
    const ws = (await (await rest('/workspaces?select=id&kind=eq.personal')).json()) as { id: string }[];
    const read = collect(await rest('/tasks?select=id', { headers: { prefer: 'count=exact' } }), 'GET');
    assert.equal(read.status, 200);
    const etag = read.headers.get('etag') ?? '';
    collect(await rest('/tasks?select=id', { headers: { 'if-none-match': etag } }), '304');
    const post = () =>
      rest('/tasks', {
        method: 'POST',
        headers: {
          prefer: 'return=headers-only',
          'idempotency-key': 'cors-expose-1',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ workspace_id: ws[0]?.id, title: 'CORS probe' }),
      });
    assert.equal(collect(await post(), 'POST').status, 201);
    assert.equal(collect(await post(), 'replay').headers.get('idempotent-replayed'), 'true');
    collect(await rest('/tasks', { method: 'OPTIONS' }), 'OPTIONS');
    collect(await rest('/tasks', { method: 'PATCH', headers: { prefer: 'x' } }), 'unfiltered PATCH');
    collect(
      await fetch(`${real.url}/rest/v1/tasks`, { headers: { authorization: 'Bearer nope', origin: ALLOWED } }),
      'bad token',
    );
    collect(
      await fetch(`${real.url}/graphql`, { method: 'PUT', headers: { ...owner.auth, origin: ALLOWED } }),
      'GraphQL 405',
    );
    for (const name of ['content-range', 'etag', 'location', 'preference-applied', 'allow', 'www-authenticate']) {
      assert.ok(seen.has(name), `the probes above produce ${name}`);
    }
    const exposed = new Set((read.headers.get('access-control-expose-headers') ?? '').split(', '));
    for (const [name, what] of seen) {
      if (SAFELISTED.has(name) || TRANSPORT.has(name) || name.startsWith('access-control-')) continue;
      assert.ok(exposed.has(name), `${name} (sent on ${what}) is not in Access-Control-Expose-Headers`);
    }
  });
});

describe('X-Request-Id on API responses', () => {
  test('a sane incoming id is echoed, else one is minted; engines see the same id', async () => {
    const given = 'trace-0123456789';
    const echoed = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { 'x-request-id': given } });
    assert.equal(echoed.headers.get('x-request-id'), given);
    assert.equal(engine.calls.at(-1)?.requestId, given);
    const minted = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { 'x-request-id': 'bad id;' } });
    assert.match(minted.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const error = await fetch(`${gw.url}/rest/v9/tasks`);
    assert.equal(error.status, 404);
    assert.match(error.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
