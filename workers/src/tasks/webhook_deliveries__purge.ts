// Deletes finished webhook deliveries (succeeded or failed) older than `days` (30 by
// default): the log is for looking into recent problems, and a delivery is finished
// within about three days of its event. Deliveries still pending or retrying are kept
// whatever their age. Retry-safe. Scheduled in workers/crontab.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z.object({ days: z.number().int().min(7).max(365).default(30) }).passthrough();

export const webhook_deliveries__purge: Task = async (raw, helpers) => {
  const { days } = payload.parse(raw ?? {});
  const { rowCount } = await helpers.query(
    `delete from public.webhook_deliveries
     where created_at < now() - make_interval(days => $1) and status in ('succeeded', 'failed')`,
    [days],
  );
  helpers.logger.info(`purged ${rowCount ?? 0} webhook deliveries`);
};
