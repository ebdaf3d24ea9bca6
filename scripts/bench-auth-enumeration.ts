// `node scripts/bench-auth-enumeration.ts`: do sign-in, password-reset and magic-link
// requests take the same time for a known and an unknown email? (Account enumeration by
// timing; tests/integration/auth-abuse.test.ts checks that the answers are identical.)
//
// Runs the real gateway in-process against DATABASE_URL (use a test database: source
// scripts/test-env.sh and point DATABASE_URL at your own), signs up one person, then sends
// BENCH_ROUNDS (default 200) requests per endpoint, alternating known and unknown emails,
// each from its own client IP so the per-IP limits stay out of the way (the identity
// limits are raised for the run). Prints median and p90 per group and the difference of
// the medians. Not a test: timings depend on the machine; docs/performance.md records runs.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

process.env.AUTH_RATE_LIMIT_IP = '1000000000';
process.env.AUTH_RATE_LIMIT_ACCOUNT = '1000000000';
process.env.AUTH_DELAY_AFTER_FAILURES = '1000000';
process.env.AUTH_LOCKOUT_THRESHOLD = '1000000';
process.env.LOG_LEVEL ??= 'error';

const { createGateway } = await import('../gateway/src/server.ts');
const { closeServices, services } = await import('../lib/services.ts');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PASSWORD = 'correct horse battery staple';

const server = await createGateway({ services: services(), serveApp: false, api: { trustedProxies: ['127.0.0.1'] } });
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const origin = new URL(services().config.PUBLIC_URL).origin;

let n = 0;
const statuses = new Map<string, Set<number>>();
async function post(path: string, body: unknown): Promise<number> {
  n += 1;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  statuses.set(path, (statuses.get(path) ?? new Set()).add(res.status));
  return ms;
}

const suffix = Date.now().toString(36);
const known = `bench-known-${suffix}@example.test`;
const signUp = await fetch(`${base}/auth/sign-up/email`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': '10.255.255.254' },
  body: JSON.stringify({ name: 'Bench', email: known, password: PASSWORD }),
});
if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);

const cases: [string, string, (email: string) => unknown][] = [
  ['sign-in (wrong password)', '/sign-in/email', (email) => ({ email, password: 'not the password 123' })],
  ['password reset request', '/request-password-reset', (email) => ({ email })],
  ['magic-link request', '/sign-in/magic-link', (email) => ({ email })],
];

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

const lines: string[] = [];
for (const [label, path, body] of cases) {
  const times = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < 10; i += 1) await post(path, body(known)); // warm-up
  for (let i = 0; i < ROUNDS; i += 1) {
    times.known.push(await post(path, body(known)));
    times.unknown.push(await post(path, body(`bench-nobody-${suffix}-${i}@example.test`)));
  }
  const mk = quantile(times.known, 0.5);
  const mu = quantile(times.unknown, 0.5);
  lines.push(
    `| ${label} | ${[...(statuses.get(path) ?? [])].join(', ')} | ${mk.toFixed(1)} / ${quantile(times.known, 0.9).toFixed(1)} | ` +
      `${mu.toFixed(1)} / ${quantile(times.unknown, 0.9).toFixed(1)} | ${(mk - mu).toFixed(1)} |`,
  );
}

process.stdout.write(
  [
    `Rounds per group: ${ROUNDS}`,
    '| Endpoint | Status(es) | Known email, ms (median / p90) | Unknown email, ms (median / p90) | Median difference, ms |',
    '| --- | --- | --- | --- | --- |',
    ...lines,
    '',
  ].join('\n'),
);

server.closeAllConnections();
server.close();
await closeServices();
