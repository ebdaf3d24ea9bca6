// Every task the worker runs, by name (`<table>__<action>`). Listed explicitly rather
// than discovered from a folder, so a typo is a type error, not a silently idle queue.
import type { TaskList } from 'graphile-worker';
import { identity__purge_expired } from './tasks/identity__purge_expired.ts';

export const taskList: TaskList = {
  identity__purge_expired,
};
