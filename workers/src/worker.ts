// The worker: one graphile-worker runner per class (workers/src/queues.ts), each with its
// own concurrency, sharing one connection pool, plus the supervisor on a connection of its
// own (heartbeats, recovery of dead workers' jobs, queue depth; workers/src/supervisor.ts).
// main.ts runs it as a process; scripts/bench-jobs.ts runs it in-process to measure it.
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { Config } from '../../lib/config.ts';
import { createPool } from '../../lib/db/pool.ts';
import type { Logger } from '../../lib/logger.ts';
import { workerLogger } from './logger.ts';
import { classMap, splitTaskList, type QueueClass } from './queues.ts';
import { startSupervisor, type Supervisor } from './supervisor.ts';

export type WorkerSettings = Pick<
  Config,
  | 'databaseUrl'
  | 'WORKER_CONCURRENCY'
  | 'WORKER_WEBHOOK_CONCURRENCY'
  | 'WORKER_BACKGROUND_CONCURRENCY'
  | 'WORKER_LOCK_TIMEOUT_MS'
  | 'WORKER_HEARTBEAT_MS'
  | 'WORKER_PRESSURE_INTERVAL_MS'
  | 'WORKER_POLL_INTERVAL_MS'
>;

export type Worker = {
  supervisor: Supervisor;
  events: WorkerEvents;
  /** Resolves when every runner has stopped (or rejects when one fails). */
  promise: Promise<unknown>;
  stop(): Promise<void>;
};

export async function startWorker({
  settings,
  taskList,
  log,
  crontab = true,
}: {
  settings: WorkerSettings;
  taskList: TaskList;
  log: Logger;
  /** Whether to schedule workers/crontab (the benchmark does not). */
  crontab?: boolean;
}): Promise<Worker> {
  const concurrency: Record<QueueClass, number> = {
    critical: settings.WORKER_CONCURRENCY,
    webhooks: settings.WORKER_WEBHOOK_CONCURRENCY,
    background: settings.WORKER_BACKGROUND_CONCURRENCY,
  };
  const classes = splitTaskList(taskList);
  const totalConcurrency = Object.keys(classes).reduce((n, c) => n + concurrency[c as QueueClass], 0);
  // Each runner holds a LISTEN connection besides one per concurrent job, +1 spare.
  const pgPool = createPool({
    connectionString: settings.databaseUrl,
    max: totalConcurrency + Object.keys(classes).length + 1,
    applicationName: 'taskmaster-worker',
  });
  // A connection dropped while checked out must not crash the process: the job fails and retries.
  pgPool.on('connect', (client) =>
    client.on('error', (error) => log.error({ err: error }, 'worker database connection failed')),
  );

  // The supervisor has a connection of its own: a heartbeat must never wait behind jobs
  // holding every pooled connection, or a busy worker would look dead and its jobs run twice.
  const supervisorPool = createPool({
    connectionString: settings.databaseUrl,
    max: 1,
    applicationName: 'taskmaster-worker-supervisor',
  });
  const supervisor = startSupervisor({
    pool: supervisorPool,
    log,
    classMap: classMap(taskList),
    heartbeatMs: settings.WORKER_HEARTBEAT_MS,
    lockTimeoutMs: settings.WORKER_LOCK_TIMEOUT_MS,
    pressureIntervalMs: settings.WORKER_PRESSURE_INTERVAL_MS,
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
        pollInterval: settings.WORKER_POLL_INTERVAL_MS,
        taskList: list,
        // The schedule is enqueued once (cron only adds jobs; each task's class runs them).
        ...(crontab && cls === 'critical'
          ? { crontabFile: resolve(import.meta.dirname, '..', 'crontab') }
          : { parsedCronItems: [] }),
        logger: workerLogger(log.child({ queue: cls })),
        events,
        noHandleSignals: true,
      }),
    );
  }
  log.info({ node: process.version, concurrency, processId: supervisor.processId }, 'worker running');

  return {
    supervisor,
    events,
    promise: Promise.all(runners.map((r) => r.promise)),
    async stop() {
      await Promise.allSettled(runners.map((r) => r.stop()));
      await supervisor.stop().catch((error: unknown) => log.error({ err: error }, 'supervisor stop failed'));
      await Promise.all([pgPool.end(), supervisorPool.end()]);
    },
  };
}
