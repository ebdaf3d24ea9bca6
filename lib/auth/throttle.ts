// Counters of the identity endpoints in Postgres (supabase/migrations/*_identity-auth-throttle.sql):
// fixed-window rate limits per IP and per account, and failed sign-ins per account for the
// progressive delay and the lockout. Every check is one statement.
//
// The "account" of a request is the email it names, known or not, as an HMAC (keyed by the
// auth secret): unknown emails are throttled exactly like known ones (no enumeration), and
// no stranger's address is stored.
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';

export type ThrottleLimits = Pick<
  Config,
  | 'AUTH_RATE_LIMIT_IP'
  | 'AUTH_RATE_LIMIT_ACCOUNT'
  | 'AUTH_RATE_LIMIT_WINDOW_SECONDS'
  | 'AUTH_DELAY_AFTER_FAILURES'
  | 'AUTH_DELAY_MAX_SECONDS'
  | 'AUTH_LOCKOUT_THRESHOLD'
  | 'AUTH_FAILURE_WINDOW_SECONDS'
  | 'AUTH_LOCKOUT_SECONDS'
>;

/** A stable, secret-keyed handle for an account name (an email) or another per-account value. */
export function accountKey(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value.trim().toLowerCase()).digest('hex').slice(0, 40);
}

export type RateDecision = { allowed: boolean; retryAfter: number };

/**
 * Takes one hit from the action's IP bucket and (when known) its account bucket, in one
 * statement. Rows are always locked IP first, then account (disjoint key spaces), so two
 * concurrent checks can wait on each other but never deadlock.
 */
export async function hitRateLimit(
  db: Kysely<unknown>,
  limits: ThrottleLimits,
  action: string,
  ip: string,
  account: string | null,
): Promise<RateDecision> {
  const buckets: string[] = [];
  const caps: number[] = [];
  if (limits.AUTH_RATE_LIMIT_IP > 0) {
    buckets.push(`${action}:ip:${ip}`.slice(0, 200));
    caps.push(limits.AUTH_RATE_LIMIT_IP);
  }
  if (account && limits.AUTH_RATE_LIMIT_ACCOUNT > 0) {
    buckets.push(`${action}:acct:${account}`);
    caps.push(limits.AUTH_RATE_LIMIT_ACCOUNT);
  }
  if (buckets.length === 0) return { allowed: true, retryAfter: 0 };
  const { rows } = await sql<{ allowed: boolean; retry_after: number }>`
    select allowed, retry_after from private.auth_rate_limit_hit(${buckets}::text[], ${caps}::int[],
      ${limits.AUTH_RATE_LIMIT_WINDOW_SECONDS}::int)`.execute(db);
  const row = rows[0];
  return { allowed: row?.allowed ?? true, retryAfter: row?.retry_after ?? 0 };
}

export type FailureState = { failures: number; lockedUntil: Date | null; notBefore: Date | null };

export async function failureState(db: Kysely<unknown>, limits: ThrottleLimits, key: string): Promise<FailureState> {
  const { rows } = await sql<{ failures: number; locked_until: Date | null; not_before: Date | null }>`
    select failures, locked_until, not_before from private.auth_failure_state(${key},
      ${limits.AUTH_FAILURE_WINDOW_SECONDS}::int, ${limits.AUTH_DELAY_AFTER_FAILURES}::int,
      ${limits.AUTH_DELAY_MAX_SECONDS}::int)`.execute(db);
  const row = rows[0];
  return row
    ? { failures: row.failures, lockedUntil: row.locked_until, notBefore: row.not_before }
    : { failures: 0, lockedUntil: null, notBefore: null };
}

export type FailureRecord = { failures: number; lockedUntil: Date | null; newlyLocked: boolean };

export async function recordFailure(db: Kysely<unknown>, limits: ThrottleLimits, key: string): Promise<FailureRecord> {
  const { rows } = await sql<{ failures: number; locked_until: Date | null; newly_locked: boolean }>`
    select failures, locked_until, newly_locked from private.auth_failure_record(${key},
      ${limits.AUTH_FAILURE_WINDOW_SECONDS}::int, ${limits.AUTH_LOCKOUT_THRESHOLD}::int,
      ${limits.AUTH_LOCKOUT_SECONDS}::int)`.execute(db);
  const row = rows[0];
  return {
    failures: row?.failures ?? 0,
    lockedUntil: row?.locked_until ?? null,
    newlyLocked: row?.newly_locked ?? false,
  };
}

export async function clearFailures(db: Kysely<unknown>, key: string): Promise<void> {
  await sql`select private.auth_failure_clear(${key})`.execute(db);
}
