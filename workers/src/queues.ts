// Worker classes: each is a graphile-worker runner with its own concurrency, fetching only
// the jobs of the tasks in its list (get_job filters by task identifier). A flood of
// webhook deliveries or analytics can then fill its own runner's slots but never the slots
// that notifications, mail and reminders need.
import type { TaskList } from 'graphile-worker';

export const QUEUE_CLASSES = ['critical', 'webhooks', 'background'] as const;
export type QueueClass = (typeof QUEUE_CLASSES)[number];

/** Outgoing webhooks: the fan-out and the HTTP deliveries (up to 10 s each to a stranger's server). */
const WEBHOOKS = new Set(['events__webhooks', 'webhook_deliveries__send']);

/** Deferrable work: analytics and housekeeping. Everything not named here or in WEBHOOKS is critical. */
const BACKGROUND = new Set([
  'events__analytics',
  'events__purge_receipts',
  'api__purge_idempotency_keys',
  'api__purge_rate_limits',
  'identity__purge_expired',
  'webhook_deliveries__purge',
  'workspaces__erase',
]);

export function classOf(task: string): QueueClass {
  if (WEBHOOKS.has(task)) return 'webhooks';
  if (BACKGROUND.has(task)) return 'background';
  return 'critical';
}

/** The task list split per class; classes without tasks are left out. */
export function splitTaskList(taskList: TaskList): Partial<Record<QueueClass, TaskList>> {
  const out: Partial<Record<QueueClass, TaskList>> = {};
  for (const [name, task] of Object.entries(taskList)) {
    const cls = classOf(name);
    out[cls] = { ...out[cls], [name]: task };
  }
  return out;
}

/** task identifier → class, as private.record_queue_pressure wants it. */
export function classMap(taskList: TaskList): Record<string, QueueClass> {
  return Object.fromEntries(Object.keys(taskList).map((name) => [name, classOf(name)]));
}
