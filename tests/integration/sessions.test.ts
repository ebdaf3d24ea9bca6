// Session lifetimes and the sessions list (lib/auth/sessions.ts) over HTTP: idle sliding
// expiry, the absolute lifetime that activity cannot extend, "remember me", the place
// header, and revocation (one, all others) with its audit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { cookiesFrom, signedUp, useGateway } from '../support/gateway.ts';

// The edge proxy's place header, as a deployment behind Cloudflare would configure it.
// Set before the first services() call reads the configuration.
process.env.SESSION_PLACE_HEADER = 'cf-ipcountry';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;

const gw = useGateway();

async function signIn(email: string, init: { rememberMe?: boolean; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${gw.url}/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: gw.url, ...init.headers },
    body: JSON.stringify({
      email,
      password: PASSWORD,
      ...(init.rememberMe === undefined ? {} : { rememberMe: init.rememberMe }),
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res;
}

async function newUser(prefix: string) {
  return signedUp(gw.url, prefix, PASSWORD);
}

async function sessions(userId: string) {
  const { rows } = await superuserQuery<{ id: string; created_at: Date; expires_at: Date; place: string | null }>(
    'select id, created_at, expires_at, place from identity.sessions where user_id = $1 order by created_at',
    [userId],
  );
  return rows;
}

async function getSession(cookie: string) {
  const res = await fetch(`${gw.url}/auth/get-session`, { headers: { cookie } });
  return (await res.json()) as { session: { id: string } } | null;
}

function sessionCookie(res: Response): string {
  const header = res.headers.getSetCookie().find((c) => /session_token=/.test(c));
  assert.ok(header, 'a session cookie is set');
  return header;
}

describe('lifetimes', () => {
  test('the idle timeout is the configured sliding expiry', async () => {
    const cfg = services().config;
    const { userId } = await newUser('idle');
    const [row] = await sessions(userId);
    const lifetime = row!.expires_at.getTime() - row!.created_at.getTime();
    assert.ok(Math.abs(lifetime - cfg.SESSION_IDLE_TIMEOUT_SECONDS * 1000) < 5000, `lifetime ${lifetime}`);
  });

  test('an active session still ends at its absolute lifetime', async () => {
    const cfg = services().config;
    const { userId, cookie } = await newUser('absolute');
    const [row] = await sessions(userId);
    // Signed in almost a whole absolute lifetime ago, last refreshed two days ago: the
    // next use would slide expiry a full idle period out, but the cap holds.
    const createdAgo = cfg.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000 - DAY / 2;
    await superuserQuery(
      `update identity.sessions set created_at = now() - make_interval(secs => $2::double precision / 1000),
              expires_at = now() + make_interval(secs => $3) - interval '2 days' where id = $1`,
      [row!.id, createdAgo, cfg.SESSION_IDLE_TIMEOUT_SECONDS],
    );
    assert.ok(await getSession(cookie), 'still valid before the absolute lifetime');
    const [capped] = await sessions(userId);
    const cap = capped!.created_at.getTime() + cfg.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000;
    assert.ok(Math.abs(capped!.expires_at.getTime() - cap) < 2000, 'the refresh stopped at created_at + lifetime');

    // A day later (the rows move into the past): over, and the session row is gone.
    await superuserQuery(
      `update identity.sessions set created_at = created_at - interval '1 day', expires_at = expires_at - interval '1 day'
        where id = $1`,
      [row!.id],
    );
    assert.equal(await getSession(cookie), null);
    assert.deepEqual(await sessions(userId), []);
  });

  test('"remember me" off: a browser-session cookie and a short server expiry', async () => {
    const cfg = services().config;
    const { email, userId } = await newUser('remember');
    await superuserQuery('delete from identity.sessions where user_id = $1', [userId]);

    const forgetful = await signIn(email, { rememberMe: false });
    const cookie = sessionCookie(forgetful);
    assert.doesNotMatch(cookie, /max-age/i);
    assert.doesNotMatch(cookie, /expires=/i);
    const [short] = await sessions(userId);
    const shortLife = short!.expires_at.getTime() - short!.created_at.getTime();
    assert.ok(Math.abs(shortLife - cfg.SESSION_NO_REMEMBER_SECONDS * 1000) < 5000, `short lifetime ${shortLife}`);

    const remembered = await signIn(email, { rememberMe: true });
    assert.match(sessionCookie(remembered), new RegExp(`max-age=${cfg.SESSION_IDLE_TIMEOUT_SECONDS}`, 'i'));
  });

  test('the place header of the configured proxy is stored, cleaned and bounded', async () => {
    const { email, userId } = await newUser('place');
    await superuserQuery('delete from identity.sessions where user_id = $1', [userId]);
    await signIn(email, { headers: { 'cf-ipcountry': ' DE ' } });
    await signIn(email, { headers: { 'cf-ipcountry': 'x'.repeat(300) } });
    await signIn(email);
    const places = (await sessions(userId)).map((s) => s.place);
    assert.deepEqual(places, ['DE', 'x'.repeat(100), null]);
  });
});

describe('listing and revoking', () => {
  test('lists every session with its device data and revokes one, then all others, audited', async () => {
    const { email, userId, cookie } = await newUser('revoke');
    const phone = cookiesFrom(
      await signIn(email, { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' } }),
    );
    const laptop = cookiesFrom(await signIn(email));

    const listed = await fetch(`${gw.url}/auth/list-sessions`, { headers: { cookie } });
    assert.equal(listed.status, 200);
    const list = (await listed.json()) as { id: string; token: string; userAgent: string; createdAt: string }[];
    assert.equal(list.length, 3);
    assert.ok(list.some((s) => s.userAgent.includes('iPhone')));

    const phoneSession = await getSession(phone);
    const phoneToken = list.find((s) => s.id === phoneSession!.session.id)!.token;
    const revokeOne = await fetch(`${gw.url}/auth/revoke-session`, {
      method: 'POST',
      headers: { cookie, origin: gw.url, 'content-type': 'application/json' },
      body: JSON.stringify({ token: phoneToken }),
    });
    assert.equal(revokeOne.status, 200, await revokeOne.clone().text());
    assert.equal(await getSession(phone), null);
    assert.ok(await getSession(laptop));

    const revokeOthers = await fetch(`${gw.url}/auth/revoke-other-sessions`, {
      method: 'POST',
      headers: { cookie, origin: gw.url, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(revokeOthers.status, 200);
    assert.equal(await getSession(laptop), null);
    assert.ok(await getSession(cookie), 'the current session stays');

    const { rows } = await superuserQuery<{ reason: string; actor_id: string; session_id: string }>(
      `select reason, actor_id, data->>'session_id' as session_id from account.audit
        where event = 'session.revoked' and subject_id = $1 order by occurred_at`,
      [userId],
    );
    assert.deepEqual(
      rows.map((r) => r.reason),
      ['revoked_one', 'revoked_others'],
    );
    assert.equal(rows[0]!.session_id, phoneSession!.session.id);
    assert.ok(rows.every((r) => r.actor_id === userId));
  });

  test("another person's session token cannot be revoked", async () => {
    const mallory = await newUser('mallory');
    const alice = await newUser('alice');
    const [aliceSession] = await superuserQuery<{ token: string }>(
      'select token from identity.sessions where user_id = $1',
      [alice.userId],
    ).then((r) => r.rows);
    const res = await fetch(`${gw.url}/auth/revoke-session`, {
      method: 'POST',
      headers: { cookie: mallory.cookie, origin: gw.url, 'content-type': 'application/json' },
      body: JSON.stringify({ token: aliceSession!.token }),
    });
    assert.ok(res.status < 500);
    assert.ok(await getSession(alice.cookie), "alice's session is untouched");
  });
});
