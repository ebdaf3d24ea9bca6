// Sign-in with OpenID Connect against a real OpenID Provider (oidc-provider, started here),
// over HTTP through the real gateway: the full authorization code flow with PKCE, state and
// nonce, the linking rule (only through verified emails), and the attacks each check is
// there for.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { closeServices } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';
import { CookieJar, loginAtProvider, startOidcTestProvider, type OidcTestProvider } from '../support/oidc-provider.ts';

const PROVIDER = 'test-op';
const publicUrl = new URL(process.env.PUBLIC_URL ?? 'http://localhost:54331');

let op: OidcTestProvider;
let gw: TestGateway;

before(async () => {
  op = await startOidcTestProvider({ redirectUris: [new URL(`/auth/callback/${PROVIDER}`, publicUrl).toString()] });
  // Read once by lib/config.ts when the services start (below, in startGateway).
  process.env.OIDC_PROVIDERS = JSON.stringify([
    {
      id: PROVIDER,
      name: 'Test Provider',
      discoveryUrl: op.discoveryUrl,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
    },
  ]);
  gw = await startGateway();
});
after(async () => {
  await gw.close();
  await closeServices();
  await op.close();
});

type Started = { authorizationUrl: URL; cookie: string; state: string };

/** What the "Continue with …" button does: ask Better Auth for the provider's URL. */
async function begin(): Promise<Started> {
  const res = await fetch(`${gw.url}/auth/sign-in/social`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: publicUrl.origin },
    body: JSON.stringify({
      provider: PROVIDER,
      callbackURL: '/app',
      errorCallbackURL: '/sign-in',
      disableRedirect: true,
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { url: string };
  const authorizationUrl = new URL(body.url);
  return { authorizationUrl, cookie: cookiesFrom(res), state: authorizationUrl.searchParams.get('state') ?? '' };
}

/** The browser arriving back at our callback (the provider redirected to PUBLIC_URL). */
async function callback(url: URL, cookie: string): Promise<{ status: number; location: URL; cookie: string }> {
  const res = await fetch(`${gw.url}${url.pathname}${url.search}`, { headers: { cookie }, redirect: 'manual' });
  return {
    status: res.status,
    location: new URL(res.headers.get('location') ?? '', publicUrl),
    cookie: cookiesFrom(res),
  };
}

async function signInWithProvider(login: string) {
  const started = await begin();
  const back = await loginAtProvider(started.authorizationUrl.toString(), login);
  return { started, back, result: await callback(back, started.cookie) };
}

async function sessionEmail(cookie: string): Promise<string | null> {
  const res = await fetch(`${gw.url}/auth/get-session`, { headers: { cookie } });
  const body = (await res.json()) as { user?: { email: string } } | null;
  return body?.user?.email ?? null;
}

async function accountsOf(email: string): Promise<string[]> {
  const { rows } = await superuserQuery<{ provider_id: string }>(
    `select a.provider_id from identity.accounts a join identity.users u on u.id = a.user_id
      where u.email = $1 order by a.provider_id`,
    [email],
  );
  return rows.map((r) => r.provider_id);
}

async function linkedEvents(email: string): Promise<unknown[]> {
  const { rows } = await superuserQuery<{ provider: string | null }>(
    `select a.data ->> 'provider' as provider from account.audit a join identity.users u on u.id = a.subject_id
      where u.email = $1 and a.event = 'oauth.linked' and a.outcome = 'success'`,
    [email],
  );
  return rows.map((r) => ({ provider: r.provider }));
}

async function refusedLinkCount(reason: string): Promise<number> {
  const { rows } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from account.audit
      where outcome = 'failure' and reason = $1 and data ->> 'provider' = $2`,
    [reason, PROVIDER],
  );
  return rows[0]?.n ?? 0;
}

async function verifyLocally(email: string) {
  await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
}

function assertRefused(result: { status: number; location: URL; cookie: string }, error: string | RegExp) {
  assert.equal(result.status, 302);
  assert.equal(result.location.pathname, '/sign-in');
  const code = result.location.searchParams.get('error') ?? '';
  if (typeof error === 'string') assert.equal(code, error);
  else assert.match(code, error);
  assert.doesNotMatch(result.cookie, /session_token=[^;]/, 'no session was started');
}

describe('authorization request', () => {
  test('is the code flow with PKCE (S256), a state and a nonce, for our callback', async () => {
    const { authorizationUrl: url } = await begin();
    assert.equal(url.origin, op.issuer);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('client_id'), op.clientId);
    assert.equal(url.searchParams.get('redirect_uri'), new URL(`/auth/callback/${PROVIDER}`, publicUrl).toString());
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((url.searchParams.get('state') ?? '').length >= 32);
    assert.ok((url.searchParams.get('nonce') ?? '').length >= 32);
    assert.deepEqual((url.searchParams.get('scope') ?? '').split(' ').sort(), ['email', 'openid', 'profile']);
  });

  test('an unknown provider id is a 4xx, not a redirect', async () => {
    const res = await fetch(`${gw.url}/auth/sign-in/social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: publicUrl.origin },
      body: JSON.stringify({ provider: 'nope', callbackURL: '/app' }),
    });
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
  });
});

describe('sign-in with an OpenID provider', () => {
  test('a new person gets an account (email verified by the provider), a session, and an audit record', async () => {
    const email = uniqueEmail('oauth-new');
    const { result } = await signInWithProvider(email);
    assert.equal(result.status, 302);
    assert.equal(result.location.pathname, '/app');
    assert.equal(await sessionEmail(result.cookie), email);
    assert.deepEqual(await accountsOf(email), [PROVIDER]);
    const { rows } = await superuserQuery<{ email_verified: boolean }>(
      `select email_verified from identity.users where email = $1`,
      [email],
    );
    assert.equal(rows[0]?.email_verified, true);
    assert.deepEqual(await linkedEvents(email), [{ provider: PROVIDER }]);
    const tokens = await superuserQuery<{ access_token: string | null }>(
      `select a.access_token from identity.accounts a join identity.users u on u.id = a.user_id where u.email = $1`,
      [email],
    );
    const audited = await superuserQuery<{ ip: string | null; user_agent: string | null }>(
      `select host(a.ip) as ip, a.user_agent from account.audit a join identity.users u on u.id = a.subject_id
        where u.email = $1 and a.event = 'oauth.linked'`,
      [email],
    );
    assert.equal(audited.rows[0]?.ip, '127.0.0.1', 'the client address is recorded');
    assert.ok(audited.rows[0]?.user_agent);
    // The provider's access token is stored sealed (Better Auth's symmetric envelope), not as issued.
    assert.match(tokens.rows[0]?.access_token ?? '', /^\$ba\$|^(?:[0-9a-f]{2}){40,}$/);
  });

  test('no account is created for an email the provider has not verified', async () => {
    const email = uniqueEmail('oauth-new-unverified');
    const login = `new-unverified-${email}`;
    op.setAccount(login, { email, email_verified: false });
    const { result } = await signInWithProvider(login);
    assertRefused(result, 'email_not_verified');
    const { rows } = await superuserQuery(`select 1 from identity.users where email = $1`, [email]);
    assert.equal(rows.length, 0);
  });

  test('claims the ID token lacks are read from userinfo, for the same subject', async () => {
    const email = uniqueEmail('oauth-userinfo');
    op.replaceNextIdToken((real) => {
      const { email: _e, email_verified: _v, name: _n, ...rest } = real;
      return op.signIdToken(rest);
    });
    const { result } = await signInWithProvider(email);
    assert.equal(result.location.pathname, '/app');
    assert.equal(await sessionEmail(result.cookie), email);
  });

  test('signing in again with the same identity reuses the account', async () => {
    const email = uniqueEmail('oauth-again');
    await signInWithProvider(email);
    const { result } = await signInWithProvider(email);
    assert.equal(result.location.pathname, '/app');
    assert.equal(await sessionEmail(result.cookie), email);
    assert.deepEqual(await accountsOf(email), [PROVIDER]);
    assert.equal((await linkedEvents(email)).length, 1);
  });

  test('a provider-verified email links to the existing verified account with that email', async () => {
    const email = uniqueEmail('oauth-link');
    assert.equal((await signUp(gw.url, email)).status, 200);
    await verifyLocally(email);
    const { result } = await signInWithProvider(email);
    assert.equal(result.location.pathname, '/app');
    assert.equal(await sessionEmail(result.cookie), email);
    assert.deepEqual(await accountsOf(email), ['credential', PROVIDER]);
    assert.deepEqual(await linkedEvents(email), [{ provider: PROVIDER }]);
  });

  test('an email the provider has not verified never links to (or signs into) an existing account', async () => {
    const email = uniqueEmail('oauth-unverified');
    assert.equal((await signUp(gw.url, email)).status, 200);
    await verifyLocally(email);
    const login = `attacker-${email}`;
    op.setAccount(login, { email, email_verified: false });
    const refusals = () => refusedLinkCount('account_not_linked');
    const before = await refusals();
    const { result } = await signInWithProvider(login);
    assertRefused(result, 'account_not_linked');
    assert.deepEqual(await accountsOf(email), ['credential']);
    assert.deepEqual(await linkedEvents(email), []);
    assert.equal(await refusals(), before + 1, 'the refusal is in the audit log, once');
  });

  test('email_verified sent as the string "false" does not count as verified', async () => {
    const email = uniqueEmail('oauth-string-false');
    assert.equal((await signUp(gw.url, email)).status, 200);
    await verifyLocally(email);
    const login = `string-false-${email}`;
    op.setAccount(login, { email, email_verified: 'false' });
    const { result } = await signInWithProvider(login);
    assertRefused(result, 'account_not_linked');
    assert.deepEqual(await accountsOf(email), ['credential']);
  });

  test('an account whose own email is unverified is not linked either (a squatted sign-up stays apart)', async () => {
    const email = uniqueEmail('oauth-squat');
    assert.equal((await signUp(gw.url, email)).status, 200);
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'account_not_linked');
    assert.deepEqual(await accountsOf(email), ['credential']);
  });
});

describe('connecting a provider while signed in', () => {
  test('links the identity to the account (same verified email) and audits it once', async () => {
    const email = uniqueEmail('oauth-settings-link');
    const signedUp = await signUp(gw.url, email);
    assert.equal(signedUp.status, 200);
    const session = cookiesFrom(signedUp);
    const res = await fetch(`${gw.url}/auth/link-social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: publicUrl.origin, cookie: session },
      body: JSON.stringify({
        provider: PROVIDER,
        callbackURL: '/app/settings/connections?linked=test-op',
        errorCallbackURL: '/app/settings/connections',
        disableRedirect: true,
      }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { url } = (await res.json()) as { url: string };
    const back = await loginAtProvider(url, email);
    const result = await callback(back, [session, cookiesFrom(res)].filter(Boolean).join('; '));
    assert.equal(result.status, 302);
    assert.equal(`${result.location.pathname}${result.location.search}`, '/app/settings/connections?linked=test-op');
    assert.deepEqual(await accountsOf(email), ['credential', PROVIDER]);
    assert.deepEqual(await linkedEvents(email), [{ provider: PROVIDER }]);
  });
});

describe('refused callbacks', () => {
  test('a tampered state is refused', async () => {
    const email = uniqueEmail('oauth-state');
    const started = await begin();
    const back = await loginAtProvider(started.authorizationUrl.toString(), email);
    back.searchParams.set('state', `${started.state.slice(0, -1)}${started.state.endsWith('a') ? 'b' : 'a'}`);
    assertRefused(
      await callback(back, started.cookie),
      /^(state_mismatch|state_not_found|please_restart_the_process)$/,
    );
    assert.deepEqual(await accountsOf(email), []);
  });

  test('a callback in another browser (no state cookie: login CSRF) is refused', async () => {
    const email = uniqueEmail('oauth-csrf');
    const started = await begin();
    const back = await loginAtProvider(started.authorizationUrl.toString(), email);
    assertRefused(await callback(back, ''), 'state_mismatch');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('an ID token bound to another nonce is refused', async () => {
    const email = uniqueEmail('oauth-nonce');
    op.replaceNextIdToken((real) => op.signIdToken({ ...real, nonce: 'a-nonce-from-another-flow' }));
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('an ID token without a nonce is refused', async () => {
    const email = uniqueEmail('oauth-no-nonce');
    op.replaceNextIdToken((real) => {
      const { nonce: _nonce, ...rest } = real;
      return op.signIdToken(rest);
    });
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('a token response without an ID token is refused (no falling back to userinfo alone)', async () => {
    const email = uniqueEmail('oauth-no-id-token');
    op.replaceNextIdToken(() => Promise.resolve(null));
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('userinfo about another subject than the ID token is refused', async () => {
    const email = uniqueEmail('oauth-sub-mismatch');
    op.replaceNextIdToken((real) => {
      const { email: _e, email_verified: _v, name: _n, ...rest } = real;
      return op.signIdToken({ ...rest, sub: 'someone-else' });
    });
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('an ID token issued to another client is refused', async () => {
    const email = uniqueEmail('oauth-aud');
    op.replaceNextIdToken((real) => op.signIdToken({ ...real, aud: 'another-client', azp: 'another-client' }));
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('an ID token from another issuer is refused', async () => {
    const email = uniqueEmail('oauth-iss');
    op.replaceNextIdToken((real) => op.signIdToken({ ...real, iss: 'http://127.0.0.1:1/evil' }));
    const { result } = await signInWithProvider(email);
    assertRefused(result, 'unable_to_get_user_info');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('a code redeemed with the wrong PKCE verifier is refused by the provider', async () => {
    const email = uniqueEmail('oauth-pkce');
    const started = await begin();
    // The verifier lives server-side with the state; swap it as an attacker holding a
    // stolen code (but not the verifier) would have to.
    const { rowCount } = await superuserQuery(
      `update identity.verifications
          set value = jsonb_set(value::jsonb, '{codeVerifier}', to_jsonb(repeat('x', 64)))::text
        where case when left(value, 1) = '{' then value::jsonb ->> 'oauthState' end = $1`,
      [started.state],
    );
    assert.equal(rowCount, 1);
    const back = await loginAtProvider(started.authorizationUrl.toString(), email);
    assertRefused(await callback(back, started.cookie), 'invalid_code');
    assert.deepEqual(await accountsOf(email), []);
  });

  test('an authorization request without a PKCE challenge is refused by the provider', async () => {
    const { authorizationUrl } = await begin();
    authorizationUrl.searchParams.delete('code_challenge');
    authorizationUrl.searchParams.delete('code_challenge_method');
    const back = await loginAtProvider(authorizationUrl.toString(), uniqueEmail('oauth-no-pkce'));
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description') ?? '', /PKCE/);
    assert.equal(back.searchParams.get('code'), null);
  });

  test('a provider error (the person cancelled) lands on the sign-in page with the code', async () => {
    const started = await begin();
    const back = new URL(`/auth/callback/${PROVIDER}`, publicUrl);
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', started.state);
    const result = await callback(back, started.cookie);
    assertRefused(result, 'access_denied');
  });
});

describe('two-factor authentication', () => {
  test('a provider sign-in does not skip the second factor', async () => {
    const email = uniqueEmail('oauth-2fa');
    const password = 'correct horse battery staple';
    const signedUp = await signUp(gw.url, email, password);
    assert.equal(signedUp.status, 200);
    await verifyLocally(email);
    const json = (cookie: string) => ({ 'content-type': 'application/json', origin: publicUrl.origin, cookie });
    const enable = await fetch(`${gw.url}/auth/two-factor/enable`, {
      method: 'POST',
      headers: json(cookiesFrom(signedUp)),
      body: JSON.stringify({ password }),
    });
    assert.equal(enable.status, 200, await enable.clone().text());
    const { totpURI, backupCodes } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
    const enrolled = await fetch(`${gw.url}/auth/two-factor/verify-totp`, {
      method: 'POST',
      headers: json(cookiesFrom(signedUp)),
      body: JSON.stringify({ code: OTPAuth.URI.parse(totpURI).generate() }),
    });
    assert.equal(enrolled.status, 200, await enrolled.clone().text());
    const sessions = async () =>
      (
        await superuserQuery<{ n: number }>(
          `select count(*)::int as n from identity.sessions s join identity.users u on u.id = s.user_id where u.email = $1`,
          [email],
        )
      ).rows[0]?.n;
    const before = await sessions();

    const started = await begin();
    const back = await loginAtProvider(started.authorizationUrl.toString(), email);
    // What a browser keeps: later Set-Cookie headers win.
    const jar = new CookieJar();
    const res = await jar.fetch(`${gw.url}${back.pathname}${back.search}`, { headers: { cookie: started.cookie } });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location') ?? '', publicUrl);
    assert.equal(location.pathname, '/sign-in/two-factor');
    assert.equal(location.searchParams.get('redirectTo'), '/app');
    const cookie = jar.header(gw.url);
    assert.doesNotMatch(cookie, /session_token=[^;]/, 'no session cookie before the second factor');
    assert.match(cookie, /two_factor=/);
    assert.equal(await sessions(), before, 'the session the callback made is gone');
    assert.equal(await sessionEmail(cookie), null);

    const done = await fetch(`${gw.url}/auth/two-factor/verify-backup-code`, {
      method: 'POST',
      headers: json(cookie),
      body: JSON.stringify({ code: backupCodes[0] }),
    });
    assert.equal(done.status, 200, await done.clone().text());
    assert.equal(await sessionEmail(cookiesFrom(done)), email);
  });
});
