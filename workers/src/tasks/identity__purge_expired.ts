// Deletes sessions and verification tokens that expired more than a day ago. Retry-safe:
// running it twice deletes nothing the second time. Scheduled in workers/crontab.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const payload = z
  .object({
    grace_hours: z
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .default(24),
  })
  .passthrough();

export const identity__purge_expired: Task = async (raw, helpers) => {
  const { grace_hours } = payload.parse(raw ?? {});
  const { rows } = await helpers.query<{ sessions: number; verifications: number }>(
    `with s as (
       delete from identity.sessions where expires_at < now() - make_interval(hours => $1) returning 1
     ), v as (
       delete from identity.verifications where expires_at < now() - make_interval(hours => $1) returning 1
     )
     select (select count(*) from s)::int as sessions, (select count(*) from v)::int as verifications`,
    [grace_hours],
  );
  helpers.logger.info(`purged ${rows[0]?.sessions ?? 0} sessions, ${rows[0]?.verifications ?? 0} verifications`);
};
