// Abuse protection of the identity endpoints, as a Better Auth plugin so its before-hooks
// run for the HTTP router and for the app's direct auth.api calls alike (Better Auth's
// built-in rateLimit only sees HTTP). docs/adr: limits and lockout.
//
//  - Rate limits per client IP and per account (the email named, known or not) on sign-in,
//    sign-up, password reset request, magic-link request, verification resend, MFA and
//    passkey verification: 429 RATE_LIMITED with Retry-After.
//  - Failed sign-ins per account: from the Nth failure the next attempt must wait a
//    doubling delay (429 SIGN_IN_DELAYED with Retry-After); M failures in the window lock
//    the account for a while. A locked account answers exactly like a wrong password, the
//    owner gets one email per lockout, and password reset by email keeps working (a reset
//    clears the lockout). Delays and lockouts are keyed by the submitted email, so unknown
//    emails behave the same as known ones (no enumeration).
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { log } from '../logger.ts';
import { recordAudit, requestMeta } from './audit.ts';
import { rememberResetUser, resetUserOf } from './hook-stash.ts';
import { sendAuthMail } from './mail.ts';
import {
  accountKey,
  clearFailures,
  failureState,
  hitRateLimit,
  recordFailure,
  type ThrottleLimits,
} from './throttle.ts';

export type AbuseDeps = { config: ThrottleLimits & Pick<Config, 'BETTER_AUTH_SECRET'>; db: Kysely<unknown> };

/** Paths limited per IP and account, with the action name of their buckets. */
const LIMITED: Readonly<Record<string, string>> = {
  '/sign-in/email': 'sign_in',
  '/sign-up/email': 'sign_up',
  '/request-password-reset': 'reset',
  '/sign-in/magic-link': 'magic_link',
  '/send-verification-email': 'verify_resend',
  '/two-factor/verify-totp': 'mfa',
  '/two-factor/verify-backup-code': 'mfa',
  '/two-factor/verify-otp': 'mfa',
  '/passkey/verify-authentication': 'passkey',
  // Passkey step-up of a signed-in person (lib/auth/passkeys.ts): a second-factor check.
  '/passkey/step-up/verify': 'mfa',
};

export const RATE_LIMITED = 'RATE_LIMITED';
export const SIGN_IN_DELAYED = 'SIGN_IN_DELAYED';

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

function tooMany(code: string, message: string, retryAfter: number): APIError {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new APIError('TOO_MANY_REQUESTS', { code, message, retryAfter: seconds }, { 'retry-after': String(seconds) });
}

function emailOf(ctx: HookCtx): string | null {
  const body = ctx.body as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return email && email.length <= 320 ? email : null;
}

/** The client address for throttle buckets and the lockout mail ('unknown' when none). */
function clientIpOf(ctx: HookCtx): string {
  return requestMeta(ctx).ip || 'unknown';
}

/** The per-account handle of an MFA attempt: the pending two-factor sign-in, or the session. */
async function mfaAccount(ctx: HookCtx, secret: string): Promise<string | null> {
  const pending = await ctx.getSignedCookie(ctx.context.createAuthCookie('two_factor').name, ctx.context.secret);
  if (pending) return accountKey(secret, `2fa:${pending}`);
  const session = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
  return session ? accountKey(secret, `session:${session}`) : null;
}

/** The audit event a refused attempt of each action is recorded as (outcome failure). */
const REFUSED_EVENT: Readonly<Record<string, string>> = {
  sign_in: 'auth.sign_in',
  sign_up: 'auth.sign_up',
  reset: 'password.reset_requested',
  magic_link: 'magic_link.requested',
  verify_resend: 'email.verification_requested',
  mfa: 'mfa.challenge',
  passkey: 'auth.sign_in',
};

/**
 * Records an attempt refused before Better Auth saw it (rate limit, delay, lockout): the
 * owner's security history shows that someone kept trying. The subject is the account the
 * email names, if any; the answer to the caller stays the same either way.
 */
async function auditRefusal(db: Kysely<unknown>, ctx: HookCtx, action: string, email: string | null, reason: string) {
  const subject = email
    ? ((await sql<{ id: string }>`select id from identity.users where lower(email) = ${email}`.execute(db)).rows[0]
        ?.id ?? null)
    : null;
  await recordAudit(db, {
    event: REFUSED_EVENT[action] ?? 'auth.sign_in',
    outcome: 'failure',
    actorId: null,
    subjectId: subject,
    ...requestMeta(ctx),
    reason,
  });
}

function seconds(until: Date, now = Date.now()): number {
  return Math.max(1, Math.ceil((until.getTime() - now) / 1000));
}

export function abuseProtection({ config, db }: AbuseDeps) {
  const secret = config.BETTER_AUTH_SECRET;
  return {
    id: 'taskmaster-abuse-protection',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path !== undefined && Object.hasOwn(LIMITED, ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const action = LIMITED[ctx.path] as string;
            const email = emailOf(ctx);
            const account = action === 'mfa' ? await mfaAccount(ctx, secret) : email ? accountKey(secret, email) : null;
            const ip = clientIpOf(ctx);
            const decision = await hitRateLimit(db, config, action, ip, account);
            if (!decision.allowed) {
              log().warn({ component: 'auth', action }, 'identity rate limit reached');
              await auditRefusal(db, ctx, action, email, 'rate_limited');
              throw tooMany(RATE_LIMITED, 'Too many attempts. Wait a moment and try again.', decision.retryAfter);
            }
            if (action !== 'sign_in' || !account) return;
            const state = await failureState(db, config, account);
            if (state.lockedUntil) {
              // Exactly the wrong-password answer: a lockout reveals nothing about the account.
              await auditRefusal(db, ctx, action, email, 'locked');
              throw APIError.from('UNAUTHORIZED', {
                code: 'INVALID_EMAIL_OR_PASSWORD',
                message: 'Invalid email or password',
              });
            }
            if (state.notBefore && state.notBefore.getTime() > Date.now()) {
              await auditRefusal(db, ctx, action, email, 'delayed');
              throw tooMany(
                SIGN_IN_DELAYED,
                'Several sign-in attempts failed. Wait a moment before trying again.',
                seconds(state.notBefore),
              );
            }
          }),
        },
        {
          matcher: (ctx) => ctx.path === '/reset-password',
          handler: createAuthMiddleware(async (ctx) => {
            await rememberResetUser(ctx);
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path === '/sign-in/email',
          handler: createAuthMiddleware(async (ctx) => {
            const email = emailOf(ctx);
            if (!email) return;
            const key = accountKey(secret, email);
            const returned = ctx.context.returned;
            if (ctx.context.newSession) {
              await clearFailures(db, key);
              return;
            }
            if (
              !isAPIError(returned) ||
              (returned.body as { code?: string } | undefined)?.code !== 'INVALID_EMAIL_OR_PASSWORD'
            )
              return;
            const record = await recordFailure(db, config, key);
            if (!record.newlyLocked || !record.lockedUntil) return;
            const ip = clientIpOf(ctx);
            const { rows } = await sql<{ id: string; email: string }>`
              select id, email from identity.users where email = ${email}`.execute(db);
            const user = rows[0];
            await recordAudit(db, {
              event: 'auth.locked',
              outcome: 'failure',
              actorId: null,
              subjectId: user?.id ?? null,
              ...requestMeta(ctx),
              reason: 'too_many_failed_sign_ins',
              data: { failures: record.failures, until: record.lockedUntil.toISOString() },
            });
            if (user) {
              await sendAuthMail(db, {
                template: 'lockout',
                to: user.email,
                data: { until: record.lockedUntil.toISOString(), ip },
              });
            }
          }),
        },
        {
          // A password reset by email proves control of the address: the lockout ends.
          matcher: (ctx) => ctx.path === '/reset-password',
          handler: createAuthMiddleware(async (ctx) => {
            if (isAPIError(ctx.context.returned)) return;
            const userId = resetUserOf(ctx);
            if (!userId) return;
            const { rows } = await sql<{
              email: string;
            }>`select email from identity.users where id = ${userId}`.execute(db);
            if (rows[0]) await clearFailures(db, accountKey(secret, rows[0].email));
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
