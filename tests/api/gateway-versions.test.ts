// API versions: a deprecated version keeps answering with Deprecation (RFC 9745), Sunset
// (RFC 8594) and Link headers; after its sunset it answers 410 Gone with the guide; an
// unknown version is a 404 in PostgREST's error shape. Versions here map to the same
// schema, as a freshly deprecated version does before its replacement diverges.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiVersion } from '../../gateway/src/api/types.ts';
import { closeServices } from '../../lib/services.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { echoEngine, newUser, type TestUser } from './gateway-support.ts';

const GUIDE = 'https://docs.example.com/api/migrate-v0-to-v1';
const since = new Date('2026-06-01T00:00:00Z');
const sunset = new Date('2027-06-01T00:00:00Z');
const versions: ApiVersion[] = [
  { name: 'v-old', schemas: ['public'], deprecated: { since, sunset: new Date('2026-01-01T00:00:00Z'), link: GUIDE } },
  { name: 'v0', schemas: ['public'], deprecated: { since, sunset, link: GUIDE } },
  { name: 'v1', schemas: ['public'] },
];
const clock = new Date('2026-11-23T12:00:00Z');
const engine = echoEngine();
let gw: TestGateway;
let real: TestGateway;
let user: TestUser;

before(async () => {
  const api = { now: () => clock, rateLimits: { anon: 0, user: 0, apiKey: 0 } };
  gw = await startGateway({ versions, api, engines: { rest: engine } });
  real = await startGateway({ versions, api });
  user = await newUser(gw.url, 'versions');
});
after(async () => {
  await gw.close();
  await real.close();
  await closeServices();
});

describe('deprecated versions', () => {
  test('a deprecated version answers with Deprecation, Sunset and Link', async () => {
    const res = await fetch(`${gw.url}/rest/v0/tasks`, { headers: user.auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('deprecation'), `@${since.getTime() / 1000}`);
    assert.equal(res.headers.get('sunset'), 'Tue, 01 Jun 2027 00:00:00 GMT');
    const link = res.headers.get('link') ?? '';
    assert.match(link, new RegExp(`<${GUIDE}>; rel="deprecation"`));
    assert.match(link, new RegExp(`<${GUIDE}>; rel="sunset"`));
    assert.equal(engine.calls.at(-1)?.version.name, 'v0');
  });

  test('errors on a deprecated version carry the headers too', async () => {
    const res = await fetch(`${gw.url}/rest/v0/tasks`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(res.status, 401);
    assert.ok(res.headers.get('deprecation'));
  });

  test('the current version has none of them', async () => {
    const res = await fetch(`${gw.url}/rest/v1/tasks`, { headers: user.auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('deprecation'), null);
    assert.equal(res.headers.get('sunset'), null);
    assert.equal(res.headers.get('link'), null);
  });

  test('after its sunset a version answers 410 Gone pointing at the guide, without running', async () => {
    const n = engine.calls.length;
    const res = await fetch(`${gw.url}/rest/v-old/tasks`, { headers: user.auth });
    assert.equal(res.status, 410);
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
    assert.equal(body.code, 'TM410');
    assert.match(body.details ?? '', new RegExp(GUIDE));
    assert.match(res.headers.get('link') ?? '', /rel="deprecation"/);
    assert.equal(engine.calls.length, n);
  });

  test('an unknown version is a 404 in PostgREST’s error shape', async () => {
    const res = await fetch(`${gw.url}/rest/v7/tasks`, { headers: user.auth });
    assert.equal(res.status, 404);
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
    assert.equal(body.code, 'PGRST125');
    assert.match(body.hint ?? '', /v0, v1/);
  });
});

describe('deprecated version over the real REST engine', () => {
  test('v0 and v1 serve the same rows; only v0 says it is deprecated', async () => {
    const url = (v: string) => `${real.url}/rest/${v}/tasks?select=id,title&order=id`;
    const [v0, v1] = await Promise.all([
      fetch(url('v0'), { headers: user.auth }),
      fetch(url('v1'), { headers: user.auth }),
    ]);
    assert.equal(v0.status, 200, await v0.clone().text());
    assert.equal(v1.status, 200);
    assert.deepEqual(await v0.json(), await v1.json());
    assert.ok(v0.headers.get('deprecation'));
    assert.equal(v1.headers.get('deprecation'), null);
  });
});
