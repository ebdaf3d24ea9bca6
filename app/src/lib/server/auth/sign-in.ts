import type { Cookies } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';
import { toAuthFailure, type AuthFailure } from './errors.ts';
import type { SignInInput } from './schemas.ts';

export type SignInOptions = { input: SignInInput; headers: Headers; cookies: Cookies };

/** Checks the password and starts a session. Returns a failure to show, or null on success. */
export async function signIn({ input, headers, cookies }: SignInOptions): Promise<AuthFailure | null> {
  try {
    const result = await services().auth.api.signInEmail({ body: input, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    return null;
  } catch (error) {
    const failure = toAuthFailure(error);
    if (!failure) throw error;
    return failure;
  }
}
