// Entry point of the worker process: `node workers/src/main.ts`. Jobs live in Postgres
// (graphile-worker), enqueued in the same transaction as the change that causes them.
// The runners and the supervisor are set up in ./worker.ts; this file owns the process.
import { config } from '../../lib/config.ts';
import { logger } from '../../lib/logger.ts';
import { taskList } from './task-list.ts';
import { startWorker } from './worker.ts';

const log = logger.child({ component: 'worker' });
const settings = config();
// WORKER_TASKS narrows the task list (the browser tests run a worker for auth__mail only).
const only = settings.WORKER_TASKS?.split(',');
const unknown = only?.filter((name) => !(name in taskList)) ?? [];
if (unknown.length > 0) throw new Error(`WORKER_TASKS names unknown tasks: ${unknown.join(', ')}`);
const tasks = only ? Object.fromEntries(Object.entries(taskList).filter(([name]) => only.includes(name))) : taskList;
const worker = await startWorker({ settings, taskList: tasks, log, crontab: !only });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  await worker.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
await worker.promise;
