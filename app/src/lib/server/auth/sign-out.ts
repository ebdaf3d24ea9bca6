import type { Cookies } from '@sveltejs/kit';
import { isAPIError } from 'better-auth/api';
import { AUTH_COOKIE_NAME } from '$server/auth/cookies.ts';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';

export type SignOutOptions = { headers: Headers; cookies: Cookies };

/** Ends the session in the database and clears the auth cookies, even if the session was already gone. */
export async function signOut({ headers, cookies }: SignOutOptions): Promise<void> {
  try {
    const result = await services().auth.api.signOut({ headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
  } catch (error) {
    if (!isAPIError(error) || error.statusCode >= 500) throw error;
  }
  for (const { name } of cookies.getAll()) {
    if (AUTH_COOKIE_NAME.test(name)) cookies.delete(name, { path: '/' });
  }
}
