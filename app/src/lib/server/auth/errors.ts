// Better Auth reports problems as APIError with a code; turn the ones a person can fix into
// a message on the right form field. Anything else is rethrown and becomes a 500.
import { isAPIError } from 'better-auth/api';
import { PASSWORD_MESSAGES } from '$server/auth/password-policy.ts';
import { toAppError } from '$server/errors.ts';

export type AuthField = 'name' | 'email' | 'password' | 'form';
export type AuthFailure = { status: number; field: AuthField; message: string };

const BY_CODE: Record<string, Omit<AuthFailure, 'status'>> = {
  USER_ALREADY_EXISTS: { field: 'email', message: 'An account with this email already exists. Sign in instead.' },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: {
    field: 'email',
    message: 'An account with this email already exists. Sign in instead.',
  },
  INVALID_EMAIL: { field: 'email', message: 'Enter an email address like name@example.com.' },
  PASSWORD_TOO_SHORT: { field: 'password', message: 'Use at least 10 characters.' },
  PASSWORD_TOO_LONG: { field: 'password', message: 'Passwords are at most 128 characters.' },
  INVALID_EMAIL_OR_PASSWORD: { field: 'form', message: 'That email and password do not match an account.' },
  PASSWORD_TOO_COMMON: { field: 'password', message: PASSWORD_MESSAGES.PASSWORD_TOO_COMMON },
  PASSWORD_FROM_EMAIL: { field: 'password', message: PASSWORD_MESSAGES.PASSWORD_FROM_EMAIL },
};

/** Too many attempts (lib/auth/abuse-plugin.ts): a form message saying how long to wait. */
function waitMessage(code: string, retryAfter: unknown): string {
  const seconds = typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : 60;
  const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
  return code === 'SIGN_IN_DELAYED'
    ? `Several sign-in attempts failed. Wait ${wait} before trying again.`
    : `Too many attempts. Wait ${wait} and try again.`;
}

const FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'password']);

export function toAuthFailure(error: unknown): AuthFailure | null {
  if (isAPIError(error)) {
    const code = typeof error.body?.code === 'string' ? error.body.code : '';
    if (error.statusCode === 429) {
      return { status: 429, field: 'form', message: waitMessage(code, error.body?.retryAfter) };
    }
    const known = BY_CODE[code];
    if (known) return { status: 400, ...known };
    if (error.statusCode >= 500) return null;
    return { status: 400, field: 'form', message: 'We could not complete that request. Check the form and try again.' };
  }
  // A database constraint on identity.users (e.g. the email format) surfaced through Better Auth.
  const appError = toAppError(error);
  if (appError.status >= 500) return null;
  const field = appError.field && FIELDS.has(appError.field) ? (appError.field as AuthField) : 'form';
  return { status: 400, field, message: appError.message };
}
