// The browser's access-token provider and its 401 retry (app/src/lib/data/token.ts,
// client.ts), with a fake /auth/token and a fake clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryingFetch } from '../../app/src/lib/data/client.ts';
import { AccessTokenProvider, SessionExpiredError, tokenExpiry } from '../../app/src/lib/data/token.ts';

function jwt(exp: number, n = 0): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'EdDSA' })}.${b64({ exp, n })}.sig`;
}

function fakeTokenEndpoint(clock: { now: number }, ttlSeconds = 900) {
  let issued = 0;
  let refuse = false;
  const fetch = (async (url: string | URL | Request) => {
    assert.equal(String(url), '/auth/token');
    if (refuse) return new Response('{"message":"no session"}', { status: 401 });
    issued += 1;
    return Response.json({ token: jwt(Math.floor(clock.now / 1000) + ttlSeconds, issued) });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    get issued() {
      return issued;
    },
    refuse() {
      refuse = true;
    },
  };
}

test('reads exp from a JWT, with a short fallback for an unreadable one', () => {
  assert.equal(tokenExpiry(jwt(2000)), 2_000_000);
  assert.equal(tokenExpiry('garbage', 1000), 1000 + 5 * 60_000);
});

test('one token is cached, shared by concurrent callers, and refreshed a minute before it expires', async () => {
  const clock = { now: 1_000_000_000_000 };
  const endpoint = fakeTokenEndpoint(clock);
  const tokens = new AccessTokenProvider({ fetch: endpoint.fetch, now: () => clock.now, onSignedOut: () => {} });
  const [a, b] = await Promise.all([tokens.get(), tokens.get()]);
  assert.equal(a, b);
  assert.equal(endpoint.issued, 1);
  clock.now += 800_000; // 100 s left: still fine
  assert.equal(await tokens.get(), a);
  clock.now += 50_000; // 50 s left: refresh silently
  const c = await tokens.get();
  assert.notEqual(c, a);
  assert.equal(endpoint.issued, 2);
});

test('a refused session sends the person to sign in once and fails the request', async () => {
  const clock = { now: 1_000_000_000_000 };
  const endpoint = fakeTokenEndpoint(clock);
  let signedOut = 0;
  const tokens = new AccessTokenProvider({
    fetch: endpoint.fetch,
    now: () => clock.now,
    onSignedOut: () => (signedOut += 1),
  });
  endpoint.refuse();
  await assert.rejects(tokens.get(), SessionExpiredError);
  await assert.rejects(tokens.refresh(), SessionExpiredError);
  assert.equal(signedOut, 1);
});

test('a 401 from the API is retried once with a fresh token, never more', async () => {
  const clock = { now: 1_000_000_000_000 };
  const endpoint = fakeTokenEndpoint(clock);
  const tokens = new AccessTokenProvider({ fetch: endpoint.fetch, now: () => clock.now, onSignedOut: () => {} });
  const first = await tokens.get();
  const seen: string[] = [];
  let answer = [401, 200];
  const api = (async (_input: string | URL | Request, init?: RequestInit) => {
    seen.push(new Headers(init?.headers).get('authorization') ?? '');
    return new Response(null, { status: answer.shift() ?? 401 });
  }) as typeof globalThis.fetch;
  const f = retryingFetch(tokens, api);
  const ok = await f('/rest/v1/tasks', { headers: { authorization: `Bearer ${first}` } });
  assert.equal(ok.status, 200);
  assert.equal(seen.length, 2);
  assert.equal(seen[0], `Bearer ${first}`);
  assert.notEqual(seen[1], `Bearer ${first}`);
  // Still 401 after the retry: answered as is, no loop.
  answer = [401, 401, 401];
  seen.length = 0;
  const refused = await f('/rest/v1/tasks', { headers: { authorization: `Bearer ${first}` } });
  assert.equal(refused.status, 401);
  assert.equal(seen.length, 2);
});
