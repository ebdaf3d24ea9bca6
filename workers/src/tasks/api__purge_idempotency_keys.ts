// Deletes Idempotency-Key records older than their TTL (24 hours; private.idempotency_keys,
// see supabase/migrations/20261123170060_api-idempotency-keys.sql). Expired records are
// already ignored by the gateway; this only reclaims space. Retry-safe. Scheduled in
// workers/crontab.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z
  .object({
    ttl_hours: z
      .number()
      .int()
      .min(24)
      .max(24 * 30)
      .default(24),
  })
  .passthrough();

export const api__purge_idempotency_keys: Task = async (raw, helpers) => {
  const { ttl_hours } = payload.parse(raw ?? {});
  const { rows } = await helpers.query<{ purged: number }>(
    'select private.idempotency_keys_purge(make_interval(hours => $1)) as purged',
    [ttl_hours],
  );
  helpers.logger.info(`purged ${rows[0]?.purged ?? 0} idempotency keys`);
};
