// The retry schedule of a webhook delivery: exponential backoff with jitter over about
// three days (docs/jobs.md, docs/webhooks.md). Attempt n (1-based) that fails waits
// min(1 min × 2^(n-1), 8 h) × a random factor in [0.8, 1.2) before attempt n+1:
// 1, 2, 4, … 256 min, then 8 h eight times; attempt 18 is the last (≈ 72.5 h nominal).
//
// The send job is one graphile-worker job with max_attempts = MAX_ATTEMPTS (the same
// number as private.webhook_max_attempts() in SQL). graphile-worker's own backoff after a
// failed attempt is fixed: run_at = greatest(now(), run_at) + exp(least(attempts, 10)) s.
// The task therefore sets its job's run_at to (the time it wants) − exp(least(attempts, 10)) s
// before it throws, and graphile-worker's update lands exactly on the wanted time. Every
// delay of this schedule is longer than graphile-worker's own (≥ 48 s vs e¹ ≈ 2.7 s; the
// 8 h cap × 0.8 = 6.4 h vs e¹⁰ s ≈ 6.1 h), so the subtraction never lands in the past.

export const MAX_ATTEMPTS = 18;
const BASE_MS = 60_000;
const CAP_MS = 8 * 3600_000;
export const JITTER = 0.2;

/** The nominal wait after failed attempt `attempt` (1-based), before jitter. */
export function nominalDelayMs(attempt: number): number {
  return Math.min(BASE_MS * 2 ** (attempt - 1), CAP_MS);
}

/** The wait after failed attempt `attempt`, jittered by ±20 % (random() in [0, 1)). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(nominalDelayMs(attempt) * (1 - JITTER + 2 * JITTER * random()));
}

/** graphile-worker's own delay after failed attempt `attempts`, in ms (see failJobs). */
export function graphileBackoffMs(attempts: number): number {
  return Math.exp(Math.min(attempts, 10)) * 1000;
}
