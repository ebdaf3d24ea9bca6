// "Continue with <provider>" and Settings → Connections, as plain forms: each action asks
// Better Auth for the provider's authorization URL (which sets the state cookie of this
// browser, applied here) and answers with a 303 to it, so the flow needs no JavaScript.
// The provider's answer comes back to the gateway (/auth/callback/<id>), which redirects
// to the page the person came from, or to ?error=<code> on failure: the code is turned
// into our own sentence here, and nothing the provider wrote (error_description) is ever
// shown: it is attacker-controllable text on our page.
import type { Cookies } from '@sveltejs/kit';
import { isAPIError } from 'better-auth/api';
import { z } from 'zod';
import { oauthFormActionOrigins, oauthProviderList, type OAuthProviderInfo } from '$server/auth/oauth.ts';
import { logger } from '$server/logger.ts';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';

export type { OAuthProviderInfo };

export const providerIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/);

/** Where "Continue with …" may send the browser (redirect allowlist and CSP form-action). */
export function oauthRedirectOrigins(): string[] {
  return oauthFormActionOrigins(services().config);
}

export function oauthProviders(): OAuthProviderInfo[] {
  return oauthProviderList(services().config);
}

export function findOAuthProvider(id: unknown): OAuthProviderInfo | undefined {
  const parsed = providerIdSchema.safeParse(id);
  return parsed.success ? oauthProviders().find((p) => p.id === parsed.data) : undefined;
}

/** The name a person knows a sign-in method by ("credential" is the password). */
export function providerName(id: string): string {
  if (id === 'credential') return 'Password';
  return oauthProviders().find((p) => p.id === id)?.name ?? id;
}

const RESTART = 'That sign-in attempt expired or was started in another browser. Please try again.';
const UNVERIFIED = 'We could not verify the response from the provider, so you were not signed in. Please try again.';

const MESSAGES: Record<string, string> = {
  account_not_linked:
    'An account with this email already exists, and we could not link it: either the provider did not confirm the email address, or the account’s email is not verified yet. Sign in another way, then connect the provider under Settings → Connections.',
  unable_to_link_account:
    'The provider did not confirm this email address, so that account cannot be connected. Verify the email address with the provider and try again.',
  email_not_verified:
    'The provider has not verified this email address, so we cannot create an account with it. Verify it with the provider, or sign up with a password.',
  email_does_not_match: 'That provider account uses a different email address than this account.',
  account_already_linked_to_different_user: 'That provider account is already connected to another TaskMaster account.',
  email_not_found: 'The provider did not share an email address. Allow access to your email address and try again.',
  access_denied: 'Signing in with the provider was cancelled.',
  signup_disabled: 'There is no account for that email address yet.',
  state_mismatch: RESTART,
  state_not_found: RESTART,
  state_invalid: RESTART,
  please_restart_the_process: RESTART,
  invalid_code: UNVERIFIED,
  unable_to_get_user_info: UNVERIFIED,
  issuer_mismatch: UNVERIFIED,
  nonce_binding_missing: UNVERIFIED,
  oauth_provider_not_found: 'That sign-in provider is not available.',
  // Better Auth's other redirect errors also land here (its error page redirects to sign-in).
  INVALID_TOKEN: 'That link is invalid or has already been used. Request a new one.',
  EXPIRED_TOKEN: 'That link has expired. Request a new one.',
  ATTEMPTS_EXCEEDED: 'That link has already been used. Request a new one.',
  session_not_fresh: 'For your security, sign out and sign in again before changing how you sign in.',
};
const FALLBACK = 'Signing in did not work. Please try again, or use another way to sign in.';

/** Our message for an `?error=` code from the OAuth callback, or null when there is none. */
export function oauthErrorMessage(code: string | null): string | null {
  if (!code) return null;
  return MESSAGES[code] ?? FALLBACK;
}

/** What the sign-in and sign-up pages need: the buttons and a callback error, if any. */
export function oauthChoices(url: URL) {
  return { providers: oauthProviders(), error: oauthErrorMessage(url.searchParams.get('error')) };
}

export type StartOAuthOptions = {
  provider: OAuthProviderInfo;
  /** Path inside the app to land on afterwards (already checked by redirectTarget). */
  callbackPath: string;
  /** Path inside the app to land on with ?error= when it fails. */
  errorPath: string;
  headers: Headers;
  cookies: Cookies;
  /** Connect the provider to the signed-in account instead of signing in. */
  link?: boolean;
};

/** The provider's URL to send the browser to, or an error code for oauthErrorMessage. */
export type StartOAuthResult = { url: string } | { error: string };

export async function startOAuth({
  provider,
  callbackPath,
  errorPath,
  headers,
  cookies,
  link = false,
}: StartOAuthOptions): Promise<StartOAuthResult> {
  const body = {
    provider: provider.id,
    callbackURL: callbackPath,
    errorCallbackURL: errorPath,
    disableRedirect: true,
  };
  try {
    const api = services().auth.api;
    const result = link
      ? await api.linkSocialAccount({ body, headers, returnHeaders: true })
      : await api.signInSocial({ body, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    const url = result.response?.url;
    if (!url) return { error: 'oauth_start_failed' };
    // Only to the origins the page's CSP form-action allows (else the browser would block
    // the redirect): an authorization endpoint elsewhere is a configuration to fix.
    if (!oauthRedirectOrigins().includes(new URL(url).origin)) {
      logger.error(
        { provider: provider.id, origin: new URL(url).origin },
        'oauth authorization endpoint origin not allowed',
      );
      return { error: 'oauth_start_failed' };
    }
    return { url };
  } catch (error) {
    if (isAPIError(error) && error.statusCode < 500) {
      return { error: error.body?.code === 'SESSION_NOT_FRESH' ? 'session_not_fresh' : 'oauth_start_failed' };
    }
    throw error;
  }
}

/**
 * The page's Content-Security-Policy with the providers' origins added to form-action, so
 * the browser follows the 303 from a "Continue with …" form to the provider.
 */
export function allowOAuthFormActions(csp: string): string {
  const origins = oauthRedirectOrigins();
  if (origins.length === 0) return csp;
  return csp
    .split(';')
    .map((directive) =>
      directive.trim().startsWith('form-action ') ? `${directive.trimEnd()} ${origins.join(' ')}` : directive,
    )
    .join(';');
}
