// Cookie names and attributes of Better Auth. Every cookie is HttpOnly and SameSite=Lax;
// Secure outside development (production, or any https PUBLIC_URL). Over https the names
// carry the `__Host-` prefix: the browser then only accepts them when Secure, Path=/ and
// without Domain, so no subdomain and no plain-http page can set or shadow them. Better
// Auth's own secure prefix is `__Secure-`, so it is turned off and the prefix goes into
// the name instead (secure still comes from the attributes).
import type { Config } from '../config.ts';

export const COOKIE_PREFIX = 'better-auth';
export const HOST_COOKIE_PREFIX = `__Host-${COOKIE_PREFIX}`;

/** The prefix of Better Auth's cookie names under this configuration. */
export function cookiePrefixFor(config: Pick<Config, 'PUBLIC_URL'>): string {
  return config.PUBLIC_URL.startsWith('https://') ? HOST_COOKIE_PREFIX : COOKIE_PREFIX;
}

/** `advanced` options of Better Auth for cookies. */
export function cookieOptions(config: Pick<Config, 'PUBLIC_URL' | 'isProduction'>) {
  const https = config.PUBLIC_URL.startsWith('https://');
  const secure = https || config.isProduction;
  return {
    // With __Host- in the name, Better Auth must not add __Secure- in front of it.
    useSecureCookies: secure && !https,
    cookiePrefix: cookiePrefixFor(config),
    defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' },
  };
}

/** Matches any of our auth cookie names, in every prefix variant (sign-out clears them all). */
export const AUTH_COOKIE_NAME = /^(__Secure-|__Host-)?better-auth[.-]/;
