// `npm run bench:api`: how fast is the REST engine compared with Postgres alone?
//
//   1. a throw-away database `taskmaster_bench` (same cluster), migrated;
//   2. the gateway as its own process, production mode, rate limits raised out of the way;
//   3. one signed-up user with 500 tasks in their personal workspace, a Bearer access JWT;
//   4. autocannon: GET /rest/v1/tasks?select=*&limit=50 and POST /rest/v1/tasks at 10, 50
//      and 200 connections;
//   5. pgbench running the very SQL the engine generates for that GET (taken from the
//      engine itself), inside the same transaction shape as lib/db/as-user.ts: BEGIN,
//      set_config(role + claims), the query, COMMIT, as `authenticator`, so RLS runs;
//   6. an in-process profile of one request's stages (JWT check, transaction set-up, SQL,
//      body) so the gap to pgbench is explained, not just measured.
// Prints a table and writes it to .data/bench/api-<timestamp>.json; docs/performance.md
// records runs. Not a test: timings depend on the machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import type { ApiContext } from '../gateway/src/api/types.ts';
import { engineLimits, type EngineLimits, type Plan } from '../gateway/src/rest/engine.ts';
import { planRequest } from '../gateway/src/rest/index.ts';
import { loadSchemaCache, type SchemaCache } from '../gateway/src/rest/schema-cache.ts';
import { config, withCredentials } from '../lib/config.ts';
import { asUser, asUserQuery, transactionSettings, type Claims } from '../lib/db/as-user.ts';
import { migrate } from '../lib/db/migrate.ts';
import { logger } from '../lib/logger.ts';

const root = resolve(import.meta.dirname, '..');
const cfg = config();
const PORT = Number(process.env.BENCH_PORT ?? 54351);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50,200').split(',').map(Number);
/** Unmeasured load before each closed-loop run, so JIT warm-up is not counted as latency. */
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const READ_PATH = process.env.BENCH_READ_PATH ?? '/rest/v1/tasks?select=*&limit=50';
const log = logger.child({ component: 'bench' });
const GATEWAY_LOG = process.env.BENCH_GATEWAY_LOG ?? join(root, '.data', 'bench', 'gateway.log');

function dbUrl(name: string, base = cfg.databaseUrl): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}
const benchUrl = dbUrl('taskmaster_bench');

async function recreateDatabase() {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query('drop database if exists taskmaster_bench with (force)');
    await admin.query('create database taskmaster_bench');
  } finally {
    await admin.end();
  }
  await migrate({
    connectionString: benchUrl,
    log: log.child({}, { level: 'warn' }),
    authenticatorPassword: cfg.AUTHENTICATOR_PASSWORD,
  });
}

async function startGateway(): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.AUTHENTICATOR_URL; // derived from DATABASE_URL below
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=.data/bench/prof" profiles the gateway.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'gateway/src/main.ts')], {
    cwd: root,
    // The gateway's access log (one line per request, with its server-side duration) is
    // kept in GATEWAY_LOG: server-side percentiles are computed from it per run.
    stdio: ['ignore', openSync(GATEWAY_LOG, 'w'), 'inherit'],
    env: {
      ...env,
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      DATABASE_URL: benchUrl,
      PORT: String(PORT),
      // Twice the database's cores (HikariCP's sizing rule; this machine has 2): more
      // connections than that let ten busy backends fight the gateway for two cores, and
      // the scheduler's time slices show up as 15–50 ms p99 (docs/performance.md).
      API_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? String(2 * cpus().length),
      PUBLIC_URL: `http://localhost:${PORT}`,
      RATE_LIMIT_ANON_PER_MINUTE: process.env.BENCH_RATE_LIMIT ?? '6000000',
      RATE_LIMIT_USER_PER_MINUTE: process.env.BENCH_RATE_LIMIT ?? '6000000',
      RATE_LIMIT_API_KEY_PER_MINUTE: process.env.BENCH_RATE_LIMIT ?? '6000000',
    },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i += 1) {
    try {
      if ((await fetch(`${BASE}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('gateway did not become ready');
}

async function signUpUser(): Promise<{ token: string; workspaceId: string }> {
  const email = `bench-${Date.now()}@example.test`;
  const res = await fetch(`${BASE}/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://localhost:${PORT}` },
    body: JSON.stringify({ name: 'Bench', email, password: 'correct horse battery staple' }),
  });
  if (!res.ok) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const tokenRes = await fetch(`${BASE}/auth/token`, { headers: { cookie } });
  const { token } = (await tokenRes.json()) as { token: string };
  const ws = await fetch(`${BASE}/rest/v1/workspaces?select=id&kind=eq.personal`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const [workspace] = (await ws.json()) as { id: string }[];
  if (!workspace) throw new Error('no personal workspace');
  return { token, workspaceId: workspace.id };
}

async function seedTasks(token: string, workspaceId: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => ({ workspace_id: workspaceId, title: `Seeded task ${i}` }));
  const res = await fetch(`${BASE}/rest/v1/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=minimal' },
    body: JSON.stringify(rows),
  });
  if (res.status !== 201) throw new Error(`seed: ${res.status} ${await res.text()}`);
}

type HttpResult = {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  /** From the gateway's access log: arrival to response end, without the client's own delays. */
  server_p50?: number;
  server_p99?: number;
  errors: number;
  non2xx: number;
  window?: { method: string; from: number; to: number };
};

/** Server-side percentiles of each run, from the access log lines inside its time window. */
async function addServerLatency(runs: HttpResult[]) {
  const lines = (await readFile(GATEWAY_LOG, 'utf8')).split('\n');
  const entries: { t: number; method: string; ms: number }[] = [];
  for (const line of lines) {
    if (!line.includes('"msg":"request"') || !line.includes('"path":"/rest/v1/tasks"')) continue;
    const e = JSON.parse(line) as { time: string; method: string; ms: number };
    entries.push({ t: Date.parse(e.time), method: e.method, ms: e.ms });
  }
  for (const run of runs) {
    const w = run.window;
    if (!w) continue;
    const ms = entries
      .filter((e) => e.method === w.method && e.t >= w.from && e.t <= w.to)
      .map((e) => e.ms)
      .sort((a, b) => a - b);
    run.server_p50 = percentile(ms, 0.5);
    run.server_p99 = percentile(ms, 0.99);
    delete run.window;
  }
}

/**
 * The closed-loop load generator: wrk when installed (`apt-get install wrk`; C, so it takes
 * a small share of the two cores the gateway and Postgres also use), autocannon otherwise.
 * BENCH_LOADGEN=autocannon forces the Node one.
 */
const LOADGEN =
  process.env.BENCH_LOADGEN ?? (spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon');

/** A Lua string literal (for the wrk script only: our own values). */
function lua(value: string): string {
  return JSON.stringify(value);
}

async function wrk(
  name: string,
  connections: number,
  path: string,
  opts: { method?: string; headers: Record<string, string>; body?: string },
): Promise<HttpResult> {
  const script = join(root, '.data', 'bench', 'wrk.lua');
  const lines = [`wrk.method = ${lua(opts.method ?? 'GET')}`];
  for (const [k, v] of Object.entries(opts.headers)) lines.push(`wrk.headers[${lua(k)}] = ${lua(v)}`);
  if (opts.body !== undefined) lines.push(`wrk.body = ${lua(opts.body)}`);
  lines.push(
    'function done(s, latency, r)',
    '  local e = s.errors',
    '  io.write(string.format("WRK %d %d %d %d %d %d\\n", s.requests, s.duration,',
    '    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))',
    'end',
  );
  await writeFile(script, lines.join('\n') + '\n');
  const threads = process.env.BENCH_WRK_THREADS ?? '1';
  const run = (seconds: number) =>
    spawnSync('wrk', ['-t', threads, '-c', String(connections), '-d', `${seconds}s`, '-s', script, BASE + path], {
      encoding: 'utf8',
    });
  if (WARMUP > 0) run(WARMUP);
  const from = Date.now();
  const out = run(DURATION);
  const line = out.stdout.split('\n').find((l) => l.startsWith('WRK '));
  if (!line) throw new Error(`wrk printed no summary: ${out.stdout}${out.stderr}`);
  const [requests, durationUs, p50Us, p99Us, errors, non2xx] = line.split(' ').slice(1).map(Number) as number[];
  return {
    window: { method: opts.method ?? 'GET', from, to: Date.now() },
    name,
    connections,
    rps: Math.round(requests! / (durationUs! / 1e6)),
    p50: round(p50Us! / 1000),
    p99: round(p99Us! / 1000),
    errors: errors!,
    non2xx: non2xx!,
  };
}

async function cannon(
  name: string,
  connections: number,
  path: string,
  opts: { method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<HttpResult> {
  if (LOADGEN === 'wrk') return wrk(name, connections, path, opts);
  if (WARMUP > 0) await autocannon({ url: BASE + path, connections, duration: WARMUP, ...opts });
  const from = Date.now();
  const result = await autocannon({ url: BASE + path, connections, duration: DURATION, ...opts });
  return {
    window: { method: opts.method ?? 'GET', from, to: Date.now() },
    name,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Single-quoted SQL literal (for the pgbench script file only: our own values). */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The engine's SQL for READ_PATH with its parameters inlined, inside asUser's transaction shape. */
function pgbenchScript({ sql, params }: Plan, claims: Claims): string {
  // $n → literal; highest numbers first so $1 does not clobber $10.
  let inlined = sql;
  for (let i = params.length; i >= 1; i -= 1) {
    const v = params[i - 1];
    const lit = v === null ? 'null' : literal(typeof v === 'string' ? v : JSON.stringify(v));
    inlined = inlined.replaceAll(new RegExp(`\\$${i}(?!\\d)`, 'g'), lit);
  }
  const { names, values } = transactionSettings(claims);
  const array = (items: string[]) => `array[${items.map(literal).join(',')}]::text[]`;
  const setup = `select set_config(n, v, true) from unnest(${array(names)}, ${array(values)}) as s(n, v);`;
  return ['begin;', setup, `${inlined.replace(/\s+/g, ' ')};`, 'commit;', ''].join('\n');
}

type PgbenchResult = { clients: number; tps: number; p50: number; p99: number; failed: number };

async function pgbench(script: string, clients: number): Promise<PgbenchResult> {
  const dir = join(root, '.data', 'bench', `pgbench-${clients}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'read.sql');
  await writeFile(file, script);
  const authUrl = new URL(benchUrl);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(DURATION),
    '-f',
    file,
    '-l',
    '--log-prefix',
    join(dir, 'log'),
    '-h',
    authUrl.hostname,
    '-p',
    authUrl.port || '5432',
    '-U',
    'authenticator',
    'taskmaster_bench',
  ];
  const child = spawn('pgbench', args, {
    env: { ...process.env, PGPASSWORD: cfg.AUTHENTICATOR_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`pgbench failed:\n${out}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? NaN);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  // Per-transaction log lines: client_id transaction_no time(us) script_no time_epoch time_us
  const latencies: number[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith('log')) continue;
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (Number.isFinite(us) && line) latencies.push(us / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    clients,
    tps: Math.round(tps),
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    failed,
  };
}

/** The value at `fraction` (0.5, 0.99) of an ascending list. */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

type Stage = { stage: string; ms_per_request: number };

/**
 * Open-loop load: one request every 1/rate seconds over `connections` keep-alive sockets
 * (autocannon's overallRate sends each second's quota in a burst, which measures the
 * burst). Latency counts from the moment a request is sent; on 2 shared cores the
 * generator itself can fall behind its schedule, so its worst lag is printed too.
 */
async function paced(
  rate: number,
  connections: number,
  path: string,
  headers: Record<string, string>,
): Promise<HttpResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let lag = 0;
  const inflight: Promise<void>[] = [];
  const from = Date.now();
  const start = performance.now();
  const interval = 1000 / rate;
  for (let sent = 0; ; sent += 1) {
    const due = start + sent * interval;
    if (due - start >= DURATION * 1000) break;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sentAt = performance.now();
    lag = Math.max(lag, sentAt - due);
    inflight.push(
      new Promise<void>((done) => {
        const req = request(BASE + path, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === undefined || res.statusCode >= 300) non2xx += 1;
            latencies.push(performance.now() - sentAt);
            done();
          });
        });
        req.on('error', () => {
          errors += 1;
          done();
        });
        req.end();
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  console.log(`paced ${rate} req/s: the generator fell behind its schedule by at most ${round(lag)} ms`);
  return {
    window: { method: 'GET', from, to: Date.now() },
    name: `GET tasks limit 50, paced ${rate} req/s`,
    connections,
    rps: Math.round(latencies.length / DURATION),
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    errors,
    non2xx,
  };
}

/** Mean milliseconds of `fn` over `n` sequential runs (after a warm-up). */
async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i += 1) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await fn();
  return round(Number(process.hrtime.bigint() - t0) / 1e6 / n);
}

/**
 * Where one read's time goes, measured one request at a time (no queueing): verifying the
 * JWT without the verified-token memory, planning (URL parse + SQL build), the transaction
 * set-up round trips (BEGIN, set_config, COMMIT around `select 1`), the statement itself,
 * and the whole HTTP request. The JSON body is built by Postgres inside the statement.
 */
async function stages(token: string, claims: Claims, read: Read): Promise<Stage[]> {
  const n = 500;
  const jwks = createLocalJWKSet((await (await fetch(`${BASE}/auth/jwks`)).json()) as JSONWebKeySet);
  const jwt = await timeIt(n, () => jwtVerify(token, jwks));
  const plan = await timeIt(n * 4, async () => planRequest(read.ctx, read.cache, read.limits));
  const { sql, params } = read.plan;
  const api = new pg.Pool({
    connectionString: withCredentials(benchUrl, 'authenticator', cfg.AUTHENTICATOR_PASSWORD),
    max: 1,
  });
  const bare = await timeIt(n, () => api.query('select 1'));
  const setup = await timeIt(n, () => asUser(api, { claims }, (c) => c.query('select 1')));
  const setupOne = await timeIt(n, () => asUserQuery(api, { claims }, { text: 'select 1' }));
  const full = await timeIt(n, () =>
    asUser(api, { claims, readOnly: true }, (c) => c.query({ text: sql, values: params, name: 'bench_read' })),
  );
  const fullOne = await timeIt(n, () =>
    asUserQuery(api, { claims, readOnly: true }, { text: sql, values: params, name: 'bench_read' }),
  );
  await api.end();
  const http = await timeIt(n, async () => {
    const res = await fetch(BASE + READ_PATH, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
  });
  return [
    { stage: 'JWT EdDSA verify (once per token; remembered after)', ms_per_request: jwt },
    { stage: 'plan: parse URL + build SQL', ms_per_request: plan },
    { stage: 'one round trip (select 1)', ms_per_request: bare },
    { stage: 'transaction set-up: BEGIN + set_config + COMMIT around select 1', ms_per_request: setup },
    { stage: 'set-up and select 1 in one round trip (asUserQuery)', ms_per_request: setupOne },
    { stage: 'the read inside asUser (set-up + statement + JSON in Postgres)', ms_per_request: full },
    { stage: 'the read through asUserQuery (what the gateway does for it)', ms_per_request: fullOne },
    { stage: 'whole HTTP request (pipeline, limiter, engine, response)', ms_per_request: http },
  ];
}

type Read = { ctx: ApiContext; cache: SchemaCache; limits: EngineLimits; plan: Plan };

/** The engine's plan for READ_PATH as `claims`, from the bench database's catalog and the gateway's limits. */
async function readPlan(claims: Claims): Promise<Read> {
  const owner = new pg.Pool({ connectionString: benchUrl, max: 1 });
  const cache = await loadSchemaCache(owner, ['public']).finally(() => owner.end());
  const url = new URL(READ_PATH, 'http://bench');
  const ctx: ApiContext = {
    caller: { claims, via: 'jwt' },
    requestId: 'bench',
    log: logger,
    version: { name: 'v1', schemas: ['public'] },
    method: 'GET',
    headers: {},
    path: '/tasks',
    query: url.searchParams,
    rawQuery: url.search.slice(1),
    settings: {},
  };
  const limits = engineLimits(cfg);
  return { ctx, cache, limits, plan: planRequest(ctx, cache, limits) };
}

async function main() {
  console.log(
    `bench:api on ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}, load from ${LOADGEN}`,
  );
  await recreateDatabase();
  await mkdir(join(root, '.data', 'bench'), { recursive: true });
  const gateway = await startGateway();
  try {
    const { token, workspaceId } = await signUpUser();
    await seedTasks(token, workspaceId, 500);
    const headers = { authorization: `Bearer ${token}` };
    const http: HttpResult[] = [];
    for (const c of CONNECTIONS) {
      const run = await cannon('GET tasks limit 50', c, READ_PATH, { headers });
      http.push(run);
      // Closed-loop runs measure latency at saturation (queueing included). A paced run at
      // half the throughput reached with 10 connections shows latency under load instead.
      if (c === 10) http.push(await paced(Math.max(1, Math.round(run.rps / 2)), 10, READ_PATH, headers));
    }
    for (const c of CONNECTIONS) {
      http.push(
        await cannon('POST task', c, '/rest/v1/tasks', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', prefer: 'return=minimal' },
          body: JSON.stringify({ workspace_id: workspaceId, title: 'Benchmarked task' }),
        }),
      );
    }
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    // What the gateway's token verifier hands to asUser for this token.
    const { sub, exp, session_id, aal } = payload;
    const claims: Claims = { sub: sub as string, role: 'authenticated', exp: exp as number, session_id, aal } as Claims;
    await addServerLatency(http);
    const read = await readPlan(claims);
    const profile = await stages(token, claims, read);
    const script = pgbenchScript(read.plan, claims);
    const pgb: PgbenchResult[] = [];
    for (const c of [10, 20]) pgb.push(await pgbench(script, c));

    console.table(http);
    console.table(pgb);
    console.table(profile);
    const bestRead = Math.max(...http.filter((r) => r.name.startsWith('GET')).map((r) => r.rps));
    const bestPg = Math.max(...pgb.map((r) => r.tps));
    const ratio = round((bestRead / bestPg) * 100);
    const read10 = http.find((r) => r.name === 'GET tasks limit 50' && r.connections === 10);
    const halfLoad = http.find((r) => r.name.includes('paced'));
    const errors200 = http.filter((r) => r.connections === 200).reduce((n, r) => n + r.errors + r.non2xx, 0);
    const verdict = {
      ratio_percent: ratio,
      ratio_ok: ratio >= 25,
      p99_at_10_ms: read10?.p99,
      p99_ok: (read10?.p99 ?? Infinity) <= 10,
      p99_at_half_load_ms: halfLoad?.p99,
      server_p99_at_10_ms: read10?.server_p99,
      server_p99_at_half_load_ms: halfLoad?.server_p99,
      errors_at_200: errors200,
      errors_ok: errors200 === 0,
    };
    console.log(verdict);
    const outDir = join(root, '.data', 'bench');
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      file,
      JSON.stringify(
        { machine: { cpus: cpus().length }, loadgen: LOADGEN, http, pgbench: pgb, profile, verdict },
        null,
        2,
      ),
    );
    console.log(`written ${file}`);
  } finally {
    gateway.kill('SIGTERM');
    await once(gateway, 'exit');
  }
}

await main();
