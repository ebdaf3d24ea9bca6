// Refresh tokens with reuse detection (lib/auth/refresh-tokens.ts) over HTTP: a session
// issues a family, each refresh rotates it, and a spent token presented again ends the
// session and every token of the family.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { superuserQuery } from '../support/db.ts';
import { cookiesFrom, signedUp, signUp, uniqueEmail, useGateway } from '../support/gateway.ts';

const gw = useGateway();

type Refreshed = {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_at: string;
};

async function session(prefix: string) {
  const { cookie, userId } = await signedUp(gw.url, prefix);
  return { cookie, userId };
}

async function issueRefreshToken(cookie: string): Promise<{ refresh_token: string; expires_at: string }> {
  const res = await fetch(`${gw.url}/auth/token/refresh-token`, {
    method: 'POST',
    headers: { cookie, origin: gw.url, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return (await res.json()) as { refresh_token: string; expires_at: string };
}

function refresh(body: unknown, raw?: string) {
  return fetch(`${gw.url}/auth/token/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
}

async function refreshOk(token: string): Promise<Refreshed> {
  const res = await refresh({ refresh_token: token });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Refreshed;
}

async function sessionRow(userId: string) {
  const { rows } = await superuserQuery<{ id: string }>('select id from identity.sessions where user_id = $1', [
    userId,
  ]);
  return rows;
}

async function familySize(userId: string) {
  const { rows } = await superuserQuery<{ n: number }>(
    'select count(*)::int as n from identity.refresh_tokens where user_id = $1',
    [userId],
  );
  return rows[0]!.n;
}

describe('refresh tokens', () => {
  test('issuing one needs a session', async () => {
    const res = await fetch(`${gw.url}/auth/token/refresh-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gw.url },
      body: '{}',
    });
    assert.equal(res.status, 401);
  });

  test('a refresh returns a working access token and a new refresh token; only hashes are stored', async () => {
    const { cookie, userId } = await session('refresh-ok');
    const first = await issueRefreshToken(cookie);
    assert.match(first.refresh_token, /^tmr_[A-Za-z0-9_-]{43}$/);
    const { rows } = await superuserQuery<{ token_hash: string; session_id: string }>(
      'select token_hash, session_id from identity.refresh_tokens where user_id = $1',
      [userId],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, createHash('sha256').update(first.refresh_token).digest('hex'));
    const [sess] = await sessionRow(userId);

    const next = await refreshOk(first.refresh_token);
    assert.equal(next.token_type, 'Bearer');
    assert.notEqual(next.refresh_token, first.refresh_token);
    const claims = decodeJwt(next.access_token);
    assert.equal(claims.sub, userId);
    assert.equal(claims.session_id, sess!.id);
    assert.ok(claims.exp! - claims.iat! <= 900, 'access tokens live at most 15 minutes');
    const api = await fetch(`${gw.url}/rest/v1/workspaces?select=id`, {
      headers: { authorization: `Bearer ${next.access_token}` },
    });
    assert.equal(api.status, 200, await api.clone().text());

    // The chain continues with the newest token.
    const third = await refreshOk(next.refresh_token);
    assert.notEqual(third.refresh_token, next.refresh_token);
    const { rows: used } = await superuserQuery<{ used: number; unused: number }>(
      `select count(*) filter (where used_at is not null)::int as used, count(*) filter (where used_at is null)::int as unused
         from identity.refresh_tokens where user_id = $1`,
      [userId],
    );
    assert.deepEqual(used[0], { used: 2, unused: 1 });
  });

  test('a spent token presented again revokes the session and its whole family', async () => {
    const { cookie, userId } = await session('refresh-reuse');
    const other = await session('refresh-bystander');
    const bystander = await issueRefreshToken(other.cookie);
    const stolen = await issueRefreshToken(cookie);
    const legit = await refreshOk(stolen.refresh_token);
    const [sess] = await sessionRow(userId);

    const replay = await refresh({ refresh_token: stolen.refresh_token });
    assert.equal(replay.status, 401);
    const body = (await replay.json()) as { code: string; message: string };
    assert.equal(body.code, 'INVALID_REFRESH_TOKEN');
    assert.match(body.message, /already used/);

    // The session and every token in the family are gone: the legitimate holder's newest
    // token and its cookie stop working too.
    assert.deepEqual(await sessionRow(userId), []);
    assert.equal(await familySize(userId), 0);
    assert.equal((await refresh({ refresh_token: legit.refresh_token })).status, 401);
    const me = await fetch(`${gw.url}/auth/get-session`, { headers: { cookie } });
    assert.equal(await me.text(), 'null');

    // Audited as a revocation for token reuse.
    const { rows: audit } = await superuserQuery<{ reason: string; session_id: string }>(
      `select reason, data->>'session_id' as session_id from account.audit
        where event = 'session.revoked' and subject_id = $1`,
      [userId],
    );
    assert.deepEqual(audit, [{ reason: 'token_reuse', session_id: sess!.id }]);

    // Another person's family is untouched.
    await refreshOk(bystander.refresh_token);
  });

  test('bad input gets a clear 4xx and writes nothing', async () => {
    const { cookie, userId } = await session('refresh-bad');
    const issued = await issueRefreshToken(cookie);
    const before = await familySize(userId);
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /refresh_token is required/],
      [{ refresh_token: '' }, 400, /refresh_token is required/],
      [{ refresh_token: 42 }, 400, /refresh_token/],
      [{ refresh_token: 'x'.repeat(10_000) }, 400, /not a refresh token/],
      [{ refresh_token: 'tmr_unknown' }, 401, /invalid or expired/],
    ];
    for (const [body, status, message] of cases) {
      const res = await refresh(body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 40));
      assert.match(((await res.json()) as { message: string }).message, message);
    }
    const malformed = await refresh(undefined, '{"refresh_token":');
    assert.ok(malformed.status >= 400 && malformed.status < 500, `malformed JSON → ${malformed.status}`);
    assert.equal(await familySize(userId), before);
    // The real token still works: nothing above spent it.
    await refreshOk(issued.refresh_token);
  });

  test('a refresh is activity: it slides a remembered session, never a "don\'t remember me" one', async () => {
    const { cookie, userId } = await session('refresh-slide');
    await superuserQuery(`update identity.sessions set expires_at = now() + interval '1 day' where user_id = $1`, [
      userId,
    ]);
    await refreshOk((await issueRefreshToken(cookie)).refresh_token);
    const { rows: slid } = await superuserQuery<{ days: number }>(
      `select extract(epoch from expires_at - now()) / 86400 as days from identity.sessions where user_id = $1`,
      [userId],
    );
    assert.ok(slid[0]!.days > 29, `slid to ${slid[0]!.days} days`);

    const email = uniqueEmail('refresh-forgetful');
    assert.equal((await signUp(gw.url, email)).status, 200);
    const signIn = await fetch(`${gw.url}/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gw.url },
      body: JSON.stringify({ email, password: 'correct horse battery staple', rememberMe: false }),
    });
    assert.equal(signIn.status, 200);
    const forgetful = cookiesFrom(signIn);
    const { user } = (await signIn.json()) as { user: { id: string } };
    const expiry = async () =>
      (
        await superuserQuery<{ expires_at: Date }>(
          `select s.expires_at from identity.sessions s where s.user_id = $1 order by created_at desc limit 1`,
          [user.id],
        )
      ).rows[0]!.expires_at.getTime();
    const before = await expiry();
    await refreshOk((await issueRefreshToken(forgetful)).refresh_token);
    assert.equal(await expiry(), before);
  });

  test('an expired refresh token is refused without ending the session', async () => {
    const { cookie, userId } = await session('refresh-expired');
    const issued = await issueRefreshToken(cookie);
    await superuserQuery(
      `update identity.refresh_tokens set created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
        where user_id = $1`,
      [userId],
    );
    const res = await refresh({ refresh_token: issued.refresh_token });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { message: string }).message, /invalid or expired/);
    assert.equal((await sessionRow(userId)).length, 1);
  });
});
