// Rate limits per API key, per user and per anonymous client IP, enforced in Postgres by
// private.rate_limit_take_many() (GCRA; see supabase/migrations/20261123170050_api-rate-limits.sql
// and 20261123170080_api-rate-limit-batch.sql) so every gateway process shares the same
// counters. At most one statement per request; concurrent requests of one bucket share one.
//
// Every limited response carries the IETF httpapi draft's fields
// (draft-ietf-httpapi-ratelimit-headers-11):
//   RateLimit-Policy: "user";q=600;w=60     the policy: quota q per window w seconds
//   RateLimit: "user";r=598;t=2             r requests left now; t seconds until full again
// and a refused request gets 429 with Retry-After.
//
// When the database call fails, the limiter FAILS OPEN: the request proceeds without
// RateLimit headers and a warning is logged (at most every 10 s per process). The limiter
// protects capacity; it is not a security boundary (authentication and RLS are), and a
// database the limiter cannot reach will fail the request's own query anyway. Failing
// closed would turn a limiter hiccup (a saturated service pool) into a full outage.
import type pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';
import type { CallerScope } from './caller-scope.ts';
import { ApiError } from './errors.ts';

export type RateLimitSettings = {
  /** Requests per window for each bucket kind; 0 = unlimited (no database call, no headers). */
  anon: number;
  user: number;
  apiKey: number;
  /** Window in seconds (the *_PER_MINUTE settings use 60). */
  windowSeconds: number;
};

export type RateLimitResult = {
  policy: CallerScope['kind'];
  limit: number;
  windowSeconds: number;
  allowed: boolean;
  remaining: number;
  resetAfter: number;
  retryAfter: number;
};

const WARN_EVERY_MS = 10_000;

type Waiter = (result: RateLimitResult | undefined) => void;
type Queue = { scope: CallerScope; limit: number; waiters: Waiter[] };

type TakeRow = { granted: number; remaining: number; reset_after: number; retry_after: number };

/**
 * Leases: for a large quota, one statement takes a few units ahead and the process serves
 * them locally for at most LEASE_MS, so a busy bucket costs one statement per lease instead
 * of one per request. One unit in LEASE_DIVISOR of the quota at most (so small quotas, and
 * the defaults up to 1000 a window, stay exact: a lease of 1), capped at LEASE_MAX. Leased
 * units a process does not use expire: the limit can only get stricter, never looser.
 */
const LEASE_MS = 1000;
const LEASE_DIVISOR = 500;
const LEASE_MAX = 50;
/** Buckets holding a lease at once, per process. */
const MAX_LEASES = 10_000;
type Lease = { units: number; remaining: number; resetAfter: number; expires: number };

export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(LEASE_MAX, Math.floor(limit / LEASE_DIVISOR)));
}

export function createRateLimiter({ pool, settings }: { pool: pg.Pool; settings: RateLimitSettings }) {
  let lastWarning = 0;
  // Coalescing: while a take for a bucket is in flight, later requests for that bucket
  // queue, and the next statement takes all of them at once (n units, granted first come
  // first served). A quiet bucket costs one statement per request; a hot one costs one
  // statement per round trip instead of one row-lock wait per request.
  const queued = new Map<string, Queue>();
  const inFlight = new Set<string>();
  const leases = new Map<string, Lease>();

  function limitFor(kind: CallerScope['kind']): number {
    return kind === 'api-key' ? settings.apiKey : kind === 'user' ? settings.user : settings.anon;
  }

  function warn(log: Logger, error: unknown) {
    const now = Date.now();
    if (now - lastWarning < WARN_EVERY_MS) return;
    lastWarning = now;
    log.warn(
      { err: error },
      'rate limiter unavailable: failing open (requests proceed unlimited until the database answers)',
    );
  }

  async function flush(id: string, log: Logger): Promise<void> {
    const queue = queued.get(id);
    if (!queue) return;
    queued.delete(id);
    inFlight.add(id);
    const { scope, limit, waiters } = queue;
    const ahead = leaseSize(limit) - 1;
    try {
      const { rows } = await pool.query<TakeRow>('select * from private.rate_limit_take_many($1, $2, $3, $4)', [
        scope.id,
        limit,
        settings.windowSeconds,
        waiters.length + ahead,
      ]);
      const row = rows[0];
      if (!row) throw new Error('rate_limit_take_many returned no row');
      // Units granted beyond the waiters become this process's lease.
      const surplus = Math.max(0, row.granted - waiters.length);
      if (surplus > 0) {
        // Leases of callers that never come back are dropped oldest first (Map order).
        if (leases.size >= MAX_LEASES) leases.delete(leases.keys().next().value as string);
        leases.set(id, {
          units: surplus,
          remaining: row.remaining,
          resetAfter: row.reset_after,
          expires: Date.now() + LEASE_MS,
        });
      }
      waiters.forEach((resolve, i) => {
        const allowed = i < row.granted;
        resolve({
          policy: scope.kind,
          limit,
          windowSeconds: settings.windowSeconds,
          allowed,
          // the i-th granted request saw the units the later ones in its batch used
          remaining: allowed ? row.remaining + (row.granted - 1 - i) : 0,
          resetAfter: row.reset_after,
          retryAfter: allowed ? 0 : row.retry_after,
        });
      });
    } catch (error) {
      warn(log, error);
      for (const resolve of waiters) resolve(undefined);
    } finally {
      inFlight.delete(id);
      if (queued.has(id)) void flush(id, log);
    }
  }

  /** Takes one request from the scope's bucket; undefined when unlimited or the limiter failed (open). */
  function take(scope: CallerScope, log: Logger): Promise<RateLimitResult | undefined> {
    const limit = limitFor(scope.kind);
    if (limit <= 0) return Promise.resolve(undefined);
    const lease = leases.get(scope.id);
    if (lease) {
      if (lease.units > 0 && Date.now() < lease.expires) {
        lease.units -= 1;
        if (lease.units === 0) leases.delete(scope.id); // spent: the next take asks the database
        return Promise.resolve({
          policy: scope.kind,
          limit,
          windowSeconds: settings.windowSeconds,
          allowed: true,
          remaining: lease.remaining + lease.units,
          resetAfter: lease.resetAfter,
          retryAfter: 0,
        });
      }
      leases.delete(scope.id);
    }
    return new Promise((resolve) => {
      let queue = queued.get(scope.id);
      if (!queue) {
        queue = { scope, limit, waiters: [] };
        queued.set(scope.id, queue);
      }
      queue.waiters.push(resolve);
      if (!inFlight.has(scope.id)) void flush(scope.id, log);
    });
  }

  return { take };
}

/** The RateLimit-Policy and RateLimit fields for a result. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;

export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    'ratelimit-policy': `"${result.policy}";q=${result.limit};w=${result.windowSeconds}`,
    ratelimit: `"${result.policy}";r=${result.remaining};t=${result.resetAfter}`,
  };
}

/** The 429 for a refused request, in PostgREST's error shape. */
export function rateLimitError(result: RateLimitResult): ApiError {
  return new ApiError(429, 'TM429', 'Too many requests', {
    details: `The ${result.policy} limit is ${result.limit} requests per ${result.windowSeconds} seconds.`,
    hint: `Retry after ${result.retryAfter} seconds.`,
    headers: { 'retry-after': String(result.retryAfter) },
  });
}
