import type { Cookies } from '@sveltejs/kit';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';
import { toAuthFailure, type AuthFailure } from './errors.ts';
import type { SignUpInput } from './schemas.ts';

export type SignUpOptions = { input: SignUpInput; headers: Headers; cookies: Cookies };

/**
 * Creates the account (a trigger gives it a personal workspace in the same transaction)
 * and signs the person in. Returns a failure to show on the form, or null on success.
 */
export async function signUp({ input, headers, cookies }: SignUpOptions): Promise<AuthFailure | null> {
  try {
    const result = await services().auth.api.signUpEmail({ body: input, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    return null;
  } catch (error) {
    const failure = toAuthFailure(error);
    if (!failure) throw error;
    return failure;
  }
}
