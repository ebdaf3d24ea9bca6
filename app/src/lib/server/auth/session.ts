// Looking up the caller's session. The cookie is only a handle: Better Auth checks it
// against identity.sessions on every request, so nothing is trusted from its contents.
import type { Cookies } from '@sveltejs/kit';
import { getSessionCookie } from 'better-auth/cookies';
import { cookiePrefixFor } from '$server/auth/cookies.ts';
import { config } from '$server/config.ts';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';

type SessionResult = NonNullable<Awaited<ReturnType<ReturnType<typeof services>['auth']['api']['getSession']>>>;
export type UserSession = SessionResult['session'];
export type SessionUser = SessionResult['user'];

export type LoadSessionOptions = {
  request: Request;
  cookies: Cookies;
};

export async function loadSession({ request, cookies }: LoadSessionOptions): Promise<SessionResult | null> {
  // No session cookie: skip the database round trip (every anonymous page view).
  if (!getSessionCookie(request, { cookiePrefix: cookiePrefixFor(config()) })) return null;
  const { headers, response } = await services().auth.api.getSession({
    headers: request.headers,
    returnHeaders: true,
  });
  // Better Auth refreshes the expiry (session.updateAge) or clears a dead cookie here.
  applyAuthCookies(headers, cookies);
  return response ?? null;
}
