// What every event consumer shares: the job payload (ids only, as private.emit_event
// enqueues it) and re-reading the event. A consumer that finds its event gone (the
// workspace was deleted, the partition expired) does nothing: the job succeeds.
import type { JobHelpers } from 'graphile-worker';
import { z } from 'zod';

export const eventPayload = z.object({
  workspace_id: z.uuid(),
  seq: z.number().int().positive(),
  event_id: z.uuid(),
});
export type EventPayload = z.infer<typeof eventPayload>;

export type DomainEvent = {
  id: string;
  workspace_id: string;
  seq: number;
  type: string;
  subject_id: string;
  actor_id: string | null;
  changes: string[] | null;
  occurred_at: Date;
};

/** The event a job was enqueued for, or null when it no longer exists. */
export async function loadEvent(raw: unknown, helpers: JobHelpers): Promise<DomainEvent | null> {
  const payload = eventPayload.parse(raw);
  const { rows } = await helpers.query<DomainEvent & { seq: string }>(
    `select id, workspace_id, seq, type, subject_id, actor_id, changes, occurred_at
     from events.log where workspace_id = $1 and seq = $2 and id = $3`,
    [payload.workspace_id, payload.seq, payload.event_id],
  );
  const row = rows[0];
  if (!row) {
    helpers.logger.info(`event ${payload.event_id} is gone; nothing to do`);
    return null;
  }
  return { ...row, seq: Number(row.seq) };
}
