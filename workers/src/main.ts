// Entry point of the worker process: `node workers/src/main.ts`. Jobs live in Postgres
// (graphile-worker), enqueued in the same transaction as the change that causes them.
// One runner per class (workers/src/queues.ts), each with its own concurrency, sharing one
// connection pool; a supervisor writes heartbeats, frees dead workers' jobs and measures
// queue depth (workers/src/supervisor.ts).
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { run, type Runner, type WorkerEvents } from 'graphile-worker';
import { config } from '../../lib/config.ts';
import { createPool } from '../../lib/db/pool.ts';
import { logger } from '../../lib/logger.ts';
import { workerLogger } from './logger.ts';
import { classMap, splitTaskList, type QueueClass } from './queues.ts';
import { startSupervisor } from './supervisor.ts';
import { taskList } from './task-list.ts';

const cfg = config();
const log = logger.child({ component: 'worker' });
const concurrency: Record<QueueClass, number> = {
  critical: cfg.WORKER_CONCURRENCY,
  webhooks: cfg.WORKER_WEBHOOK_CONCURRENCY,
  background: cfg.WORKER_BACKGROUND_CONCURRENCY,
};
const classes = splitTaskList(taskList);
const totalConcurrency = Object.keys(classes).reduce((n, c) => n + concurrency[c as QueueClass], 0);
// Each runner holds a LISTEN connection besides one per concurrent job; +2 for the supervisor.
const pgPool = createPool({
  connectionString: cfg.databaseUrl,
  max: totalConcurrency + Object.keys(classes).length + 2,
  applicationName: 'taskmaster-worker',
});
// A connection dropped while checked out must not crash the process: the job fails and retries.
pgPool.on('connect', (client) =>
  client.on('error', (error) => log.error({ err: error }, 'worker database connection failed')),
);

const supervisor = startSupervisor({
  pool: pgPool,
  log,
  classMap: classMap(taskList),
  heartbeatMs: cfg.WORKER_HEARTBEAT_MS,
  lockTimeoutMs: cfg.WORKER_LOCK_TIMEOUT_MS,
  pressureIntervalMs: cfg.WORKER_PRESSURE_INTERVAL_MS,
});
const events: WorkerEvents = new EventEmitter();
events.on('pool:create', ({ workerPool }) => supervisor.addPool(workerPool.id));
events.on('pool:release', ({ pool }) => supervisor.removePool(pool.id));

const runners: Runner[] = [];
for (const [cls, list] of Object.entries(classes)) {
  runners.push(
    await run({
      pgPool,
      concurrency: concurrency[cls as QueueClass],
      pollInterval: cfg.WORKER_POLL_INTERVAL_MS,
      taskList: list,
      // The schedule is enqueued once (cron only adds jobs; the runner of each task's class runs them).
      ...(cls === 'critical'
        ? { crontabFile: resolve(import.meta.dirname, '..', 'crontab') }
        : { parsedCronItems: [] }),
      logger: workerLogger(log.child({ queue: cls })),
      events,
      noHandleSignals: true,
    }),
  );
}
log.info({ node: process.version, concurrency, processId: supervisor.processId }, 'worker running');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'worker stopping');
  await Promise.allSettled(runners.map((r) => r.stop()));
  await supervisor.stop().catch((error: unknown) => log.error({ err: error }, 'supervisor stop failed'));
  await pgPool.end();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
await Promise.all(runners.map((r) => r.promise));
