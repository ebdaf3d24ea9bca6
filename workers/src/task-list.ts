// Every task the worker runs, by name (`<table>__<action>`). Listed explicitly rather
// than discovered from a folder, so a typo is a type error, not a silently idle queue.
import type { TaskList } from 'graphile-worker';
import { api__purge_idempotency_keys } from './tasks/api__purge_idempotency_keys.ts';
import { api__purge_rate_limits } from './tasks/api__purge_rate_limits.ts';
import { events__analytics } from './tasks/events__analytics.ts';
import { events__notify } from './tasks/events__notify.ts';
import { events__purge_receipts } from './tasks/events__purge_receipts.ts';
import { identity__purge_expired } from './tasks/identity__purge_expired.ts';
import { mail__send } from './tasks/mail__send.ts';
import { notifications__digest } from './tasks/notifications__digest.ts';

export const taskList: TaskList = {
  api__purge_idempotency_keys,
  api__purge_rate_limits,
  events__analytics,
  events__notify,
  events__purge_receipts,
  identity__purge_expired,
  mail__send,
  notifications__digest,
};
