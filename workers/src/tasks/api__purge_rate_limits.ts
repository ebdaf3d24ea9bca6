// Deletes rate-limit buckets that are full again (private.rate_limits, see
// supabase/migrations/20261123170050_api-rate-limits.sql): a bucket whose theoretical
// arrival time has passed carries no information. Retry-safe: a second run deletes only
// what emptied in between. Scheduled in workers/crontab.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z.object({}).passthrough();

export const api__purge_rate_limits: Task = async (raw, helpers) => {
  payload.parse(raw ?? {});
  const { rows } = await helpers.query<{ purged: number }>('select private.rate_limits_purge() as purged');
  helpers.logger.info(`purged ${rows[0]?.purged ?? 0} rate-limit buckets`);
  // The identity endpoints' counters (lib/auth/throttle.ts): windows and lockouts long over.
  const auth = await helpers.query<{ purged: number }>('select private.auth_throttle_purge() as purged');
  helpers.logger.info(`purged ${auth.rows[0]?.purged ?? 0} identity throttle rows`);
};
