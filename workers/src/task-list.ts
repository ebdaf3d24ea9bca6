// Every task the worker runs, by name (`<table>__<action>`). Listed explicitly rather
// than discovered from a folder, so a typo is a type error, not a silently idle queue.
import type { TaskList } from 'graphile-worker';
import { api__purge_idempotency_keys } from './tasks/api__purge_idempotency_keys.ts';
import { api__purge_rate_limits } from './tasks/api__purge_rate_limits.ts';
import { auth__rotate_keys } from './tasks/auth__rotate_keys.ts';
import { auth__mail } from './tasks/auth__mail.ts';
import { events__analytics } from './tasks/events__analytics.ts';
import { events__notify } from './tasks/events__notify.ts';
import { events__purge_receipts } from './tasks/events__purge_receipts.ts';
import { events__webhooks } from './tasks/events__webhooks.ts';
import { identity__purge_expired } from './tasks/identity__purge_expired.ts';
import { jobs__evaluate_alerts } from './tasks/jobs__evaluate_alerts.ts';
import { mail__send } from './tasks/mail__send.ts';
import { notifications__digest } from './tasks/notifications__digest.ts';
import { reminders__fire } from './tasks/reminders__fire.ts';
import { tasks__next_occurrence } from './tasks/tasks__next_occurrence.ts';
import { webhook_deliveries__purge } from './tasks/webhook_deliveries__purge.ts';
import { webhook_deliveries__send } from './tasks/webhook_deliveries__send.ts';

export const taskList: TaskList = {
  api__purge_idempotency_keys,
  api__purge_rate_limits,
  auth__rotate_keys,
  auth__mail,
  events__analytics,
  events__notify,
  events__purge_receipts,
  events__webhooks,
  identity__purge_expired,
  jobs__evaluate_alerts,
  mail__send,
  notifications__digest,
  reminders__fire,
  tasks__next_occurrence,
  webhook_deliveries__purge,
  webhook_deliveries__send,
};
