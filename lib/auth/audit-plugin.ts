// Maps Better Auth's own endpoints to identity audit events (lib/auth/audit.ts →
// account.audit): one plugin, so every endpoint is audited the same way whether it was
// called over HTTP (/auth/*) or directly by the app (auth.api.*). A before-hook notes who
// the caller is while that can still be read (sign-out deletes the session, reset-password
// its token); the after-hook sees the outcome (a returned APIError is a failure, with its
// code as the reason) and writes one row. Endpoints we add ourselves (key rotation,
// step-up, lockout) call recordAudit directly; sessions revoked are recorded one row per
// session by lib/auth/sessions.ts.
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware, isAPIError } from 'better-auth/api';
import { jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import { recordAudit, requestMeta } from './audit.ts';
import { rememberResetUser, resetUserOf } from './hook-stash.ts';

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

type Spec = {
  event: string;
  /** Extra data recorded with the event. */
  data?: Record<string, unknown>;
};

/** Endpoint path → audit event. Paths not listed are not audited. */
const EVENTS: Readonly<Record<string, Spec>> = {
  '/sign-up/email': { event: 'auth.sign_up', data: { method: 'password' } },
  '/sign-in/email': { event: 'auth.sign_in', data: { method: 'password' } },
  '/magic-link/verify': { event: 'auth.sign_in', data: { method: 'magic_link' } },
  '/passkey/verify-authentication': { event: 'auth.sign_in', data: { method: 'passkey' } },
  '/callback/:id': { event: 'auth.sign_in', data: { method: 'oauth' } },
  '/sign-out': { event: 'auth.sign_out' },
  '/verify-email': { event: 'email.verified' },
  '/change-email': { event: 'email.change_requested' },
  '/change-password': { event: 'password.changed' },
  '/reset-password': { event: 'password.reset' },
  '/request-password-reset': { event: 'password.reset_requested' },
  '/sign-in/magic-link': { event: 'magic_link.requested' },
  '/two-factor/enable': { event: 'mfa.enrolment_started' },
  '/two-factor/disable': { event: 'mfa.disabled' },
  '/two-factor/verify-totp': { event: 'mfa.challenge', data: { method: 'totp' } },
  '/two-factor/verify-backup-code': { event: 'mfa.challenge', data: { method: 'backup_code' } },
  '/two-factor/verify-otp': { event: 'mfa.challenge', data: { method: 'otp' } },
  '/two-factor/generate-backup-codes': { event: 'mfa.backup_codes_generated' },
  '/passkey/verify-registration': { event: 'passkey.added' },
  '/passkey/delete-passkey': { event: 'passkey.removed' },
  '/link-social': { event: 'oauth.link_started' },
  '/unlink-account': { event: 'oauth.unlinked' },
  '/delete-user': { event: 'account.deleted' },
};

type Noted = { userId: string | null; twoFactorEnabled?: boolean; emailVerified?: boolean };
const noted = new WeakMap<object, Noted>();

async function userByEmail(ctx: HookCtx, email: unknown) {
  if (typeof email !== 'string' || !email || email.length > 320) return null;
  return ctx.context.internalAdapter.findUserByEmail(email.trim().toLowerCase()).catch(() => null);
}

/** The signed-in user (from the session cookie), without refreshing or touching the session. */
async function currentUser(ctx: HookCtx) {
  const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
  if (!token) return null;
  const found = await ctx.context.internalAdapter.findSession(token).catch(() => null);
  return found?.user ?? null;
}

/** Who a pending two-factor sign-in belongs to (the signed two_factor cookie). */
async function pendingTwoFactorUser(ctx: HookCtx): Promise<string | null> {
  const pending = await ctx.getSignedCookie(ctx.context.createAuthCookie('two_factor').name, ctx.context.secret);
  if (!pending) return null;
  const found = await ctx.context.internalAdapter.findVerificationValue(pending).catch(() => null);
  return typeof found?.value === 'string' ? found.value : null;
}

async function note(ctx: HookCtx): Promise<Noted> {
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const query = (ctx.query ?? {}) as Record<string, unknown>;
  switch (ctx.path) {
    case '/reset-password':
      await rememberResetUser(ctx);
      return { userId: resetUserOf(ctx) };
    case '/sign-in/email':
    case '/request-password-reset':
    case '/sign-in/magic-link': {
      const found = await userByEmail(ctx, body.email);
      return { userId: found?.user.id ?? null };
    }
    case '/verify-email': {
      const token = typeof query.token === 'string' ? query.token : '';
      const payload = await jwtVerify(token, new TextEncoder().encode(ctx.context.secret), { algorithms: ['HS256'] })
        .then((r) => r.payload)
        .catch(() => null);
      const found = await userByEmail(ctx, payload?.email);
      return { userId: found?.user.id ?? null, emailVerified: found?.user.emailVerified === true };
    }
    case '/two-factor/verify-totp':
    case '/two-factor/verify-backup-code':
    case '/two-factor/verify-otp': {
      const user = await currentUser(ctx);
      if (user) return { userId: user.id, twoFactorEnabled: (user as { twoFactorEnabled?: boolean }).twoFactorEnabled };
      return { userId: await pendingTwoFactorUser(ctx) };
    }
    case '/sign-up/email':
    case '/magic-link/verify':
    case '/passkey/verify-authentication':
      return { userId: null };
    default: {
      const user = await currentUser(ctx);
      return { userId: user?.id ?? null };
    }
  }
}

function failureReason(returned: unknown): string | null {
  if (!isAPIError(returned)) return null;
  const body = returned.body as { code?: unknown } | undefined;
  if (typeof body?.code === 'string') return body.code.toLowerCase();
  return String(returned.status).toLowerCase();
}

/** A redirect carrying ?error=… (OAuth callback, magic link, verify email) is a failure. */
function redirectError(ctx: HookCtx, returned: unknown): string | null {
  const location =
    (isAPIError(returned) ? new Headers(returned.headers as HeadersInit).get('location') : null) ??
    ctx.context.responseHeaders?.get('location') ??
    null;
  if (!location) return null;
  try {
    return new URL(location, 'http://x.invalid').searchParams.get('error');
  } catch {
    return null;
  }
}

export function auditTrail({ db }: { db: Kysely<unknown> }) {
  return {
    id: 'taskmaster-audit',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path !== undefined && Object.hasOwn(EVENTS, ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            noted.set(ctx.context, await note(ctx).catch(() => ({ userId: null })));
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => ctx.path !== undefined && Object.hasOwn(EVENTS, ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const spec = EVENTS[ctx.path] as Spec;
            const before = noted.get(ctx.context) ?? { userId: null };
            const returned = ctx.context.returned;
            const newSession = ctx.context.newSession;
            let event = spec.event;
            let data: Record<string, unknown> = { ...spec.data };
            let reason: string | null = null;
            let outcome: 'success' | 'failure' = 'success';
            const isRedirect = isAPIError(returned) && returned.statusCode >= 300 && returned.statusCode < 400;
            if (isRedirect) {
              const error = redirectError(ctx, returned);
              if (error) {
                outcome = 'failure';
                reason = error.toLowerCase();
              }
            } else if (isAPIError(returned)) {
              outcome = 'failure';
              reason = failureReason(returned);
            }
            const subject = newSession?.user.id ?? before.userId;
            if (ctx.path === '/callback/:id') {
              data = { ...data, provider: (ctx.params as { id?: string } | undefined)?.id ?? null };
              // A callback that signed nobody in but succeeded linked an account to the session.
              if (outcome === 'success' && !newSession) event = 'oauth.linked';
              if (outcome === 'success' && newSession && before.userId === null) event = 'auth.sign_in';
            }
            if (ctx.path === '/two-factor/verify-totp' && outcome === 'success' && before.twoFactorEnabled === false) {
              event = 'mfa.enabled';
            }
            if (ctx.path === '/sign-in/email' && outcome === 'success' && !newSession) {
              // Password accepted; the sign-in completes after the second factor.
              reason = 'second_factor_required';
            }
            if (ctx.path === '/verify-email' && outcome === 'success' && before.emailVerified) {
              return; // already verified: nothing happened
            }
            await recordAudit(db, {
              event,
              outcome,
              actorId: outcome === 'success' ? subject : (newSession?.user.id ?? null),
              subjectId: subject,
              ...requestMeta(ctx),
              reason,
              data,
            });
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
