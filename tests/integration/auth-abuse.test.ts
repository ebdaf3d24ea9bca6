// Abuse protection of the identity endpoints (lib/auth/abuse-plugin.ts) through the real
// gateway over HTTP and through direct auth.api calls (the app's path): per-IP and
// per-account limits with Retry-After, the progressive delay and the lockout (with its
// email queued), and answers that do not tell known emails from unknown ones.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAPIError } from 'better-auth/api';
import { superuserQuery } from '../support/db.ts';
import { postAuth, useAuthGateways, type AuthGateway } from '../support/auth-gateway.ts';
import { uniqueEmail } from '../support/gateway.ts';

const PASSWORD = 'correct horse battery staple';
const gateway = useAuthGateways();

/** A fresh documentation-range address per test, so buckets never collide across runs. */
function ip(): string {
  const b = randomBytes(2);
  return `198.51.${b[0]}.${b[1]}`;
}

async function signUpUser(gw: AuthGateway, email = uniqueEmail('abuse')) {
  const res = await postAuth(gw, '/sign-up/email', { name: 'Abuse Test', email, password: PASSWORD }, ip());
  assert.equal(res.status, 200, await res.clone().text());
  return email;
}

async function lockoutMails(email: string) {
  const { rows } = await superuserQuery<{
    payload: { template: string; to: string; data: { until: string; ip: string } };
  }>(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'auth__mail' and j.payload->>'template' = 'lockout' and j.payload->>'to' = $1`,
    [email],
  );
  return rows.map((r) => r.payload);
}

/** Headers that may differ between two otherwise identical answers. */
const VARYING = new Set(['date', 'x-request-id']);
function comparable(res: Response) {
  return [...res.headers.entries()].filter(([k]) => !VARYING.has(k)).sort(([a], [b]) => a.localeCompare(b));
}

describe('rate limits per IP and per account', () => {
  test('sign-in: the IP limit answers 429 with Retry-After and a message; another IP is unaffected', async () => {
    const gw = await gateway({ AUTH_RATE_LIMIT_IP: '3', AUTH_RATE_LIMIT_ACCOUNT: '1000' });
    const from = ip();
    for (let i = 0; i < 3; i += 1) {
      const res = await postAuth(
        gw,
        '/sign-in/email',
        { email: uniqueEmail('ip'), password: 'wrong password 123' },
        from,
      );
      assert.equal(res.status, 401);
    }
    const limited = await postAuth(gw, '/sign-in/email', { email: uniqueEmail('ip'), password: PASSWORD }, from);
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 900, `retry-after ${retryAfter}`);
    const body = (await limited.json()) as { code: string; message: string };
    assert.equal(body.code, 'RATE_LIMITED');
    assert.match(body.message, /Too many attempts/);
    const other = await postAuth(
      gw,
      '/sign-in/email',
      { email: uniqueEmail('ip'), password: 'wrong password 123' },
      ip(),
    );
    assert.equal(other.status, 401);
  });

  test('password reset requests: the account limit holds across IPs', async () => {
    const gw = await gateway({ AUTH_RATE_LIMIT_IP: '1000', AUTH_RATE_LIMIT_ACCOUNT: '2' });
    const email = uniqueEmail('acct');
    for (let i = 0; i < 2; i += 1) {
      const res = await postAuth(gw, '/request-password-reset', { email }, ip());
      assert.equal(res.status, 200, await res.clone().text());
    }
    const limited = await postAuth(gw, '/request-password-reset', { email: email.toUpperCase() }, ip());
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const otherAccount = await postAuth(gw, '/request-password-reset', { email: uniqueEmail('acct') }, ip());
    assert.equal(otherAccount.status, 200);
  });

  for (const [path, body] of [
    ['/sign-up/email', () => ({ name: 'X', email: uniqueEmail('su'), password: PASSWORD })],
    ['/sign-in/magic-link', () => ({ email: uniqueEmail('ml') })],
    ['/send-verification-email', () => ({ email: uniqueEmail('ve') })],
    ['/two-factor/verify-totp', () => ({ code: '123456' })],
    ['/passkey/verify-authentication', () => ({ response: {} })],
  ] as const) {
    test(`${path} is limited per IP`, async () => {
      const gw = await gateway({ AUTH_RATE_LIMIT_IP: '2', AUTH_RATE_LIMIT_ACCOUNT: '1000' });
      const from = ip();
      for (let i = 0; i < 2; i += 1) {
        const res = await postAuth(gw, path, body(), from);
        assert.notEqual(res.status, 429, `attempt ${i + 1} of ${path}`);
        await res.arrayBuffer();
      }
      const limited = await postAuth(gw, path, body(), from);
      assert.equal(limited.status, 429, path);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    });
  }

  test('direct auth.api calls (the app’s form actions) are limited too', async () => {
    const gw = await gateway({ AUTH_RATE_LIMIT_IP: '1', AUTH_RATE_LIMIT_ACCOUNT: '1000' });
    const headers = new Headers({ 'x-forwarded-for': ip() });
    const call = () =>
      gw.auth.api.signInEmail({ body: { email: uniqueEmail('api'), password: 'wrong password 123' }, headers });
    await assert.rejects(call(), (e: unknown) => isAPIError(e) && e.statusCode === 401);
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(isAPIError(e));
      assert.equal(e.statusCode, 429);
      assert.equal((e.body as { code?: string }).code, 'RATE_LIMITED');
      assert.ok(Number((e.body as { retryAfter?: number }).retryAfter) >= 1);
      return true;
    });
  });
});

describe('progressive delay and lockout', () => {
  test('from the Nth failure the next attempt must wait (429 SIGN_IN_DELAYED), known and unknown alike', async () => {
    const gw = await gateway({
      AUTH_DELAY_AFTER_FAILURES: '2',
      AUTH_DELAY_MAX_SECONDS: '30',
      AUTH_LOCKOUT_THRESHOLD: '50',
    });
    const known = await signUpUser(gw);
    const unknown = uniqueEmail('ghost');
    for (const email of [known, unknown]) {
      for (let i = 0; i < 2; i += 1) {
        const res = await postAuth(gw, '/sign-in/email', { email, password: 'wrong password 123' }, ip());
        assert.equal(res.status, 401);
      }
      // Even the right password must wait: the delay is a state, not a timer in the test.
      const delayed = await postAuth(gw, '/sign-in/email', { email, password: PASSWORD }, ip());
      assert.equal(delayed.status, 429);
      const retryAfter = Number(delayed.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 30, `retry-after ${retryAfter}`);
      assert.equal(((await delayed.json()) as { code: string }).code, 'SIGN_IN_DELAYED');
    }
  });

  test('the Mth failure locks the account: same answer as a wrong password, one email to the owner, reset still works', async () => {
    const gw = await gateway({
      AUTH_DELAY_AFTER_FAILURES: '1000',
      AUTH_LOCKOUT_THRESHOLD: '3',
      AUTH_LOCKOUT_SECONDS: '900',
    });
    const email = await signUpUser(gw);
    let wrongAnswer: { status: number; body: string } | undefined;
    for (let i = 0; i < 4; i += 1) {
      const res = await postAuth(gw, '/sign-in/email', { email, password: 'wrong password 123' }, '192.0.2.77');
      wrongAnswer = { status: res.status, body: await res.text() };
      assert.equal(res.status, 401);
    }
    const locked = await postAuth(gw, '/sign-in/email', { email, password: PASSWORD }, ip());
    assert.deepEqual({ status: locked.status, body: await locked.text() }, wrongAnswer);

    const mails = await lockoutMails(email);
    assert.equal(mails.length, 1, 'exactly one lockout email per lockout');
    assert.equal(mails[0]?.data.ip, '192.0.2.77');
    assert.ok(new Date(mails[0]?.data.until ?? 0).getTime() > Date.now());
    const { rows: audit } = await superuserQuery<{ reason: string }>(
      `select a.reason from account.audit a join identity.users u on u.id = a.subject_id
       where u.email = $1 and a.event = 'auth.locked'`,
      [email],
    );
    assert.deepEqual(audit, [{ reason: 'too_many_failed_sign_ins' }]);
    // Attempts refused while locked still reach the owner's security history, as failures.
    const { rows: refused } = await superuserQuery<{ reason: string; ip: string }>(
      `select a.reason, host(a.ip) as ip from account.audit a join identity.users u on u.id = a.subject_id
       where u.email = $1 and a.event = 'auth.sign_in' and a.outcome = 'failure' and a.reason = 'locked'
       order by a.occurred_at`,
      [email],
    );
    assert.ok(refused.length >= 2, `locked attempts audited: ${JSON.stringify(refused)}`);

    // The owner resets the password by email (token as the reset mail would carry it).
    const { rows } = await superuserQuery<{ id: string }>('select id from identity.users where email = $1', [email]);
    const ctx = await gw.auth.$context;
    const token = randomBytes(16).toString('hex');
    await ctx.internalAdapter.createVerificationValue({
      identifier: `reset-password:${token}`,
      value: rows[0]!.id,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const newPassword = 'a brand new passphrase 42';
    const reset = await postAuth(gw, '/reset-password', { token, newPassword }, ip());
    assert.equal(reset.status, 200, await reset.clone().text());
    const signIn = await postAuth(gw, '/sign-in/email', { email, password: newPassword }, ip());
    assert.equal(signIn.status, 200, 'a password reset ends the lockout');
  });

  test('a successful sign-in clears earlier failures', async () => {
    const gw = await gateway({ AUTH_DELAY_AFTER_FAILURES: '1000', AUTH_LOCKOUT_THRESHOLD: '3' });
    const email = await signUpUser(gw);
    for (let i = 0; i < 2; i += 1) {
      await (await postAuth(gw, '/sign-in/email', { email, password: 'wrong password 123' }, ip())).arrayBuffer();
    }
    assert.equal((await postAuth(gw, '/sign-in/email', { email, password: PASSWORD }, ip())).status, 200);
    await (await postAuth(gw, '/sign-in/email', { email, password: 'wrong password 123' }, ip())).arrayBuffer();
    assert.equal((await postAuth(gw, '/sign-in/email', { email, password: PASSWORD }, ip())).status, 200);
  });
});

describe('no account enumeration', () => {
  for (const [path, body] of [
    ['/sign-in/email', (email: string) => ({ email, password: 'wrong password 123' })],
    ['/request-password-reset', (email: string) => ({ email })],
    ['/sign-in/magic-link', (email: string) => ({ email })],
  ] as const) {
    test(`${path}: identical answers for a known and an unknown email`, async () => {
      const gw = await gateway({});
      const known = await signUpUser(gw);
      const unknown = uniqueEmail('nobody');
      const a = await postAuth(gw, path, body(known), ip());
      const b = await postAuth(gw, path, body(unknown), ip());
      assert.equal(a.status, b.status);
      assert.equal(await a.text(), await b.text());
      assert.deepEqual(comparable(a), comparable(b));
    });
  }
});
