// The email flows' server side, for the form actions: verification (and resending it),
// password reset, magic-link sign-in, change password and change email. Each calls
// Better Auth's API directly (its hooks run as for HTTP: single-use links, step-up,
// rate limits and audit live there), applies the cookies it sets, and turns what a
// person can fix into a message; anything else is rethrown and becomes a 500.
import type { Cookies } from '@sveltejs/kit';
import { isAPIError } from 'better-auth/api';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';
import { toAuthFailure, type AuthFailure } from './errors.ts';

/** Helper C's step-up hook answers 403 with this code (lib/auth/assurance.ts STEP_UP_REQUIRED). */
export const STEP_UP_CODE = 'FRESH_SECOND_FACTOR_REQUIRED';

export type LinkState = 'ok' | 'expired' | 'used' | 'invalid';

function codeOf(error: unknown): string {
  return isAPIError(error) && typeof error.body?.code === 'string' ? error.body.code : '';
}

function linkState(error: unknown): LinkState | null {
  if (!isAPIError(error) || error.statusCode >= 500) return null;
  const code = codeOf(error);
  if (code === 'TOKEN_EXPIRED') return 'expired';
  if (code === 'EMAIL_LINK_ALREADY_USED') return 'used';
  return 'invalid';
}

type Ctx = { headers: Headers; cookies: Cookies };
type HeadersOnly = { headers: Headers };

/** Uses a verification (or change-email) link; signs the person in when it works. */
export async function verifyEmail(token: string, { headers, cookies }: Ctx): Promise<LinkState> {
  try {
    const result = await services().auth.api.verifyEmail({ query: { token }, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    return 'ok';
  } catch (error) {
    const state = linkState(error);
    if (!state) throw error;
    return state;
  }
}

/** Mails a new verification link to the signed-in person. */
export async function resendVerification(email: string, { headers }: HeadersOnly): Promise<AuthFailure | null> {
  try {
    await services().auth.api.sendVerificationEmail({ body: { email }, headers });
    return null;
  } catch (error) {
    if (codeOf(error) === 'EMAIL_ALREADY_VERIFIED') return null;
    return failureOrThrow(error);
  }
}

/** Same answer whether or not the address has an account. */
export async function requestPasswordReset(email: string, { headers }: HeadersOnly): Promise<AuthFailure | null> {
  try {
    await services().auth.api.requestPasswordReset({ body: { email }, headers });
    return null;
  } catch (error) {
    return failureOrThrow(error);
  }
}

/** Sets a new password with a reset link; every session of the account ends. */
export async function resetPassword(
  token: string,
  newPassword: string,
  { headers }: HeadersOnly,
): Promise<AuthFailure | 'invalid-link' | null> {
  try {
    await services().auth.api.resetPassword({ body: { token, newPassword }, headers });
    return null;
  } catch (error) {
    if (codeOf(error) === 'INVALID_TOKEN' || codeOf(error) === 'USER_NOT_FOUND') return 'invalid-link';
    return failureOrThrow(error);
  }
}

/** Same answer whether or not the address has an account (only accounts get an email). */
export async function requestMagicLink(email: string, { headers }: HeadersOnly): Promise<AuthFailure | null> {
  try {
    await services().auth.api.signInMagicLink({ body: { email }, headers });
    return null;
  } catch (error) {
    return failureOrThrow(error);
  }
}

/** Uses a magic link: a session on success. */
export async function verifyMagicLink(token: string, { headers, cookies }: Ctx): Promise<LinkState> {
  try {
    const result = await services().auth.api.magicLinkVerify({ query: { token }, headers, returnHeaders: true });
    applyAuthCookies(result.headers, cookies);
    return 'ok';
  } catch (error) {
    // Without a callbackURL Better Auth still answers a bad token with a redirect carrying ?error=.
    if (isAPIError(error) && error.statusCode >= 300 && error.statusCode < 400) {
      return 'invalid';
    }
    const state = linkState(error);
    if (!state) throw error;
    return state;
  }
}

export type SensitiveResult = AuthFailure | 'step-up' | null;

function sensitiveFailure(error: unknown): SensitiveResult {
  if (isAPIError(error) && error.statusCode === 403 && codeOf(error) === STEP_UP_CODE) return 'step-up';
  if (codeOf(error) === 'INVALID_PASSWORD') {
    return { status: 400, field: 'password', message: 'That is not your current password.' };
  }
  return failureOrThrow(error);
}

/** Changes the password and signs out every other session (this one gets a new cookie). */
export async function changePassword(
  currentPassword: string,
  newPassword: string,
  { headers, cookies }: Ctx,
): Promise<SensitiveResult> {
  try {
    const result = await services().auth.api.changePassword({
      body: { currentPassword, newPassword, revokeOtherSessions: true },
      headers,
      returnHeaders: true,
    });
    applyAuthCookies(result.headers, cookies);
    return null;
  } catch (error) {
    return sensitiveFailure(error);
  }
}

/** Mails a confirmation link to the new address; the email changes when it is used. */
export async function changeEmail(newEmail: string, { headers }: HeadersOnly): Promise<SensitiveResult> {
  try {
    await services().auth.api.changeEmail({ body: { newEmail }, headers });
    return null;
  } catch (error) {
    if (isAPIError(error) && error.body?.message === 'Email is the same') {
      return { status: 400, field: 'email', message: 'That is already your email address.' };
    }
    return sensitiveFailure(error);
  }
}

function failureOrThrow(error: unknown): AuthFailure {
  if (isAPIError(error) && error.statusCode === 429) {
    return { status: 429, field: 'form', message: 'Too many attempts. Wait a few minutes, then try again.' };
  }
  const failure = toAuthFailure(error);
  if (!failure) throw error;
  return failure;
}
