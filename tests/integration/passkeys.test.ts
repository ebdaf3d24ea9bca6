// Passkeys over HTTP against the real gateway and Better Auth's passkey plugin, with a
// software authenticator (tests/support/webauthn.ts) standing in for the browser: what a
// passkey sign-in and a passkey step-up give (aal2), and what must be refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';
import { SoftAuthenticator } from '../support/webauthn.ts';

let gw: TestGateway;
let origin: string;
let rpId: string;
before(async () => {
  gw = await startGateway();
  origin = new URL(services().config.PUBLIC_URL).origin;
  rpId = new URL(origin).hostname;
});
after(async () => {
  await gw.close();
  await closeServices();
});

/** A cookie jar for one browser-like client. */
class Client {
  cookies = new Map<string, string>();
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  async get(path: string): Promise<Response> {
    return this.take(await fetch(`${gw.url}${path}`, { headers: { cookie: this.header, origin } }));
  }
  async post(path: string, body: unknown): Promise<Response> {
    return this.take(
      await fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { cookie: this.header, origin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  }
}

async function signedUp(prefix: string) {
  const email = uniqueEmail(prefix);
  const client = new Client();
  const res = client.take(await signUp(gw.url, email));
  assert.equal(res.status, 200, await res.clone().text());
  const { rows } = await superuserQuery<{ id: string }>(`select id from identity.users where email = $1`, [email]);
  return { email, client, userId: rows[0]!.id };
}

async function registerPasskey(client: Client, name = 'Test key') {
  const authenticator = new SoftAuthenticator({ rpId, origin });
  const optionsRes = await client.get('/auth/passkey/generate-register-options');
  assert.equal(optionsRes.status, 200, await optionsRes.clone().text());
  const options = (await optionsRes.json()) as {
    challenge: string;
    authenticatorSelection: { userVerification: string };
  };
  assert.equal(options.authenticatorSelection.userVerification, 'required');
  const res = await client.post('/auth/passkey/verify-registration', {
    response: authenticator.register(options.challenge),
    name,
  });
  assert.equal(res.status, 200, await res.clone().text());
  const passkey = (await res.json()) as { id: string };
  return { authenticator, passkeyId: passkey.id };
}

async function aalOf(client: Client): Promise<string> {
  return decodeJwt(await accessToken(gw.url, client.header)).aal as string;
}

async function auditEvents(userId: string, event: string) {
  const { rows } = await superuserQuery<{ outcome: string; data: Record<string, unknown> }>(
    `select outcome, data from account.audit where subject_id = $1 and event = $2 order by occurred_at`,
    [userId, event],
  );
  return rows;
}

/** Starts a passkey sign-in: a fresh client holding the plugin's challenge cookie. */
async function authenticationChallenge() {
  const client = new Client();
  const res = await client.get('/auth/passkey/generate-authenticate-options');
  assert.equal(res.status, 200);
  const options = (await res.json()) as { challenge: string; userVerification: string };
  return { client, options };
}

describe('passkey endpoints need a session', () => {
  test('registration options, step-up options and step-up verification answer 401 without one', async () => {
    const anonymous = new Client();
    assert.equal((await anonymous.get('/auth/passkey/generate-register-options')).status, 401);
    assert.equal((await anonymous.get('/auth/passkey/step-up/options')).status, 401);
    const wellFormed = new SoftAuthenticator({ rpId, origin }).assert('bm90LWEtY2hhbGxlbmdl');
    assert.equal((await anonymous.post('/auth/passkey/step-up/verify', { response: wellFormed })).status, 401);
    assert.equal((await anonymous.get('/auth/passkey/list-user-passkeys')).status, 401);
  });
});

describe('registering and signing in with a passkey', () => {
  test('a registered passkey signs in to an aal2 session', async () => {
    const { client, userId } = await signedUp('pk-signin');
    const { authenticator, passkeyId } = await registerPasskey(client, 'Laptop');
    const { rows } = await superuserQuery<{ name: string; user_id: string }>(
      `select name, user_id from identity.passkeys where id = $1`,
      [passkeyId],
    );
    assert.deepEqual(rows, [{ name: 'Laptop', user_id: userId }]);

    const { client: browser, options } = await authenticationChallenge();
    assert.equal(options.userVerification, 'required');
    const res = await browser.post('/auth/passkey/verify-authentication', {
      response: authenticator.assert(options.challenge),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { user: { id: string }; session: { aal: string } };
    assert.equal(body.user.id, userId);
    assert.equal(body.session.aal, 'aal2');
    assert.equal(await aalOf(browser), 'aal2');
  });

  test('a registration without user verification is refused and stores nothing', async () => {
    const { client, userId } = await signedUp('pk-reg-no-uv');
    const authenticator = new SoftAuthenticator({ rpId, origin });
    const options = (await (await client.get('/auth/passkey/generate-register-options')).json()) as {
      challenge: string;
    };
    const res = await client.post('/auth/passkey/verify-registration', {
      response: authenticator.register(options.challenge, { userVerified: false }),
      name: 'No PIN',
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, 'PASSKEY_USER_VERIFICATION_REQUIRED');
    const { rows } = await superuserQuery(`select 1 from identity.passkeys where user_id = $1`, [userId]);
    assert.equal(rows.length, 0);
  });

  test('a forged assertion (bad signature), a wrong origin and an unknown credential are refused', async () => {
    const { client } = await signedUp('pk-forged');
    const { authenticator } = await registerPasskey(client);
    const stranger = new SoftAuthenticator({ rpId, origin });
    const cases = [
      (challenge: string) => authenticator.assert(challenge, { tamper: true }),
      (challenge: string) => authenticator.assert(challenge, { origin: 'https://evil.example' }),
      (challenge: string) => stranger.assert(challenge),
    ];
    for (const forge of cases) {
      const { client: browser, options } = await authenticationChallenge();
      const res = await browser.post('/auth/passkey/verify-authentication', { response: forge(options.challenge) });
      assert.ok(res.status === 400 || res.status === 401, `answered ${res.status}`);
      assert.ok(![...browser.cookies.keys()].some((k) => k.endsWith('session_token')));
    }
  });

  test('an assertion without user verification is refused with a clear code', async () => {
    const { client, userId } = await signedUp('pk-no-uv');
    const { authenticator } = await registerPasskey(client);
    const { client: browser, options } = await authenticationChallenge();
    const res = await browser.post('/auth/passkey/verify-authentication', {
      response: authenticator.assert(options.challenge, { userVerified: false }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'PASSKEY_USER_VERIFICATION_REQUIRED');
    assert.ok(![...browser.cookies.keys()].some((k) => k.endsWith('session_token')));
    // Nothing changed: the next properly verified sign-in still works.
    const again = await authenticationChallenge();
    const ok = await again.client.post('/auth/passkey/verify-authentication', {
      response: authenticator.assert(again.options.challenge),
    });
    assert.equal(ok.status, 200);
    // Refused before Better Auth's handler (so before the audit mapping's after-hook): this
    // plugin records it, for the credential's owner; the verified sign-in after it comes
    // from the audit mapping (lib/auth/audit-plugin.ts).
    assert.deepEqual(
      (await auditEvents(userId, 'auth.sign_in')).map((e) => [e.outcome, e.data.method]),
      [
        ['failure', 'passkey'],
        ['success', 'passkey'],
      ],
    );
  });

  test('a replayed assertion is refused: the challenge is single use', async () => {
    const { client } = await signedUp('pk-replay');
    const { authenticator } = await registerPasskey(client);
    const { client: browser, options } = await authenticationChallenge();
    const assertion = authenticator.assert(options.challenge);
    assert.equal((await browser.post('/auth/passkey/verify-authentication', { response: assertion })).status, 200);
    const replay = new Client();
    replay.cookies = new Map(browser.cookies);
    replay.cookies.delete([...replay.cookies.keys()].find((k) => k.endsWith('session_token'))!);
    const res = await replay.post('/auth/passkey/verify-authentication', { response: assertion });
    assert.equal(res.status, 400);
  });
});

describe('passkey as the second factor of a password sign-in', () => {
  test("a pending TOTP challenge offers only that account's passkeys, and the passkey finishes it at aal2", async () => {
    const { client, email, userId } = await signedUp('pk-2fa');
    const { authenticator } = await registerPasskey(client);
    // TOTP "enrolled": the two-factor plugin now holds password sign-ins for a second factor.
    await superuserQuery(`update identity.users set two_factor_enabled = true where id = $1`, [userId]);

    const browser = new Client();
    const signIn = await browser.post('/auth/sign-in/email', { email, password: 'correct horse battery staple' });
    assert.equal(signIn.status, 200);
    assert.equal(((await signIn.json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect, true);
    const pendingCookie = [...browser.cookies].find(([k]) => k.endsWith('two_factor'));
    assert.ok(pendingCookie, 'the two-factor plugin set its cookie');
    assert.ok(![...browser.cookies.keys()].some((k) => k.endsWith('session_token')));

    const options = (await (await browser.get('/auth/passkey/generate-authenticate-options')).json()) as {
      challenge: string;
      allowCredentials: { id: string }[];
    };
    assert.deepEqual(
      options.allowCredentials.map((c) => c.id),
      [authenticator.id],
    );
    const res = await browser.post('/auth/passkey/verify-authentication', {
      response: authenticator.assert(options.challenge),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await aalOf(browser), 'aal2');
    assert.ok(![...browser.cookies.keys()].some((k) => k.endsWith('two_factor')), 'pending cookie cleared');

    // The pending challenge is used up: replaying its cookie cannot finish another sign-in.
    const replay = new Client();
    replay.cookies.set(pendingCookie[0], pendingCookie[1]);
    const totp = await replay.post('/auth/two-factor/verify-totp', { code: '123456' });
    assert.equal(totp.status, 401);
    assert.equal(((await totp.json()) as { code: string }).code, 'INVALID_TWO_FACTOR_COOKIE');
  });
});

describe('passkey step-up', () => {
  test('a password session becomes aal2 after a passkey assertion, in place', async () => {
    const { client, userId } = await signedUp('pk-stepup');
    const { authenticator } = await registerPasskey(client);
    assert.equal(await aalOf(client), 'aal1');
    const sessionCookie = [...client.cookies].find(([k]) => k.endsWith('session_token'));

    const optionsRes = await client.get('/auth/passkey/step-up/options');
    assert.equal(optionsRes.status, 200);
    const options = (await optionsRes.json()) as {
      challenge: string;
      userVerification: string;
      allowCredentials: { id: string }[];
    };
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(
      options.allowCredentials.map((c) => c.id),
      [authenticator.id],
    );
    const res = await client.post('/auth/passkey/step-up/verify', {
      response: authenticator.assert(options.challenge),
    });
    assert.equal(res.status, 200, await res.clone().text());
    // The same session (same cookie), now aal2 with a fresh second factor.
    assert.deepEqual(
      [...client.cookies].find(([k]) => k.endsWith('session_token')),
      sessionCookie,
    );
    assert.equal(await aalOf(client), 'aal2');
    const { rows } = await superuserQuery<{ fresh: boolean }>(
      `select second_factor_at > now() - interval '1 minute' as fresh from identity.sessions where user_id = $1`,
      [userId],
    );
    assert.deepEqual(rows, [{ fresh: true }]);
    const challenges = await auditEvents(userId, 'mfa.challenge');
    assert.ok(challenges.some((e) => e.outcome === 'success' && e.data.method === 'passkey'));
  });

  test("another person's passkey, a replay, bad input and no UV are refused and leave the session aal1", async () => {
    const alice = await signedUp('pk-stepup-a');
    const { authenticator: alicesKey } = await registerPasskey(alice.client);
    const bob = await signedUp('pk-stepup-b');
    const { authenticator: bobsKey } = await registerPasskey(bob.client);

    const challenge = async () =>
      ((await (await bob.client.get('/auth/passkey/step-up/options')).json()) as { challenge: string }).challenge;

    let res = await bob.client.post('/auth/passkey/step-up/verify', { response: alicesKey.assert(await challenge()) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'PASSKEY_STEP_UP_FAILED');
    res = await bob.client.post('/auth/passkey/step-up/verify', {
      response: bobsKey.assert(await challenge(), { userVerified: false }),
    });
    assert.equal(res.status, 401);
    res = await bob.client.post('/auth/passkey/step-up/verify', {
      response: bobsKey.assert(await challenge(), { tamper: true }),
    });
    assert.equal(res.status, 401);
    res = await bob.client.post('/auth/passkey/step-up/verify', { response: { id: 'x'.repeat(5000) } });
    assert.equal(res.status, 400);
    // Without asking for a challenge first (the last one was consumed).
    res = await bob.client.post('/auth/passkey/step-up/verify', { response: bobsKey.assert('bm90LWEtY2hhbGxlbmdl') });
    assert.equal(res.status, 401);
    assert.equal(await aalOf(bob.client), 'aal1');
    const failures = await auditEvents(bob.userId, 'mfa.challenge');
    assert.ok(failures.length >= 4 && failures.every((e) => e.outcome === 'failure'));
  });
});

describe('managing passkeys', () => {
  test('a passkey of another person can be neither renamed nor deleted', async () => {
    const alice = await signedUp('pk-owner-a');
    const { passkeyId } = await registerPasskey(alice.client, 'Alice key');
    const bob = await signedUp('pk-owner-b');
    const { authenticator: bobsKey } = await registerPasskey(bob.client);
    // Bob has a fresh second factor, so only ownership can stop him.
    const options = (await (await bob.client.get('/auth/passkey/step-up/options')).json()) as { challenge: string };
    assert.equal(
      (await bob.client.post('/auth/passkey/step-up/verify', { response: bobsKey.assert(options.challenge) })).status,
      200,
    );

    const del = await bob.client.post('/auth/passkey/delete-passkey', { id: passkeyId });
    assert.ok(del.status >= 400 && del.status < 500, `delete answered ${del.status}`);
    const rename = await bob.client.post('/auth/passkey/update-passkey', { id: passkeyId, name: 'mine now' });
    assert.ok(rename.status >= 400 && rename.status < 500, `rename answered ${rename.status}`);
    const { rows } = await superuserQuery<{ name: string }>(`select name from identity.passkeys where id = $1`, [
      passkeyId,
    ]);
    assert.deepEqual(rows, [{ name: 'Alice key' }]);
  });

  test('the owner lists, renames and removes a passkey, and renaming is audited', async () => {
    const { client, userId } = await signedUp('pk-manage');
    const { authenticator, passkeyId } = await registerPasskey(client, 'Phone');
    const list = (await (await client.get('/auth/passkey/list-user-passkeys')).json()) as {
      id: string;
      name: string;
    }[];
    assert.deepEqual(
      list.map((p) => [p.id, p.name]),
      [[passkeyId, 'Phone']],
    );
    assert.equal((await client.post('/auth/passkey/update-passkey', { id: passkeyId, name: 'Old phone' })).status, 200);
    // Removal is a step-up action: verify the passkey first.
    const options = (await (await client.get('/auth/passkey/step-up/options')).json()) as { challenge: string };
    assert.equal(
      (await client.post('/auth/passkey/step-up/verify', { response: authenticator.assert(options.challenge) })).status,
      200,
    );
    assert.equal((await client.post('/auth/passkey/delete-passkey', { id: passkeyId })).status, 200);
    const { rows } = await superuserQuery(`select 1 from identity.passkeys where id = $1`, [passkeyId]);
    assert.equal(rows.length, 0);
    assert.deepEqual(
      (await auditEvents(userId, 'passkey.renamed')).map((e) => [e.outcome, e.data.passkey_id]),
      [['success', passkeyId]],
    );
  });
});
