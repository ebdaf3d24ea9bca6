import type { Cookies } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';
import { toAuthFailure, type AuthFailure } from './errors.ts';
import type { SignInInput } from './schemas.ts';

export type SignInOptions = { input: SignInInput; headers: Headers; cookies: Cookies };

/**
 * Checks the password and starts a session. Returns a failure to show, null on success, or
 * 'two-factor' when the person must still enter a second factor (/sign-in/two-factor).
 */
export async function signIn({ input, headers, cookies }: SignInOptions): Promise<AuthFailure | 'two-factor' | null> {
  try {
    const result = await services().auth.api.signInEmail({ body: input, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    if ((result.response as { twoFactorRedirect?: boolean }).twoFactorRedirect) return 'two-factor';
    return null;
  } catch (error) {
    const failure = toAuthFailure(error);
    if (!failure) throw error;
    return failure;
  }
}
