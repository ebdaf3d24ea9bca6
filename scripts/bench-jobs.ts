// `npm run bench:jobs`: how fast is our job pipeline compared with graphile-worker alone?
//
//   1. a throw-away database (BENCH_JOBS_DB, default `taskmaster_bench_jobs`), migrated;
//   2. throughput, jobs/s, at concurrency 1, 4, 16, 32 (BENCH_CONCURRENCY), each run
//      starting from an idle, connected runner and an empty queue; N jobs (BENCH_JOBS) are
//      enqueued in one transaction and the clock stops when the last one has succeeded:
//      - bare: graphile-worker's run() with a no-op task, default options, no logging;
//      - ours/no-op: our worker (workers/src/worker.ts: runner per class, shared pool,
//        supervisor with heartbeats and queue-depth measurement, pino logging to a file)
//        running the same no-op task in the critical class;
//      - ours/fan-out: the event path: N task rows inserted in one statement (triggers
//        record N events and enqueue their consumer jobs), events__analytics running at
//        that concurrency in the background class (validate, re-read the event, receipt +
//        counter in one transaction);
//      - ours/webhook: the outgoing-webhook path: N task rows spread over 200 workspaces
//        with one endpoint each (a local HTTP receiver answering 204; 200 endpoints keep
//        every endpoint far below its 300/min rate limit), events__webhooks fanning each
//        event out to a delivery and webhook_deliveries__send signing and POSTing it, both
//        at that concurrency in the webhooks class; counted: deliveries sent.
//   3. enqueue → start latency when idle (BENCH_LATENCY_SAMPLES, one job at a time, a
//      short random pause between): the time from sending add_job to the task function
//      being called, for bare and ours.
// Prints a table and writes .data/bench/jobs-<timestamp>.json; docs/performance.md records
// runs. Not a test: timings depend on the machine.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger as GraphileLogger, run, type Task, type TaskList, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { config } from '../lib/config.ts';
import { migrate } from '../lib/db/migrate.ts';
import { logger } from '../lib/logger.ts';
import { events__analytics } from '../workers/src/tasks/events__analytics.ts';
import { events__webhooks } from '../workers/src/tasks/events__webhooks.ts';
import { defaultSendTaskOptions, makeSendTask } from '../workers/src/tasks/webhook_deliveries__send.ts';
import { startWorker, type WorkerSettings } from '../workers/src/worker.ts';

const root = resolve(import.meta.dirname, '..');
const cfg = config();
const DB = process.env.BENCH_JOBS_DB ?? 'taskmaster_bench_jobs';
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,4,16,32').split(',').map(Number);
const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
/** Rounds per concurrency, bare/ours/fan-out interleaved; the median is reported (shared machines are noisy). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 300);
const OUT_DIR = join(root, '.data', 'bench');
const log = logger.child({ component: 'bench' });

function dbUrl(name: string): string {
  const u = new URL(cfg.databaseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
const url = dbUrl(DB);
const silent = new GraphileLogger(() => () => undefined);

async function recreateDatabase() {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${DB}" with (force)`);
    await admin.query(`create database "${DB}"`);
  } finally {
    await admin.end();
  }
  await migrate({ connectionString: url, log, authenticatorPassword: cfg.AUTHENTICATOR_PASSWORD });
}

/** A running worker under test: its events, and how to stop it. */
type Subject = { events: WorkerEvents; stop: () => Promise<void> };

const noop: Task = async () => undefined;

async function bare(concurrency: number): Promise<Subject> {
  const events: WorkerEvents = new EventEmitter();
  const runner = await run({
    connectionString: url,
    concurrency,
    taskList: { bench__bare: noop },
    parsedCronItems: [],
    logger: silent,
    events,
    noHandleSignals: true,
  });
  return { events, stop: () => runner.stop() };
}

const workerLog = pino(
  { level: cfg.LOG_LEVEL },
  pino.destination({ dest: join(OUT_DIR, 'worker.log'), sync: false, mkdir: true }),
);

async function ours(taskList: TaskList, concurrency: number): Promise<Subject> {
  const settings: WorkerSettings = {
    ...cfg,
    databaseUrl: url,
    WORKER_CONCURRENCY: concurrency,
    WORKER_BACKGROUND_CONCURRENCY: concurrency,
    WORKER_WEBHOOK_CONCURRENCY: concurrency,
  };
  const worker = await startWorker({
    settings,
    taskList,
    log: workerLog.child({ component: 'worker' }),
    crontab: false,
  });
  return { events: worker.events, stop: () => worker.stop() };
}

/** Resolves once `count` jobs of `task` have succeeded (counted from now). */
function succeeded(events: WorkerEvents, task: string, count: number): Promise<number> {
  return new Promise((done) => {
    let seen = 0;
    const on = ({ job }: { job: { task_identifier: string } }) => {
      if (job.task_identifier !== task) return;
      seen += 1;
      if (seen === count) {
        events.off('job:success', on);
        done(performance.now());
      }
    };
    events.on('job:success', on);
  });
}

async function waitIdle(pool: pg.Pool) {
  // The runner has connected (LISTEN) and found the queue empty.
  await new Promise((r) => setTimeout(r, 500));
  await pool.query('select 1');
}

type Run = { jobsPerSecond: number; cpuMicrosPerJob: number };

/**
 * Jobs/s from enqueue to the last success, and this process's CPU time per job (user +
 * system): the CPU figure barely moves with other load on the machine, so it shows our
 * overhead over bare graphile-worker even when wall-clock numbers are noisy.
 */
async function throughput(
  pool: pg.Pool,
  subject: Subject,
  task: string,
  enqueue: (n: number) => Promise<void>,
): Promise<Run> {
  await waitIdle(pool);
  const done = succeeded(subject.events, task, JOBS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await enqueue(JOBS);
  const t1 = await done;
  const cpu = process.cpuUsage(cpu0);
  await subject.stop();
  return { jobsPerSecond: JOBS / ((t1 - t0) / 1000), cpuMicrosPerJob: (cpu.user + cpu.system) / JOBS };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const addJobs = (pool: pg.Pool, task: string) => async (n: number) => {
  await pool.query(`select graphile_worker.add_job($1, '{}'::json) from generate_series(1, $2)`, [task, n]);
};

type Latency = { p50: number; p99: number; max: number; addJobP50: number; addJobP99: number };

/** Enqueue → task start, one job at a time on an idle runner; and add_job's own round trip. */
async function latency(pool: pg.Pool, subject: Subject, task: string): Promise<Latency> {
  await waitIdle(pool);
  const samples: number[] = [];
  const acks: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
    const started = new Promise<number>((done) => {
      const on = ({ job }: { job: { task_identifier: string } }) => {
        if (job.task_identifier !== task) return;
        subject.events.off('job:start', on);
        done(performance.now());
      };
      subject.events.on('job:start', on);
    });
    const finished = succeeded(subject.events, task, 1);
    const t0 = performance.now();
    await pool.query(`select graphile_worker.add_job($1, '{}'::json)`, [task]);
    acks.push(performance.now() - t0);
    samples.push((await started) - t0);
    await finished;
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
  }
  await subject.stop();
  const at = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
  };
  return {
    p50: at(samples, 0.5),
    p99: at(samples, 0.99),
    max: at(samples, 1),
    addJobP50: at(acks, 0.5),
    addJobP99: at(acks, 0.99),
  };
}

async function main() {
  await mkdir(OUT_DIR, { recursive: true });
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  process.stdout.write(
    `bench:jobs on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${load()}; ` +
      `${JOBS} jobs per run, ${ROUNDS} rounds (median shown)\n`,
  );
  await recreateDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const { rows } = await pool.query<{ id: string }>(
    `insert into public.workspaces (name) values ('bench') returning id`,
  );
  const workspaceId = rows[0]!.id;
  const insertTasks = async (n: number) => {
    await pool.query(
      `insert into public.tasks (workspace_id, title) select $1, 'bench ' || g from generate_series(1, $2) g`,
      [workspaceId, n],
    );
  };

  // The webhook path: a local receiver, 200 workspaces with one endpoint each.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const hookWorkspaces = (
    await pool.query<{ id: string }>(
      `insert into public.workspaces (name) select 'bench hooks ' || g from generate_series(1, 200) g returning id`,
    )
  ).rows.map((r) => r.id);
  await pool.query(
    `with e as (
       insert into public.webhook_endpoints (workspace_id, url, event_types)
       select w, $2, '{task.created}' from unnest($1::uuid[]) w returning workspace_id, id)
     insert into private.webhook_endpoint_secrets (workspace_id, endpoint_id, secret)
     select workspace_id, id, 'whsec_' || md5(random()::text) || md5(random()::text) from e`,
    [hookWorkspaces, receiverUrl],
  );
  const webhookTasks = {
    events__webhooks,
    // Loopback is refused outside development; the bench's receiver is local on purpose.
    webhook_deliveries__send: makeSendTask({ ...defaultSendTaskOptions, allowInsecure: () => true }),
  };
  const insertHookTasks = async (n: number) => {
    await pool.query(
      `insert into public.tasks (workspace_id, title)
       select ($1::uuid[])[1 + g % cardinality($1::uuid[])], 'hook ' || g from generate_series(1, $2) g`,
      [hookWorkspaces, n],
    );
  };

  const results: Record<string, number | number[]>[] = [];
  for (const c of CONCURRENCY) {
    const runs: { bare: Run; ours: Run; fanout: Run; webhook: Run }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const b = await throughput(pool, await bare(c), 'bench__bare', addJobs(pool, 'bench__bare'));
      const o = await throughput(
        pool,
        await ours({ bench__noop: noop }, c),
        'bench__noop',
        addJobs(pool, 'bench__noop'),
      );
      const f = await throughput(pool, await ours({ events__analytics }, c), 'events__analytics', insertTasks);
      // The other consumers of those events have no runner here.
      await pool.query(`delete from graphile_worker._private_jobs`);
      const w = await throughput(pool, await ours(webhookTasks, c), 'webhook_deliveries__send', insertHookTasks);
      await pool.query(`delete from graphile_worker._private_jobs`);
      runs.push({ bare: b, ours: o, fanout: f, webhook: w });
    }
    const pick = (k: 'bare' | 'ours' | 'fanout' | 'webhook', m: keyof Run) =>
      Math.round(median(runs.map((r) => r[k][m])));
    const row = {
      concurrency: c,
      bare: pick('bare', 'jobsPerSecond'),
      ours: pick('ours', 'jobsPerSecond'),
      fanout: pick('fanout', 'jobsPerSecond'),
      bareCpuMicrosPerJob: pick('bare', 'cpuMicrosPerJob'),
      oursCpuMicrosPerJob: pick('ours', 'cpuMicrosPerJob'),
      fanoutCpuMicrosPerJob: pick('fanout', 'cpuMicrosPerJob'),
      webhook: pick('webhook', 'jobsPerSecond'),
      webhookCpuMicrosPerJob: pick('webhook', 'cpuMicrosPerJob'),
      bareRuns: runs.map((r) => Math.round(r.bare.jobsPerSecond)),
      oursRuns: runs.map((r) => Math.round(r.ours.jobsPerSecond)),
    };
    results.push(row);
    process.stdout.write(
      `concurrency ${String(c).padStart(2)}: bare ${row.bare} jobs/s (${row.bareCpuMicrosPerJob} µs CPU/job), ` +
        `ours ${row.ours} jobs/s = ${Math.round((100 * row.ours) / row.bare)}% (${row.oursCpuMicrosPerJob} µs/job), ` +
        `fan-out ${row.fanout} jobs/s (${row.fanoutCpuMicrosPerJob} µs/job), ` +
        `webhook deliveries ${row.webhook}/s (${row.webhookCpuMicrosPerJob} µs/delivery); ` +
        `rounds bare ${row.bareRuns.join('/')}, ours ${row.oursRuns.join('/')}; load ${load()}\n`,
    );
  }
  const latencyBare = await latency(pool, await bare(4), 'bench__bare');
  const latencyOurs = await latency(pool, await ours({ bench__noop: noop }, 4), 'bench__noop');
  process.stdout.write(
    `idle enqueue→start (ms): bare p50 ${latencyBare.p50} p99 ${latencyBare.p99}; ` +
      `ours p50 ${latencyOurs.p50} p99 ${latencyOurs.p99}; ` +
      `add_job round trip alone p50 ${latencyOurs.addJobP50} p99 ${latencyOurs.addJobP99}; load ${load()}\n`,
  );
  await pool.end();
  receiver.close();

  const file = join(OUT_DIR, `jobs-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    JSON.stringify(
      {
        cores: cpus().length,
        loadavg: loadavg(),
        jobs: JOBS,
        rounds: ROUNDS,
        throughput: results,
        latencyBare,
        latencyOurs,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`written ${file}\n`);
  workerLog.flush();
}

await main();
