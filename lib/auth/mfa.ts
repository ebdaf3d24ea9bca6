// Second factor glue around Better Auth's twoFactor plugin (issue 6, MFA):
//  * backup codes are stored as keyed hashes (HMAC-SHA256, key derived from
//    BETTER_AUTH_SECRET), each single use: the plugin's `storeBackupCodes` hooks turn the
//    plaintext list it generates into hashes, and a before-hook replaces the code a person
//    submits by its hash, so the plugin's own "is it in the list, remove it" logic works on
//    hashes and plaintext codes exist only in the one answer that shows them;
//  * TOTP codes cannot be replayed: the plugin accepts any code of its ±1 step window as
//    often as it is sent, so a before-hook claims the matched time-step per person
//    (private.claim_totp_step) and refuses a step already used;
//  * a verified TOTP or backup code makes the session aal2 with a fresh second_factor_at
//    (markSecondFactor), at sign-in, at enrolment and at step-up alike;
//  * wrong codes sent with a session (step-up) count toward the same per-account lockout
//    the plugin applies at sign-in only (10 failures → 15 minutes), so a stolen session
//    cannot guess its way to a fresh second factor.
import { createHmac } from 'node:crypto';
import { APIError, createAuthEndpoint, createAuthMiddleware, getSessionFromCtx, isAPIError } from 'better-auth/api';
import { symmetricDecrypt } from 'better-auth/crypto';
import { sql, type Kysely } from 'kysely';
import * as OTPAuth from 'otpauth';
import { z } from 'zod';
import { markSecondFactor } from './assurance.ts';

const HASH_PREFIX = 'h1:';

/** The key backup codes are hashed with: derived from the auth secret, never the secret itself. */
function backupCodeKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('taskmaster/backup-codes/v1').digest();
}

export function hashBackupCode(secret: string, code: string): string {
  const normalized = code.trim();
  return HASH_PREFIX + createHmac('sha256', backupCodeKey(secret)).update(normalized).digest('hex');
}

function isHash(value: unknown): value is string {
  return typeof value === 'string' && /^h1:[0-9a-f]{64}$/.test(value);
}

/**
 * `backupCodeOptions` for twoFactor(): the stored value is a JSON list of hashes.
 * encrypt() receives either freshly generated plaintext codes (hashed here) or the list
 * the plugin kept after removing a used code (already hashes, kept as they are: a
 * generated code never looks like a hash). decrypt() returns the hashes as they are.
 */
export function hashedBackupCodes(secret: string) {
  return {
    amount: 10,
    length: 10,
    storeBackupCodes: {
      encrypt: (json: string) => {
        const codes = JSON.parse(json) as unknown;
        if (!Array.isArray(codes)) throw new Error('backup codes: expected a list');
        return Promise.resolve(JSON.stringify(codes.map((c) => (isHash(c) ? c : hashBackupCode(secret, String(c))))));
      },
      decrypt: (stored: string) => Promise.resolve(stored),
    },
  };
}

const TOTP_PERIOD = 30;

/** The time-step (unix seconds / 30) whose code `code` is, within ±1 step of now; null if none. */
export function totpStepOf(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new OTPAuth.TOTP({
    secret: new OTPAuth.Secret({ buffer: new TextEncoder().encode(secret).buffer }),
    digits: 6,
    period: TOTP_PERIOD,
  });
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** Who is verifying: the signed-in person (enrolment, step-up) or the pending sign-in's. */
async function verifyingUserId(ctx: HookCtx): Promise<string | null> {
  const session = await getSessionFromCtx(ctx);
  if (session) return session.user.id;
  const cookie = ctx.context.createAuthCookie('two_factor');
  const signed = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
  if (!signed) return null;
  const pending = await ctx.context.internalAdapter.findVerificationValue(signed);
  return pending?.value ?? null;
}

function bodyCode(ctx: HookCtx): string | null {
  const code = (ctx.body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : null;
}

const VERIFY_PATHS: ReadonlySet<string> = new Set(['/two-factor/verify-totp', '/two-factor/verify-backup-code']);
const WRONG_CODE: ReadonlySet<string> = new Set(['INVALID_CODE', 'INVALID_BACKUP_CODE']);
const MAX_FAILURES = 10;

async function lockedOut(db: Kysely<unknown>, userId: string): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    select coalesce(locked_until > now(), false) as locked from identity.two_factors where user_id = ${userId}::uuid`.execute(
    db,
  );
  return rows[0]?.locked ?? false;
}

async function recordFailure(db: Kysely<unknown>, userId: string): Promise<void> {
  await sql`update identity.two_factors
    set failed_verification_count = coalesce(failed_verification_count, 0) + 1,
        locked_until = case when coalesce(failed_verification_count, 0) + 1 >= ${MAX_FAILURES}
                            then now() + interval '15 minutes' else locked_until end
    where user_id = ${userId}::uuid`.execute(db);
}

async function resetFailures(db: Kysely<unknown>, userId: string): Promise<void> {
  await sql`update identity.two_factors set failed_verification_count = 0, locked_until = null
    where user_id = ${userId}::uuid and (failed_verification_count <> 0 or locked_until is not null)`.execute(db);
}

export function mfaPlugin({ db, secret }: { db: Kysely<unknown>; secret: string }) {
  return {
    id: 'taskmaster-mfa',
    endpoints: {
      // Replaces the plugin's server-only viewBackupCodes (same key; later plugins win):
      // only hashes are stored, so there is nothing to show. People see a count instead.
      viewBackupCodes: createAuthEndpoint.serverOnly(
        { method: 'POST', body: z.object({ userId: z.string() }) },
        async () => {
          throw new APIError('BAD_REQUEST', {
            message: 'Backup codes are stored as hashes and cannot be shown again. Create new ones instead.',
            code: 'BACKUP_CODES_NOT_VIEWABLE',
          });
        },
      ),
    },
    hooks: {
      before: [
        {
          // Step-up verifications (with a session) respect the account's lockout too.
          matcher: (ctx: { path?: string }) => ctx.path !== undefined && VERIFY_PATHS.has(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            if (session && (await lockedOut(db, session.user.id))) {
              throw new APIError('TOO_MANY_REQUESTS', {
                message: 'Too many failed verification attempts. Try again in 15 minutes.',
                code: 'ACCOUNT_TEMPORARILY_LOCKED',
              });
            }
          }),
        },
        {
          matcher: (ctx: { path?: string }) => ctx.path === '/two-factor/verify-backup-code',
          handler: createAuthMiddleware(async (ctx) => {
            // Every string is hashed, whatever its length: a stored hash sent as the code
            // must never match itself.
            const code = bodyCode(ctx);
            if (code === null) return;
            return { context: { body: { ...(ctx.body as object), code: hashBackupCode(secret, code) } } };
          }),
        },
        {
          matcher: (ctx: { path?: string }) => ctx.path === '/two-factor/verify-totp',
          handler: createAuthMiddleware(async (ctx) => {
            const code = bodyCode(ctx)?.trim() ?? '';
            const userId = await verifyingUserId(ctx);
            if (!userId) return; // the plugin answers "invalid two-factor cookie"
            const row = await ctx.context.adapter.findOne<{ secret: string }>({
              model: 'twoFactor',
              where: [{ field: 'userId', value: userId }],
            });
            if (!row) return;
            const plain = await symmetricDecrypt({ key: ctx.context.secretConfig, data: row.secret });
            const step = totpStepOf(plain, code);
            if (step === null) return; // a wrong code: the plugin refuses it and counts the failure
            const { rows } = await sql<{ claimed: boolean }>`
              select private.claim_totp_step(${userId}::uuid, ${step}) as claimed`.execute(db);
            if (!rows[0]?.claimed) {
              throw new APIError('UNAUTHORIZED', {
                message: 'This code was already used. Wait for the next code from your app.',
                code: 'TOTP_CODE_REUSED',
              });
            }
          }),
        },
      ],
      after: [
        {
          matcher: (ctx: { path?: string }) => ctx.path !== undefined && VERIFY_PATHS.has(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned;
            // With a session (step-up): the plugin counts nothing, so we do.
            const session = ctx.context.newSession ? null : await getSessionFromCtx(ctx);
            if (isAPIError(returned) || returned instanceof Error) {
              const code = isAPIError(returned) ? returned.body?.code : undefined;
              if (session && typeof code === 'string' && WRONG_CODE.has(code)) await recordFailure(db, session.user.id);
              return;
            }
            if (session) await resetFailures(db, session.user.id);
            const sessionId = ctx.context.newSession?.session.id ?? session?.session.id;
            if (sessionId) await markSecondFactor(db, sessionId);
          }),
        },
      ],
    },
  };
}
