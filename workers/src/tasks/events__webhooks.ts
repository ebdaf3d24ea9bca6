// Outgoing webhooks, fan-out: for each enabled endpoint of the event's workspace that
// subscribes to the event's type, one delivery row and its send job
// (webhook_deliveries__send), created together by private.enqueue_webhook_deliveries in
// one statement. Idempotent: a delivery is unique per (endpoint, event), so a second run
// creates and queues nothing.
import type { Task } from 'graphile-worker';
import { loadEvent } from '../events.ts';

export const events__webhooks: Task = async (raw, helpers) => {
  const event = await loadEvent(raw, helpers);
  if (!event) return;
  const { rows } = await helpers.query<{ created: number }>(
    'select private.enqueue_webhook_deliveries($1, $2, $3) as created',
    [event.workspace_id, event.id, event.type],
  );
  if (rows[0]?.created) helpers.logger.debug(`event ${event.id}: ${rows[0].created} webhook deliveries queued`);
};
