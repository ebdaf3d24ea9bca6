// Password policy, cookies and CSRF of the identity endpoints, against the real gateway and
// Better Auth instances built from the project's options.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { getSessionCookie, parseSetCookieHeader } from 'better-auth/cookies';
import { isAPIError } from 'better-auth/api';
import { cookiePrefixFor } from '../../lib/auth/cookies.ts';
import { superuserQuery } from '../support/db.ts';
import { authWith, postAuth, useAuthGateway } from '../support/auth-gateway.ts';
import { cookiesFrom, uniqueEmail } from '../support/gateway.ts';

const PASSWORD = 'correct horse battery staple';
const gateway = useAuthGateway();

async function userCount(email: string) {
  const { rows } = await superuserQuery<{ n: number }>(
    'select count(*)::int as n from identity.users where email = $1',
    [email],
  );
  return rows[0]!.n;
}

describe('password policy', () => {
  for (const [label, password, code] of [
    ['a common password', 'Password2024!', 'PASSWORD_TOO_COMMON'],
    ['a common password of 10+ characters', 'qwertyuiop', 'PASSWORD_TOO_COMMON'],
    ['the email local part with digits', 'grace.hopper1906', 'PASSWORD_FROM_EMAIL'],
    ['the local part reversed', 'reppoh.ecarg', 'PASSWORD_FROM_EMAIL'],
  ] as const) {
    test(`sign-up refuses ${label} with 400 ${code} and creates nothing`, async () => {
      const g = await gateway();
      const email = `grace.hopper@${randomBytes(4).toString('hex')}.example.test`;
      const body = { name: 'Grace', email, password };
      const res = await postAuth(g, '/sign-up/email', body);
      assert.equal(res.status, 400);
      const json = (await res.json()) as { code: string; message: string };
      assert.equal(json.code, code);
      assert.ok(json.message.length > 10);
      assert.equal(await userCount(email), 0);
    });
  }

  test('change-password and reset-password refuse a policy-breaking new password and keep the old one', async () => {
    const g = await gateway();
    const email = uniqueEmail('policy');
    const signUp = await postAuth(g, '/sign-up/email', { name: 'P', email, password: PASSWORD });
    assert.equal(signUp.status, 200);
    const cookie = cookiesFrom(signUp);
    const change = await postAuth(
      g,
      '/change-password',
      { currentPassword: PASSWORD, newPassword: 'iloveyou12345' },
      undefined,
      cookie,
    );
    assert.equal(change.status, 400);
    assert.equal(((await change.json()) as { code: string }).code, 'PASSWORD_TOO_COMMON');

    const { rows } = await superuserQuery<{ id: string }>('select id from identity.users where email = $1', [email]);
    const ctx = await g.auth.$context;
    const token = randomBytes(16).toString('hex');
    await ctx.internalAdapter.createVerificationValue({
      identifier: `reset-password:${token}`,
      value: rows[0]!.id,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const reset = await postAuth(g, '/reset-password', { token, newPassword: `${email.split('@')[0]}99` });
    assert.equal(reset.status, 400);
    assert.equal(((await reset.json()) as { code: string }).code, 'PASSWORD_FROM_EMAIL');
    // Nothing changed: the old password still signs in, and the token is still usable.
    assert.equal((await postAuth(g, '/sign-in/email', { email, password: PASSWORD })).status, 200);
    const ok = await postAuth(g, '/reset-password', { token, newPassword: 'a sound new passphrase' });
    assert.equal(ok.status, 200, await ok.clone().text());
  });

  test('direct auth.api calls (the app) get the same refusal', async () => {
    const g = await gateway();
    await assert.rejects(
      g.auth.api.signUpEmail({ body: { name: 'D', email: uniqueEmail('direct'), password: 'football12345' } }),
      (e: unknown) =>
        isAPIError(e) && e.statusCode === 400 && (e.body as { code?: string }).code === 'PASSWORD_TOO_COMMON',
    );
  });
});

describe('CSRF on the JSON auth endpoints', () => {
  test('a text/plain POST without Origin is refused with 403 and signs nobody in', async () => {
    const g = await gateway();
    const email = uniqueEmail('csrf');
    assert.equal((await postAuth(g, '/sign-up/email', { name: 'C', email, password: PASSWORD })).status, 200);
    const res = await fetch(`${g.url}/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'CSRF_REJECTED');
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  test('a form post from another origin is refused; application/json passes the guard', async () => {
    const g = await gateway();
    const form = await fetch(`${g.url}/auth/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'x=1',
    });
    assert.equal(form.status, 403);
    const json = await fetch(`${g.url}/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('csrf'), password: 'wrong password 123' }),
    });
    assert.equal(json.status, 401, 'the JSON request reached Better Auth');
  });
});

describe('cookies', () => {
  function sessionCookieOf(headers: Headers) {
    for (const header of headers.getSetCookie()) {
      for (const [name, attrs] of parseSetCookieHeader(header))
        if (name.endsWith('.session_token')) return { name, attrs, header };
    }
    throw new Error(`no session cookie in ${headers.getSetCookie().join(' | ')}`);
  }

  test('https PUBLIC_URL: __Host- name, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain; the app finds it', async () => {
    const { auth, config } = authWith({ PUBLIC_URL: 'https://tasks.example.test' });
    const { headers } = await auth.api.signUpEmail({
      body: { name: 'H', email: uniqueEmail('host'), password: PASSWORD },
      returnHeaders: true,
    });
    const { name, attrs, header } = sessionCookieOf(headers);
    assert.equal(name, '__Host-better-auth.session_token');
    assert.equal(attrs.secure, true);
    assert.equal(attrs.httponly, true);
    assert.equal(String(attrs.samesite).toLowerCase(), 'lax');
    assert.equal(attrs.path, '/');
    assert.doesNotMatch(header, /domain=/i);
    const cookie = `${name}=${encodeURIComponent(attrs.value)}`;
    assert.ok(getSessionCookie(new Headers({ cookie }), { cookiePrefix: cookiePrefixFor(config) }));
    const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
    assert.ok(session?.user.id, 'Better Auth reads its own __Host- cookie back');
  });

  test('production over plain http still marks cookies Secure (the __Secure- prefix)', async () => {
    const { auth } = authWith({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://internal.example.test',
      SMTP_URL: 'smtp://127.0.0.1:1',
      MAIL_FROM: 'TaskMaster <t@example.test>',
    });
    const { headers } = await auth.api.signUpEmail({
      body: { name: 'S', email: uniqueEmail('secure'), password: PASSWORD },
      returnHeaders: true,
    });
    const { name, attrs } = sessionCookieOf(headers);
    assert.equal(name, '__Secure-better-auth.session_token');
    assert.equal(attrs.secure, true);
    assert.equal(attrs.httponly, true);
  });

  test('development over http: HttpOnly and SameSite=Lax, not Secure', async () => {
    const g = await gateway();
    const res = await postAuth(g, '/sign-up/email', { name: 'D', email: uniqueEmail('dev'), password: PASSWORD });
    const { name, attrs } = sessionCookieOf(res.headers);
    assert.equal(name, 'better-auth.session_token');
    assert.equal(attrs.httponly, true);
    assert.equal(String(attrs.samesite).toLowerCase(), 'lax');
    assert.notEqual(attrs.secure, true);
  });
});
