// Product analytics: counts each event into analytics.workspace_daily (per workspace, UTC
// day, metric). Non-critical: private.emit_event sheds it when its queue is over its limit
// (private.queue_pressure). Idempotent: the receipt and the increment commit together, so
// a second run of the same job finds the receipt and counts nothing.
import type { Task } from 'graphile-worker';
import { loadEvent } from '../events.ts';
import { inTransaction } from '../transaction.ts';

/** Metric name per event type; other types are not counted. */
const METRICS: Readonly<Record<string, string>> = {
  'task.created': 'tasks_created',
  'task.completed': 'tasks_completed',
  'task.reopened': 'tasks_reopened',
  'task.deleted': 'tasks_deleted',
  'task.restored': 'tasks_restored',
  'task.purged': 'tasks_purged',
  'project.created': 'projects_created',
  'project.archived': 'projects_archived',
  'member.added': 'members_added',
  'member.removed': 'members_removed',
};

export const events__analytics: Task = async (raw, helpers) => {
  const event = await loadEvent(raw, helpers);
  if (!event) return;
  const metric = METRICS[event.type];
  if (!metric) return;
  await inTransaction(helpers, async (client) => {
    const receipt = await client.query(
      `insert into private.event_receipts (consumer, event_id) values ('events__analytics', $1)
       on conflict do nothing`,
      [event.id],
    );
    if (receipt.rowCount === 1) {
      await client.query(
        `insert into analytics.workspace_daily as d (workspace_id, day, metric, value)
         values ($1, ($2::timestamptz at time zone 'UTC')::date, $3, 1)
         on conflict (workspace_id, day, metric) do update set value = d.value + 1`,
        [event.workspace_id, event.occurred_at, metric],
      );
    }
  });
};
