// The per-endpoint circuit breaker (workers/src/webhooks/breaker.ts) in front of real HTTP
// attempts to a local server: it opens after repeated failures (then attempts are not
// made at all), half-opens after its reset timeout to let one probe through, closes on a
// successful probe and opens again on a failed one. Endpoints do not share a breaker.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { EndpointBreakers } from '../../workers/src/webhooks/breaker.ts';
import { postWebhook } from '../../workers/src/webhooks/send.ts';

let server: http.Server;
let url: string;
let status = 500;
let hits = 0;

before(async () => {
  server = http.createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => res.writeHead(status).end(String(status)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const attempt = () => postWebhook({ url, body: '{}', headers: {}, allowInsecure: true, resolve: async () => [] });

test('opens after repeated failures, half-opens to probe, closes on success and reopens on failure', async () => {
  const breakers = new EndpointBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: 50 });
  try {
    status = 500;
    hits = 0;
    for (let i = 0; i < 3; i += 1) {
      const outcome = await breakers.run('a', attempt);
      assert.equal(outcome.kind, 'sent');
      assert.equal(outcome.kind === 'sent' && outcome.result.status, 500);
    }
    const breaker = breakers.breaker('a');
    assert.equal(breaker.opened, true, 'three failures out of three opened it');
    const open = await breakers.run('a', attempt);
    assert.equal(open.kind, 'open');
    assert.ok(open.kind === 'open' && open.retryInMs >= 1000, 'callers are told to wait');
    assert.equal(hits, 3, 'an open breaker makes no request');

    const other = await breakers.run('b', attempt);
    assert.equal(other.kind, 'sent', 'another endpoint has its own breaker');
    assert.equal(hits, 4);

    // Half-open: one probe; it fails, so the breaker opens again.
    await once(breaker, 'halfOpen');
    const failedProbe = await breakers.run('a', attempt);
    assert.equal(failedProbe.kind, 'sent');
    assert.equal(hits, 5);
    assert.equal(breaker.opened, true, 'a failed probe reopens it');
    assert.equal((await breakers.run('a', attempt)).kind, 'open');
    assert.equal(hits, 5);

    // Half-open again; the receiver has recovered: the probe closes it.
    await once(breaker, 'halfOpen');
    status = 200;
    const probe = await breakers.run('a', attempt);
    assert.equal(probe.kind === 'sent' && probe.result.ok, true);
    assert.equal(breaker.closed, true, 'a successful probe closes it');
    assert.equal((await breakers.run('a', attempt)).kind, 'sent');
    assert.equal(hits, 7);
  } finally {
    breakers.clear();
  }
});

test('while half-open, only the probe goes through; concurrent attempts keep waiting', async () => {
  const breakers = new EndpointBreakers({ volumeThreshold: 1, resetTimeout: 50 });
  try {
    status = 500;
    hits = 0;
    await breakers.run('c', attempt);
    const breaker = breakers.breaker('c');
    assert.equal(breaker.opened, true);
    await once(breaker, 'halfOpen');
    status = 200;
    const [probe, second] = await Promise.all([breakers.run('c', attempt), breakers.run('c', attempt)]);
    assert.equal(probe.kind, 'sent');
    assert.equal(second.kind, 'open');
    assert.equal(hits, 2);
  } finally {
    breakers.clear();
  }
});
