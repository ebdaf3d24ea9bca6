// Beside the runners, each worker process keeps three things going on timers:
// - a heartbeat (private.worker_heartbeats) naming the graphile-worker pools it owns;
// - recovery: the jobs of pools whose process stopped beating for WORKER_LOCK_TIMEOUT_MS
//   are unlocked (private.recover_stale_jobs → graphile_worker.force_unlock_workers), so a
//   job whose worker was killed with SIGKILL runs again in seconds, not after
//   graphile-worker's hard-coded 4 hours;
// - the ready-queue depth per task and class (private.record_queue_pressure), which the
//   event spine reads to shed/delay non-critical work and the gateway to shed bulk calls.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from '../../lib/logger.ts';

export type SupervisorOptions = {
  pool: pg.Pool;
  log: Logger;
  classMap: Record<string, string>;
  heartbeatMs: number;
  lockTimeoutMs: number;
  pressureIntervalMs: number;
};

export type Supervisor = {
  processId: string;
  addPool(id: string): void;
  removePool(id: string): void;
  stop(): Promise<void>;
};

export function startSupervisor(opts: SupervisorOptions): Supervisor {
  const processId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const pools = new Set<string>();
  let stopped = false;
  // Every beat and measurement still running: stop() waits for all of them, not only the
  // latest, so none lands after the heartbeat row is deleted or the pool is closed.
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>, what: string) => {
    const settled = work.catch((error: unknown) => opts.log.error({ err: error }, `${what} failed`));
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  };

  const beat = async () => {
    await opts.pool.query(
      `insert into private.worker_heartbeats (process_id, pool_ids, host, pid)
       values ($1, $2, $3, $4)
       on conflict (process_id) do update set pool_ids = excluded.pool_ids, seen_at = now()`,
      [processId, [...pools], hostname(), process.pid],
    );
    const { rows } = await opts.pool.query<{ n: number }>(
      `select private.recover_stale_jobs(make_interval(secs => $1::double precision / 1000)) as n`,
      [opts.lockTimeoutMs],
    );
    if ((rows[0]?.n ?? 0) > 0)
      opts.log.warn({ jobs: rows[0]?.n }, 'unlocked jobs of a dead worker; they will run again');
  };
  const measure = async () => {
    await opts.pool.query(`select private.record_queue_pressure($1::jsonb)`, [JSON.stringify(opts.classMap)]);
  };
  const every = (ms: number, fn: () => Promise<void>, what: string) =>
    setInterval(() => {
      if (!stopped) track(fn(), what);
    }, ms);

  const timers = [
    every(opts.heartbeatMs, beat, 'worker heartbeat'),
    every(opts.pressureIntervalMs, measure, 'queue pressure measurement'),
  ];
  track(
    Promise.all([beat(), measure()]).then(() => undefined),
    'worker supervisor start',
  );

  return {
    processId,
    addPool(id) {
      pools.add(id);
      // At once, so the pool is claimed before it can lock a job for long.
      if (!stopped) track(beat(), 'worker heartbeat');
    },
    removePool(id) {
      pools.delete(id);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.all(inFlight);
      await opts.pool.query(`delete from private.worker_heartbeats where process_id = $1`, [processId]);
    },
  };
}
