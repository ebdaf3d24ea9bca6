// Entry point of the worker process: `node workers/src/main.ts`. Jobs live in Postgres
// (graphile-worker), enqueued in the same transaction as the change that causes them.
import { resolve } from 'node:path';
import { run } from 'graphile-worker';
import { config } from '../../lib/config.ts';
import { logger } from '../../lib/logger.ts';
import { workerLogger } from './logger.ts';
import { taskList } from './task-list.ts';

const cfg = config();
const log = logger.child({ component: 'worker' });
const runner = await run({
  connectionString: cfg.databaseUrl,
  concurrency: cfg.WORKER_CONCURRENCY,
  taskList,
  crontabFile: resolve(import.meta.dirname, '..', 'crontab'),
  logger: workerLogger(log),
  noHandleSignals: true,
});
log.info({ node: process.version, concurrency: cfg.WORKER_CONCURRENCY }, 'worker running');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  await runner.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
await runner.promise;
