// The gateway as a real process: its stdout is the log stream operators get.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueEmail } from '../support/gateway.ts';
import { spawnGateway } from '../support/gateway-process.ts';

test('every line logged while serving a request carries its request id, and no secret is logged', async () => {
  const gateway = await spawnGateway({ LOG_LEVEL: 'info' });
  const { base } = gateway;
  try {
    assert.match(gateway.output(), /"node":"v24\./, 'the gateway runs on Node 24');

    const secret = 'my-very-secret-passphrase-42';
    const email = uniqueEmail('logging');
    const headers = { 'content-type': 'application/json', origin: base, 'x-request-id': 'trace-abc-123456' };
    // A too-short password makes Better Auth log a warning while serving the request.
    const short = await fetch(`${base}/auth/sign-up/email`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'L', email, password: 'short' }),
    });
    assert.equal(short.status, 400);
    assert.equal(short.headers.get('x-request-id'), 'trace-abc-123456');
    const ok = await fetch(`${base}/auth/sign-up/email`, {
      method: 'POST',
      headers: { ...headers, 'x-request-id': 'x' }, // not a sane id: a fresh one is minted
      body: JSON.stringify({ name: 'L', email, password: secret }),
    });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 200));
    const out = gateway.output();

    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const authWarning = lines.find((l) => l.component === 'auth' && /too short/i.test(String(l.msg)));
    assert.ok(authWarning, 'Better Auth logged the refusal');
    assert.equal(authWarning.req_id, 'trace-abc-123456');
    const requestLines = lines.filter((l) => l.msg === 'request');
    assert.equal(requestLines.length, 2);
    assert.ok(requestLines.every((l) => typeof l.req_id === 'string'));
    assert.ok(!out.includes(secret), 'the password never reaches the logs');
    assert.ok(!out.includes(email), 'full emails never reach the logs');
  } finally {
    await gateway.stop();
  }
  assert.match(gateway.output(), /gateway stopped/, 'SIGTERM stops the gateway cleanly');
});
