// Leases: a large quota is taken a few units at a time, so a busy bucket costs one
// statement per lease instead of one per request, while the RateLimit remaining count
// still goes down by one per request and small quotas stay exact.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import type pg from 'pg';
import { createRateLimiter, leaseSize } from '../../gateway/src/api/rate-limit.ts';
import { logger } from '../../lib/logger.ts';
import { closeServices, services } from '../../lib/services.ts';

after(closeServices);

function countingPool(): { pool: pg.Pool; statements: () => number } {
  let n = 0;
  const real = services().servicePool;
  const pool = {
    query: (...args: Parameters<pg.Pool['query']>) => {
      n += 1;
      return (real.query as (...a: unknown[]) => unknown)(...args);
    },
  } as unknown as pg.Pool;
  return { pool, statements: () => n };
}

test('lease size: exact (1) up to 1000 a window, then one unit in 500, at most 50', () => {
  assert.deepEqual([3, 600, 1000, 1200, 2500, 60_000, 6_000_000].map(leaseSize), [1, 1, 2, 2, 5, 50, 50]);
});

test('a quota of 2500 a minute takes 5 units per statement; remaining still counts down by one', async () => {
  const { pool, statements } = countingPool();
  const limiter = createRateLimiter({ pool, settings: { anon: 2500, user: 2500, apiKey: 2500, windowSeconds: 60 } });
  const scope = { kind: 'user' as const, id: `test:lease-${randomUUID()}` };
  const seen: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const result = await limiter.take(scope, logger);
    assert.ok(result?.allowed);
    seen.push(result.remaining);
  }
  assert.equal(statements(), 2, 'ten requests, two leases of five');
  assert.deepEqual(seen, [2499, 2498, 2497, 2496, 2495, 2494, 2493, 2492, 2491, 2490]);
});

test('a small quota stays exact: one statement per request, refused at the limit', async () => {
  const { pool, statements } = countingPool();
  const limiter = createRateLimiter({ pool, settings: { anon: 3, user: 3, apiKey: 3, windowSeconds: 60 } });
  const scope = { kind: 'anon' as const, id: `test:exact-${randomUUID()}` };
  const allowed: boolean[] = [];
  for (let i = 0; i < 4; i += 1) allowed.push(Boolean((await limiter.take(scope, logger))?.allowed));
  assert.deepEqual(allowed, [true, true, true, false]);
  assert.equal(statements(), 4);
});
