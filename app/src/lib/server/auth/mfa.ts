// The app's side of MFA, step-up and account deletion: Better Auth's endpoints called
// directly (its hooks run: hashed backup codes, TOTP replay, step-up, aal2), cookies
// copied onto the response, and its error codes turned into messages a person can act on.
import type { Cookies } from '@sveltejs/kit';
import { isAPIError } from 'better-auth/api';
import { symmetricDecrypt } from 'better-auth/crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { z } from 'zod';
import { STEP_UP_REQUIRED } from '$server/auth/assurance.ts';
import { stepUpSatisfied } from '$server/auth/step-up.ts';
import { services } from '$server/services.ts';
import { applyAuthCookies } from './cookies.ts';
import { redirectTarget } from './redirect-target.ts';

export const codeSchema = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.')),
});
export const backupCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .pipe(z.string().regex(/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/, 'Enter a backup code like abcde-12345.')),
});
export const passwordSchema = z.object({
  password: z.string().min(1, 'Enter your password.').max(128, 'Passwords are at most 128 characters.'),
});

/** Backup codes are stored as 5-5 with a dash; accept them typed without it. */
export function normalizeBackupCode(code: string): string {
  return code.includes('-') ? code : `${code.slice(0, 5)}-${code.slice(5)}`;
}

export type MfaField = 'code' | 'password' | 'email' | 'form';
export type MfaFailure = { status: number; field: MfaField; message: string; stepUp?: boolean; restart?: boolean };

const BY_CODE: Record<string, Omit<MfaFailure, 'status'>> = {
  INVALID_CODE: { field: 'code', message: 'That code is not right. Enter the current code from your app.' },
  TOTP_CODE_REUSED: { field: 'code', message: 'That code was already used. Wait for the next code from your app.' },
  INVALID_BACKUP_CODE: { field: 'code', message: 'That backup code is not right, or it was already used.' },
  INVALID_PASSWORD: { field: 'password', message: 'That password is not right.' },
  INVALID_EMAIL_OR_PASSWORD: { field: 'password', message: 'That password is not right.' },
  INVALID_TWO_FACTOR_COOKIE: { field: 'form', message: 'Your sign-in expired. Sign in again.', restart: true },
  TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: {
    field: 'form',
    message: 'Too many wrong codes. Sign in again to get a new try.',
    restart: true,
  },
  ACCOUNT_TEMPORARILY_LOCKED: {
    field: 'form',
    message: 'Too many wrong codes: two-factor sign-in is locked for 15 minutes.',
  },
  [STEP_UP_REQUIRED]: { field: 'form', message: 'Confirm it is you first.', stepUp: true },
  SOLE_OWNER_OF_SHARED_WORKSPACE: { field: 'form', message: '' },
  TOTP_ALREADY_ENABLED: { field: 'form', message: 'Two-factor authentication is already on.' },
  TWO_FACTOR_NOT_ENABLED: { field: 'form', message: 'Two-factor authentication is off.' },
};

export function toMfaFailure(error: unknown): MfaFailure | null {
  if (!isAPIError(error) || error.statusCode >= 500) return null;
  const code = typeof error.body?.code === 'string' ? error.body.code : '';
  const known = BY_CODE[code];
  const status = error.statusCode === 429 ? 429 : error.statusCode === 403 ? 403 : 400;
  if (known) return { status, ...known, message: known.message || String(error.body?.message ?? '') };
  return { status, field: 'form', message: 'We could not complete that request. Check the form and try again.' };
}

/** Calls one Better Auth endpoint with the request's cookies and keeps the cookies it sets. */
export async function callAuth<T>(
  cookies: Cookies,
  call: () => Promise<{ headers: Headers; response: T }>,
): Promise<{ ok: true; response: T } | { ok: false; failure: MfaFailure }> {
  try {
    const { headers, response } = await call();
    applyAuthCookies(headers, cookies);
    return { ok: true, response };
  } catch (error) {
    const failure = toMfaFailure(error);
    if (!failure) throw error;
    return { ok: false, failure };
  }
}

export function stepUpUrl(redirectTo: string): string {
  return `/step-up?redirectTo=${encodeURIComponent(redirectTarget(redirectTo))}`;
}

/** What the two-factor settings page shows about the person. */
export async function twoFactorStatus(userId: string) {
  const { rows } = await services().servicePool.query<{ enabled: boolean; codes: number | null; passkeys: number }>(
    `select u.two_factor_enabled as enabled,
            (select case when t.verified and t.backup_codes like '[%' then json_array_length(t.backup_codes::json) end
             from identity.two_factors t where t.user_id = u.id) as codes,
            (select count(*)::int from identity.passkeys p where p.user_id = u.id) as passkeys
     from identity.users u where u.id = $1`,
    [userId],
  );
  const row = rows[0];
  return { enabled: row?.enabled ?? false, backupCodesLeft: row?.codes ?? 0, passkeys: row?.passkeys ?? 0 };
}

/** Whether this session may do a step-up action now without a password in the request. */
export function stepUpFresh(session: App.Locals['session'], enrolled: boolean): boolean {
  if (!session) return false;
  return stepUpSatisfied(session as { createdAt?: Date; secondFactorAt?: Date | null }, enrolled, false);
}

/** The QR code of an otpauth:// URI, as a PNG data URL (the CSP allows data: images only). */
export function qrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
}

/** The base32 secret of an otpauth:// URI, grouped by four for typing it by hand. */
export function manualKey(uri: string): string {
  const secret = new URL(uri).searchParams.get('secret') ?? '';
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * The otpauth:// URI of an enrolment that is not finished yet (the person turned two-factor
 * on but has not entered a first code): read back from identity.two_factors, so the setup
 * page still shows the QR code after a wrong code or a reload, without asking for the
 * password again. Null once enrolment is finished: the secret is never shown again.
 */
export async function pendingTotpUri(user: { id: string; email: string }): Promise<string | null> {
  const { rows } = await services().servicePool.query<{ secret: string }>(
    `select t.secret from identity.two_factors t join identity.users u on u.id = t.user_id
     where t.user_id = $1 and t.verified is not true and not u.two_factor_enabled`,
    [user.id],
  );
  if (!rows[0]) return null;
  const context = await services().auth.$context;
  const secret = await symmetricDecrypt({ key: context.secretConfig, data: rows[0].secret });
  return new OTPAuth.TOTP({
    issuer: 'TaskMaster',
    label: user.email,
    secret: new OTPAuth.Secret({ buffer: new TextEncoder().encode(secret).buffer }),
  }).toString();
}
