// The pieces of a webhook delivery that need no database: the retry schedule (about
// three days, jitter bounds, never shorter than graphile-worker's own backoff), the
// address policy (ipaddr.js ranges; DNS answers checked), the signature format, and the
// sender's 1 KB snippet (storable as text), timeout and redirect handling against a real local server.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  JITTER,
  MAX_ATTEMPTS,
  graphileBackoffMs,
  nominalDelayMs,
  retryDelayMs,
} from '../../workers/src/webhooks/schedule.ts';
import { postWebhook } from '../../workers/src/webhooks/send.ts';
import { signatureHeader } from '../../workers/src/webhooks/sign.ts';
import { TargetRefused, forbiddenRange, resolveTarget, systemResolver } from '../../workers/src/webhooks/target.ts';

const HOUR = 3600_000;

test('the schedule spreads 18 attempts over about three days, jittered by ±20 %', () => {
  const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => nominalDelayMs(i + 1));
  assert.deepEqual(
    delays.slice(0, 9).map((d) => d / 60_000),
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  assert.ok(delays.slice(9).every((d) => d === 8 * HOUR));
  const total = delays.reduce((a, b) => a + b, 0);
  assert.ok(total > 70 * HOUR && total < 74 * HOUR, `nominal total ${total / HOUR} h`);
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
    const low = retryDelayMs(attempt, () => 0);
    const high = retryDelayMs(attempt, () => 0.999999);
    assert.equal(low, Math.round(nominalDelayMs(attempt) * (1 - JITTER)));
    assert.ok(high <= nominalDelayMs(attempt) * (1 + JITTER));
    assert.ok(low > graphileBackoffMs(attempt), `attempt ${attempt}: never shorter than graphile-worker's own backoff`);
  }
});

test('only public unicast addresses are allowed targets', () => {
  for (const [address, range] of [
    ['127.0.0.1', 'loopback'],
    ['10.2.3.4', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
  ] as const) {
    assert.equal(forbiddenRange(address), range, address);
  }
  assert.equal(forbiddenRange('93.184.215.14'), null);
  assert.equal(forbiddenRange('2606:2800:21f:cb07:6820:80da:af6b:8b2c'), null);
});

test('a name is refused if any address it resolves to is private; literals are checked without DNS', async () => {
  const resolve = async (host: string) =>
    host === 'mixed.example.test'
      ? [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.1', family: 4 },
        ]
      : [{ address: '93.184.215.14', family: 4 }];
  const strict = { allowInsecure: false, resolve };
  await assert.rejects(resolveTarget('https://mixed.example.test/h', strict), /10\.0\.0\.1 \(private\)/);
  await assert.rejects(resolveTarget('https://[::1]/h', strict), TargetRefused);
  await assert.rejects(resolveTarget('https://2130706433/h', strict), /127\.0\.0\.1 \(loopback\)/);
  await assert.rejects(resolveTarget('http://public.example.test/h', strict), /must use https/);
  await assert.rejects(resolveTarget('https://u:p@public.example.test/h', strict), /credentials/);
  // The real resolver: localhost is a name (no literal to judge), and it resolves to loopback.
  await assert.rejects(
    resolveTarget('https://localhost:8443/h', { allowInsecure: false, resolve: systemResolver }),
    /localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/,
  );
  const ok = await resolveTarget('https://public.example.test/h', strict);
  assert.equal(ok.address, '93.184.215.14');
  const dev = await resolveTarget('http://127.0.0.1:9/h', { allowInsecure: true, resolve });
  assert.equal(dev.address, '127.0.0.1');
});

test('the signature is HMAC-SHA256 of "<t>.<body>" keyed with each valid secret', () => {
  const hmac = (secret: string) => createHmac('sha256', secret).update('1700000000.{"a":1}').digest('hex');
  assert.equal(signatureHeader(['whsec_new'], '{"a":1}', 1700000000), `t=1700000000,v1=${hmac('whsec_new')}`);
  assert.equal(
    signatureHeader(['whsec_new', 'whsec_old'], '{"a":1}', 1700000000),
    `t=1700000000,v1=${hmac('whsec_new')},v1=${hmac('whsec_old')}`,
  );
  assert.throws(() => signatureHeader([], '{}', 1), /no signing secret/);
});

test('the sender keeps 1 KB of the answer, does not follow redirects and gives up after its timeout', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/big') res.writeHead(200).end('é'.repeat(5000));
    else if (req.url === '/nul') res.writeHead(200).end('ok\u0000done');
    else if (req.url === '/redirect') res.writeHead(302, { location: '/big' }).end();
    // /slow never answers
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (path: string, timeoutMs?: number) =>
    postWebhook({ url: base + path, body: '{}', headers: {}, allowInsecure: true, resolve: async () => [], timeoutMs });
  try {
    const big = await send('/big');
    assert.equal(big.ok, true);
    assert.equal(big.snippet, 'é'.repeat(512), '1024 bytes, whole characters');
    // Postgres text cannot hold NUL: kept, it would fail recording the attempt on every retry.
    assert.equal((await send('/nul')).snippet, 'okdone');
    const redirect = await send('/redirect');
    assert.equal(redirect.ok, false);
    assert.equal(redirect.status, 302);
    assert.match(redirect.error!, /redirects are not followed/);
    const slow = await send('/slow', 100);
    assert.equal(slow.ok, false);
    assert.equal(slow.status, null);
    assert.match(slow.error!, /no response within 100 ms/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
