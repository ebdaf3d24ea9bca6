// OAuth settings in lib/config.ts and the options lib/auth/oauth.ts builds from them:
// providers on only when configured, OIDC providers validated, PKCE and verified, nonce-bound
// ID tokens always on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../lib/config.ts';
import { oauthFormActionOrigins, oauthProviderList, oidcProviders, socialProviders } from '../../lib/auth/oauth.ts';

const valid = {
  POSTGRES_PASSWORD: 'a-long-password-1',
  AUTHENTICATOR_PASSWORD: 'another-long-password',
  BETTER_AUTH_SECRET: 'x'.repeat(32),
};

const acme = {
  id: 'acme-sso',
  name: 'Acme SSO',
  discoveryUrl: 'https://sso.acme.example/.well-known/openid-configuration',
  clientId: 'client',
  clientSecret: 'secret',
};

test('no provider is configured by default', () => {
  const c = parseConfig(valid);
  assert.deepEqual(socialProviders(c), {});
  assert.deepEqual(oidcProviders(c), []);
  assert.deepEqual(oauthProviderList(c), []);
  assert.deepEqual(oauthFormActionOrigins(c), []);
});

test('a built-in provider needs both its client id and secret', () => {
  assert.throws(() => parseConfig({ ...valid, GOOGLE_CLIENT_ID: 'id' }), /GOOGLE_CLIENT_SECRET: set both/);
  assert.throws(() => parseConfig({ ...valid, GITHUB_CLIENT_SECRET: 's' }), /GITHUB_CLIENT_ID: set both/);
  const c = parseConfig({
    ...valid,
    GITHUB_CLIENT_ID: 'gh',
    GITHUB_CLIENT_SECRET: 'gh-secret',
    MICROSOFT_CLIENT_ID: 'ms',
    MICROSOFT_CLIENT_SECRET: 'ms-secret',
    MICROSOFT_TENANT_ID: 'contoso.onmicrosoft.com',
  });
  assert.deepEqual(socialProviders(c), {
    github: { clientId: 'gh', clientSecret: 'gh-secret' },
    microsoft: { clientId: 'ms', clientSecret: 'ms-secret', tenantId: 'contoso.onmicrosoft.com' },
  });
  assert.deepEqual(
    oauthProviderList(c).map((p) => p.name),
    ['GitHub', 'Microsoft'],
  );
  assert.deepEqual(oauthFormActionOrigins(c), ['https://github.com', 'https://login.microsoftonline.com']);
  assert.throws(() => parseConfig({ ...valid, MICROSOFT_TENANT_ID: 'a/b' }), /MICROSOFT_TENANT_ID/);
});

test('OIDC providers are a validated JSON array and always use PKCE and verified, nonce-bound ID tokens', () => {
  const c = parseConfig({ ...valid, OIDC_PROVIDERS: JSON.stringify([acme]) });
  const [config] = oidcProviders(c);
  assert.equal(config?.providerId, 'acme-sso');
  assert.equal(config?.pkce, true);
  assert.equal(config?.requireIdTokenVerification, true);
  assert.equal(config?.disableIdTokenNonceBinding, false);
  assert.deepEqual(config?.scopes, ['openid', 'email', 'profile']);
  assert.deepEqual(oauthFormActionOrigins(c), ['https://sso.acme.example']);

  const bad = (providers: unknown) => () => parseConfig({ ...valid, OIDC_PROVIDERS: JSON.stringify(providers) });
  assert.throws(() => parseConfig({ ...valid, OIDC_PROVIDERS: '{not json' }), /OIDC_PROVIDERS: must be a JSON array/);
  assert.throws(bad({ ...acme }), /OIDC_PROVIDERS/);
  assert.throws(bad([{ ...acme, id: 'Acme SSO' }]), /ids are 1-40 characters/);
  assert.throws(bad([{ ...acme, id: 'google' }]), /built-in provider/);
  assert.throws(bad([acme, acme]), /appears twice/);
  assert.throws(bad([{ ...acme, discoveryUrl: 'ftp://x.example/' }]), /http\(s\) URL/);
  assert.throws(bad([{ ...acme, clientSecret: '' }]), /OIDC_PROVIDERS/);
  assert.throws(bad([{ ...acme, extra: true }]), /OIDC_PROVIDERS/);
});

test('a configuration error never echoes a client secret', () => {
  try {
    parseConfig({
      ...valid,
      OIDC_PROVIDERS: JSON.stringify([{ ...acme, id: 'BAD', clientSecret: 'super-secret-value' }]),
    });
    assert.fail('expected a configuration error');
  } catch (error) {
    assert.doesNotMatch((error as Error).message, /super-secret-value/);
  }
});
