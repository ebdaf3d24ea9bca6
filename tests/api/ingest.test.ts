// The ingest endpoints over HTTP against the real gateway and database:
//   POST /api/v1/bug-reports  201 {id}, inserted as the caller (Bearer, cookie or anon);
//                             400 naming the bad field; 403 for a cross-site cookie write;
//                             413 past the body limit; 429 past the per-caller limit
//   POST /api/v1/telemetry    204 for a valid batch (sendBeacon text/plain or JSON), rows in
//                             this month's partition; 400 naming the bad event, nothing
//                             written; 403 cross-site; 415; 429 per client IP
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

// Small limits so the tests can reach them; read when the gateway's services start.
process.env.RATE_LIMIT_BUG_REPORTS_PER_MINUTE = '3';
process.env.RATE_LIMIT_TELEMETRY_PER_MINUTE = '4';
process.env.BUG_REPORT_MAX_BODY_BYTES = '2621440';

let gw: TestGateway;
let origin: string;
before(async () => {
  // Loopback is a trusted proxy here, so each test can be its own client IP.
  gw = await startGateway({ api: { trustedProxies: ['127.0.0.1'] } });
  origin = new URL(services().config.PUBLIC_URL).origin;
});
after(async () => {
  await gw.close();
  // The ingest buckets are prefixed ("telemetry:ip:…", "bug-reports:user:…"); the data API's
  // rate-limit test asserts its own bucket shapes over the whole table.
  await superuserQuery(`delete from private.rate_limits where bucket ~ '^(telemetry|bug-reports):'`);
  await closeServices();
});

let ipCounter = 0;
/** A fresh client address (X-Forwarded-For through the trusted loopback proxy). */
function newIp(): string {
  ipCounter += 1;
  return `203.0.113.${ipCounter}`;
}

type User = { id: string; cookie: string; token: string };
async function newUser(): Promise<User> {
  const email = uniqueEmail('ingest');
  const res = await signUp(gw.url, email);
  assert.equal(res.status, 200);
  const cookie = cookiesFrom(res);
  const token = await accessToken(gw.url, cookie);
  const { rows } = await superuserQuery<{ id: string }>('select id from identity.users where email = $1', [email]);
  return { id: rows[0]!.id, cookie, token };
}

function postReport(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gw.url}/api/v1/bug-reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': newIp(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function report(id: string) {
  const { rows } = await superuserQuery<{
    user_id: string | null;
    description: string;
    route: string | null;
    user_agent: string | null;
    client_errors: unknown;
    screenshot: string | null;
  }>(
    'select user_id, description, route, user_agent, client_errors, screenshot from support.bug_reports where id = $1',
    [id],
  );
  return rows[0];
}

async function reportCount(description: string): Promise<number> {
  const { rows } = await superuserQuery<{ n: number }>(
    'select count(*)::int as n from support.bug_reports where description = $1',
    [description],
  );
  return rows[0]!.n;
}

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('POST /api/v1/bug-reports', () => {
  test('a signed-in caller (Bearer) files a report: 201 with the id, stored with their user id', async () => {
    const user = await newUser();
    const res = await postReport(
      {
        description: 'The Today list is empty after reload',
        route: '/app/today',
        app_version: '1.2.3',
        client_errors: [
          { message: 'TypeError: x is undefined', stack: 'at f (app.js:1:1)', at: '2026-11-23T19:00:00Z' },
        ],
        screenshot: PNG,
      },
      { authorization: `Bearer ${user.token}`, 'user-agent': 'TestBrowser/1.0' },
    );
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const row = await report(id);
    assert.equal(row?.user_id, user.id);
    assert.equal(row?.route, '/app/today');
    assert.equal(row?.user_agent, 'TestBrowser/1.0', 'the user agent defaults to the request header');
    assert.deepEqual(row?.client_errors, [
      { message: 'TypeError: x is undefined', stack: 'at f (app.js:1:1)', at: '2026-11-23T19:00:00Z' },
    ]);
    assert.equal(row?.screenshot, PNG);
  });

  test('the session cookie works from the app’s origin and is refused from another site', async () => {
    const user = await newUser();
    const ok = await postReport({ description: 'cookie report' }, { cookie: user.cookie, origin });
    assert.equal(ok.status, 201, await ok.clone().text());
    assert.equal((await report(((await ok.json()) as { id: string }).id))?.user_id, user.id);

    const description = `forged ${randomUUID()}`;
    const forged = await postReport({ description }, { cookie: user.cookie, origin: 'https://evil.example' });
    assert.equal(forged.status, 403);
    assert.equal(await reportCount(description), 0);
  });

  test('a signed-out person files a report with no user id', async () => {
    const res = await postReport({ description: 'Sign-in page does not load' });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await report(((await res.json()) as { id: string }).id))?.user_id, null);
  });

  test('bad input is a 400 naming the field, and writes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ description: '   ' }, /description/],
      [{ description: 'x'.repeat(5001) }, /description/],
      [{}, /description/],
      [{ description: 'svg', screenshot: 'data:image/svg+xml;base64,PHN2Zz4=' }, /screenshot/],
      [{ description: 'extra', admin: true }, /admin|unrecognized/i],
      [{ description: 'errors', client_errors: 'boom' }, /client_errors/],
      [{ description: 'many', client_errors: Array.from({ length: 51 }, () => ({ message: 'x' })) }, /client_errors/],
      ['{not json', /not valid JSON/],
      // A lone surrogate (JSON "\ud800") cannot be stored in jsonb: a 400, not a 500.
      [{ description: 'surrogate', client_errors: [{ message: '\ud800' }] }, /client_errors\.0\.message/],
    ];
    for (const [body, pattern] of cases) {
      const res = await postReport(body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${await res.clone().text()}`);
      const error = (await res.json()) as { message: string };
      assert.match(error.message, pattern);
    }
    assert.equal(await reportCount('svg'), 0);
    assert.equal(await reportCount('extra'), 0);
  });

  test('a body over the limit is a 413', async () => {
    const res = await postReport({ description: 'big', screenshot: `data:image/png;base64,${'A'.repeat(2_700_000)}` });
    assert.equal(res.status, 413);
  });

  test('only POST', async () => {
    const res = await fetch(`${gw.url}/api/v1/bug-reports`, { headers: { 'x-forwarded-for': newIp() } });
    assert.equal(res.status, 405);
  });

  test('past the per-caller limit a report is a 429 with Retry-After', async () => {
    const user = await newUser();
    const auth = { authorization: `Bearer ${user.token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postReport({ description: `limited ${i}` }, auth)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    const refused = await postReport({ description: 'limited again' }, auth);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });
});

function postTelemetry(body: unknown, headers: Record<string, string> = {}, ip = newIp()) {
  return fetch(`${gw.url}/api/v1/telemetry`, {
    method: 'POST',
    // What navigator.sendBeacon(url, string) sends.
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-forwarded-for': ip, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function telemetryRows(appVersion: string) {
  const { rows } = await superuserQuery<{ source: string; partition: string; detail: string }>(
    `select 'vital' as source, tableoid::regclass::text as partition, name || '=' || value as detail
       from telemetry.web_vitals where app_version = $1
     union all
     select 'error', tableoid::regclass::text, message || ':' || char_length(coalesce(stack, '')) || ':' || coalesce(user_agent, '-')
       from telemetry.client_errors where app_version = $1
     order by 1, 3`,
    [appVersion],
  );
  return rows;
}

const month = () => {
  const now = new Date();
  return `${now.getUTCFullYear()}_${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
};

describe('POST /api/v1/telemetry', () => {
  test('a sendBeacon batch of vitals and an error is stored in this month’s partitions: 204', async () => {
    const version = `t-${randomUUID()}`;
    const res = await postTelemetry(
      {
        events: [
          {
            type: 'vital',
            name: 'LCP',
            value: 1234.5,
            rating: 'good',
            route: '/app',
            navigation_type: 'navigate',
            app_version: version,
          },
          { type: 'vital', name: 'CLS', value: 0.02, rating: 'good', route: '/app', app_version: version },
          { type: 'error', message: 'TypeError: boom', stack: 's'.repeat(20_000), route: '/app', app_version: version },
        ],
      },
      { 'user-agent': 'Beacon/1.0', origin },
    );
    assert.equal(res.status, 204, await res.clone().text());
    const rows = await telemetryRows(version);
    assert.deepEqual(rows, [
      { source: 'error', partition: `telemetry.client_errors_p${month()}`, detail: 'TypeError: boom:16000:Beacon/1.0' },
      { source: 'vital', partition: `telemetry.web_vitals_p${month()}`, detail: 'CLS=0.02' },
      { source: 'vital', partition: `telemetry.web_vitals_p${month()}`, detail: 'LCP=1234.5' },
    ]);
  });

  test('a stack cut at 16000 characters inside a surrogate pair is still stored', async () => {
    const version = `t-${randomUUID()}`;
    const stack = 's'.repeat(15_999) + '\u{1F600}'.repeat(10);
    const res = await postTelemetry({ events: [{ type: 'error', message: 'emoji', stack, app_version: version }] });
    assert.equal(res.status, 204, await res.clone().text());
    assert.equal((await telemetryRows(version)).length, 1);
  });

  test('application/json works too', async () => {
    const version = `t-${randomUUID()}`;
    const res = await postTelemetry(
      { events: [{ type: 'vital', name: 'INP', value: 80, app_version: version }] },
      { 'content-type': 'application/json' },
    );
    assert.equal(res.status, 204);
    assert.equal((await telemetryRows(version)).length, 1);
  });

  test('one bad event refuses the batch with a 400 saying which and why; nothing is written', async () => {
    const version = `t-${randomUUID()}`;
    const res = await postTelemetry({
      events: [
        { type: 'vital', name: 'LCP', value: 900, app_version: version },
        { type: 'vital', name: 'FID', value: 10, app_version: version },
      ],
    });
    assert.equal(res.status, 400);
    const error = (await res.json()) as { message: string; details: string };
    assert.match(error.message, /^Invalid telemetry: events\.1\.name: /);
    assert.deepEqual(await telemetryRows(version), []);
  });

  test('malformed batches are 400s', async () => {
    const event = { type: 'vital', name: 'TTFB', value: 1 };
    for (const body of [
      { events: [] },
      { events: Array.from({ length: 51 }, () => event) },
      { events: [{ ...event, value: -1 }] },
      { events: [{ type: 'error', message: '' }] },
      { events: [{ type: 'error', message: 'lone \udc00 surrogate' }] },
      [event],
      'nope',
    ]) {
      const res = await postTelemetry(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    }
  });

  test('another site’s beacon is refused (403); an unknown content type is a 415; GET is a 405', async () => {
    const version = `t-${randomUUID()}`;
    const batch = { events: [{ type: 'vital', name: 'FCP', value: 5, app_version: version }] };
    assert.equal((await postTelemetry(batch, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await postTelemetry(batch, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await postTelemetry(batch, { 'content-type': 'text/html' })).status, 415);
    assert.deepEqual(await telemetryRows(version), []);
    const get = await fetch(`${gw.url}/api/v1/telemetry`, { headers: { 'x-forwarded-for': newIp() } });
    assert.equal(get.status, 405);
  });

  test('a body over the limit is a 413', async () => {
    const res = await postTelemetry({ events: [{ type: 'error', message: 'big', stack: 'x'.repeat(200_000) }] });
    assert.equal(res.status, 413);
  });

  test('past the per-IP limit a beacon is a 429; another IP is unaffected', async () => {
    const ip = newIp();
    const batch = { events: [{ type: 'vital', name: 'TTFB', value: 42 }] };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postTelemetry(batch, {}, ip)).status);
    assert.deepEqual(statuses, [204, 204, 204, 204, 429]);
    assert.equal((await postTelemetry(batch)).status, 204);
  });
});
