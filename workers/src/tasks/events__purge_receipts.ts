// Deletes consumer receipts (private.event_receipts) older than 30 days: a job is retried
// for about three days at most, so an older receipt can no longer prevent a double effect.
// Retry-safe. Scheduled in workers/crontab.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z.object({ days: z.number().int().min(7).max(365).default(30) }).passthrough();

export const events__purge_receipts: Task = async (raw, helpers) => {
  const { days } = payload.parse(raw ?? {});
  const { rowCount } = await helpers.query(
    `delete from private.event_receipts where processed_at < now() - make_interval(days => $1)`,
    [days],
  );
  helpers.logger.info(`purged ${rowCount ?? 0} event receipts`);
};
