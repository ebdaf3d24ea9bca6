// Sign-in with OAuth 2.0 / OpenID Connect (docs/adr/0013-oauth-providers-and-linking.md).
// Providers come from the environment (lib/config.ts): Google, GitHub and Microsoft through
// Better Auth's socialProviders, any number of OpenID Connect providers through the
// genericOAuth plugin. Every flow is the authorization code flow with PKCE (S256), a
// state bound to a cookie of this browser, and, for OpenID providers, an ID token whose
// signature, issuer, audience and nonce are checked against the provider's discovery
// document. The linking rule lives in `oauthPolicy` below.
import type { OAuth2Tokens } from '@better-auth/core/oauth2';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getOAuthState, isAPIError } from 'better-auth/api';
import { deleteSessionCookie } from 'better-auth/cookies';
import { generateRandomString } from 'better-auth/crypto';
import type { GenericOAuthConfig, GenericOAuthUserInfo } from 'better-auth/plugins';
import { decodeJwt } from 'jose';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { recordAudit, requestMeta } from './audit.ts';

/** A provider a person can sign in with, as the UI lists it. */
export type OAuthProviderInfo = { id: string; name: string };

const BUILT_IN_NAMES = { google: 'Google', github: 'GitHub', microsoft: 'Microsoft' } as const;

/** Better Auth `socialProviders`: each built-in provider whose client id and secret are set. */
export function socialProviders(config: Config) {
  return {
    ...(config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET
      ? { google: { clientId: config.GOOGLE_CLIENT_ID, clientSecret: config.GOOGLE_CLIENT_SECRET } }
      : {}),
    ...(config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET
      ? { github: { clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET } }
      : {}),
    ...(config.MICROSOFT_CLIENT_ID && config.MICROSOFT_CLIENT_SECRET
      ? {
          microsoft: {
            clientId: config.MICROSOFT_CLIENT_ID,
            clientSecret: config.MICROSOFT_CLIENT_SECRET,
            tenantId: config.MICROSOFT_TENANT_ID,
          },
        }
      : {}),
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The person an OpenID provider vouches for, stricter than Better Auth's default reading:
 * - an ID token is required (Better Auth verified its signature, iss, aud and nonce
 *   before this runs; without one it would trust the userinfo endpoint alone);
 * - claims the ID token lacks come from userinfo only for the same `sub` (OIDC Core 5.3.2);
 * - `email_verified` counts only when it is true (or "true"): a provider sending the
 *   string "false" must not pass as verified, since that is what linking relies on.
 */
export function oidcUserInfo(discoveryUrl: string) {
  let endpoint: Promise<string | null> | null = null;
  const userinfoEndpoint = () =>
    (endpoint ??= fetch(discoveryUrl)
      .then(async (res) =>
        res.ok ? text(((await res.json()) as { userinfo_endpoint?: unknown }).userinfo_endpoint) : undefined,
      )
      .then((url) => {
        if (!url) endpoint = null; // try again next time
        return url ?? null;
      })
      .catch(() => {
        endpoint = null;
        return null;
      }));

  return async (tokens: OAuth2Tokens): Promise<GenericOAuthUserInfo | null> => {
    if (!tokens.idToken) return null;
    const claims = decodeJwt(tokens.idToken) as Record<string, unknown>;
    const sub = text(claims.sub);
    if (!sub) return null;
    let profile = claims;
    if (!text(claims.email) && tokens.accessToken) {
      const url = await userinfoEndpoint();
      if (url) {
        const res = await fetch(url, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
        if (!res.ok) return null;
        const info = (await res.json()) as Record<string, unknown>;
        if (info.sub !== sub) return null;
        profile = { ...info, ...claims };
      }
    }
    return {
      sub,
      email: text(profile.email) ?? null,
      emailVerified: profile.email_verified === true || profile.email_verified === 'true',
      name: text(profile.name),
      image: text(profile.picture),
    };
  };
}

/** genericOAuth configs for OIDC_PROVIDERS: PKCE, and verified, nonce-bound ID tokens. */
export function oidcProviders(config: Config): GenericOAuthConfig[] {
  return config.OIDC_PROVIDERS.map((p) => ({
    providerId: p.id,
    name: p.name,
    discoveryUrl: p.discoveryUrl,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    scopes: p.scopes ?? ['openid', 'email', 'profile'],
    pkce: true,
    // Without the provider's issuer and JWKS the ID token could not be checked: the
    // provider is left out (and the failure logged) rather than trusted blindly.
    requireIdTokenVerification: true,
    disableIdTokenNonceBinding: false,
    getUserInfo: oidcUserInfo(p.discoveryUrl),
  }));
}

/** The configured providers, in the order the sign-in page shows them. */
export function oauthProviderList(config: Config): OAuthProviderInfo[] {
  const builtIn = Object.keys(socialProviders(config)) as (keyof typeof BUILT_IN_NAMES)[];
  return [
    ...builtIn.map((id) => ({ id, name: BUILT_IN_NAMES[id] })),
    ...config.OIDC_PROVIDERS.map((p) => ({ id: p.id, name: p.name })),
  ];
}

const BUILT_IN_AUTHORIZATION_ORIGINS = {
  google: 'https://accounts.google.com',
  github: 'https://github.com',
  microsoft: 'https://login.microsoftonline.com',
} as const;

/**
 * Origins the "Continue with …" forms redirect to, for the page's CSP form-action (a
 * browser applies form-action to the redirects that follow a form post too). For an OIDC
 * provider that is the origin of its discovery document, where providers keep their
 * authorization endpoint.
 */
export function oauthFormActionOrigins(config: Config): string[] {
  const builtIn = Object.keys(socialProviders(config)) as (keyof typeof BUILT_IN_AUTHORIZATION_ORIGINS)[];
  const origins = [
    ...builtIn.map((id) => BUILT_IN_AUTHORIZATION_ORIGINS[id]),
    ...config.OIDC_PROVIDERS.map((p) => new URL(p.discoveryUrl).origin),
  ];
  return [...new Set(origins)];
}

/** The Better Auth endpoints that create users from a provider's answer. */
const OAUTH_SIGN_IN_PATHS: ReadonlySet<string> = new Set(['/callback/:id', '/sign-in/social']);

/** The callback's redirect target, when it answered with one. */
function callbackLocation(returned: unknown, baseURL: string): URL | null {
  const location =
    isAPIError(returned) && returned.headers instanceof Headers ? returned.headers.get('location') : null;
  return location ? new URL(location, baseURL) : null;
}

/** Better Auth's twoFactor plugin: its pending-sign-in cookie and lifetime (plugin defaults). */
const TWO_FACTOR_COOKIE = 'two_factor';
const TWO_FACTOR_PENDING_SECONDS = 600;
/** The app's second-factor page at sign-in. */
const TWO_FACTOR_PAGE = '/sign-in/two-factor';

/**
 * After an OAuth callback created a session for someone with two-factor authentication on:
 * drop that session and leave the pending-challenge state the twoFactor plugin itself
 * leaves after a correct password (its signed cookie and verification rows), then send the
 * browser to the second-factor page with the original destination. Better Auth's plugin
 * only does this for the password sign-in endpoints, so without this hook a provider
 * sign-in would skip the second factor.
 */
const requireSecondFactorAfterOAuth = createAuthMiddleware(async (ctx) => {
  const data = ctx.context.newSession;
  if (!data || (data.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled !== true) return;
  const destination = callbackLocation(ctx.context.returned, ctx.context.baseURL);
  const redirectTo =
    destination && destination.origin === new URL(ctx.context.baseURL).origin ? destination.pathname : '/app';

  deleteSessionCookie(ctx, true);
  await ctx.context.internalAdapter.deleteSession(data.session.token);
  ctx.context.setNewSession(null);
  const identifier = `2fa-${generateRandomString(20)}`;
  const expiresAt = new Date(Date.now() + TWO_FACTOR_PENDING_SECONDS * 1000);
  await ctx.context.internalAdapter.createVerificationValue({ value: data.user.id, identifier, expiresAt });
  await ctx.context.internalAdapter.createVerificationValue({
    value: '0',
    identifier: `2fa-attempts-${identifier}`,
    expiresAt,
  });
  const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE, { maxAge: TWO_FACTOR_PENDING_SECONDS });
  await ctx.setSignedCookie(cookie.name, identifier, ctx.context.secret, cookie.attributes);
  throw ctx.redirect(`${TWO_FACTOR_PAGE}?redirectTo=${encodeURIComponent(redirectTo)}`);
});

export type OAuthPolicyDeps = { config: Config; db: Kysely<unknown> };

/**
 * The linking rule and its audit trail, as one Better Auth plugin:
 * - an OAuth identity joins an existing account (same email) only when the provider says
 *   the email is verified AND the account's own email is verified; otherwise the
 *   callback ends in `account_not_linked` and nothing is written (no takeover through
 *   an unverified claim, no pre-registered account captured by its squatter);
 * - no new account is created from an email the provider has not verified;
 * - no provider is "trusted" to skip that check, and a link made while signed in must
 *   carry the same email as the account;
 * - callback failures land on the sign-in page, which explains them;
 * - every identity linked at sign-in (new account or existing) is recorded as `oauth.linked`;
 * - a person with two-factor authentication on does not get a session from the provider
 *   alone: like a password sign-in, it becomes a pending second-factor challenge.
 */
export function oauthPolicy({ config, db }: OAuthPolicyDeps): BetterAuthPlugin {
  return {
    id: 'taskmaster-oauth-policy',
    hooks: {
      after: [{ matcher: (ctx) => ctx.path === '/callback/:id', handler: requireSecondFactorAfterOAuth }],
    },
    init: () => ({
      options: {
        account: {
          // Provider access and refresh tokens are sealed with the auth secret at rest.
          encryptOAuthTokens: true,
          accountLinking: {
            enabled: true,
            trustedProviders: [],
            requireLocalEmailVerified: true,
            allowDifferentEmails: false,
            updateUserInfoOnLink: false,
          },
        },
        onAPIError: { errorURL: new URL('/sign-in', config.PUBLIC_URL).toString() },
        databaseHooks: {
          user: {
            create: {
              // No new account for an email the provider has not verified: it would let
              // anyone squat an address, and, once its owner reset the password, keep a way
              // into the account through the provider (pre-account takeover).
              before: async (user, ctx) => {
                if (!ctx || !OAUTH_SIGN_IN_PATHS.has(ctx.path) || user.emailVerified === true) return;
                throw new APIError('FORBIDDEN', {
                  code: 'email_not_verified',
                  message: 'The provider has not verified this email address.',
                });
              },
            },
          },
          account: {
            create: {
              after: async (account, ctx) => {
                if (account.providerId === 'credential') return;
                // A link made from Settings → Connections is recorded by the audit mapping
                // (lib/auth/audit-plugin.ts, `/callback/:id` without a new session).
                if ((await getOAuthState())?.link) return;
                await recordAudit(db, {
                  event: 'oauth.linked',
                  outcome: 'success',
                  actorId: account.userId,
                  subjectId: account.userId,
                  ...requestMeta(ctx),
                  data: { provider: account.providerId },
                });
              },
            },
          },
        },
      },
    }),
  };
}
