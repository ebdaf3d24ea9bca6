// ETag / If-None-Match, Cache-Control and Vary on data-API responses: strong ETags on GET
// and HEAD 200s, 304 without a body when the client's copy is current, per-user caching
// only, and a changed ETag once the data changes (real REST engine).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { noneMatch, strongEtag } from '../../gateway/src/api/etag.ts';
import { json, type ApiHandler } from '../../gateway/src/api/types.ts';
import { closeServices } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { newUser, type TestUser } from './gateway-support.ts';

let payload: unknown = [{ id: 1, title: 'one' }];
const engine: ApiHandler = async (ctx) =>
  ctx.method === 'POST' ? json(201, payload) : json(200, payload, { 'content-range': '0-0/*' });
let gw: TestGateway;
let real: TestGateway;
let user: TestUser;

before(async () => {
  const api = { rateLimits: { anon: 0, user: 0, apiKey: 0 } };
  gw = await startGateway({ api, engines: { rest: engine } });
  real = await startGateway({ api });
  user = await newUser(gw.url, 'etag');
});
after(async () => {
  await gw.close();
  await real.close();
  await closeServices();
});

describe('ETag and conditional GET', () => {
  test('a GET 200 carries a strong ETag, private no-cache, and a Vary naming the caller headers', async () => {
    const res = await fetch(`${gw.url}/rest/v1/tasks`, { headers: user.auth });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(res.headers.get('etag'), strongEtag(body));
    assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{43}"$/);
    assert.equal(res.headers.get('cache-control'), 'private, no-cache');
    const vary = (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
    for (const h of ['authorization', 'cookie', 'apikey', 'accept', 'accept-profile', 'prefer', 'range', 'origin']) {
      assert.ok(vary.includes(h), `Vary includes ${h}`);
    }
  });

  test('If-None-Match with the current ETag answers 304 with no body; a stale one gets 200', async () => {
    payload = [{ id: 2, title: 'two' }];
    const first = await fetch(`${gw.url}/rest/v1/tasks`, { headers: user.auth });
    const etag = first.headers.get('etag') as string;
    await first.text();
    const cached = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...user.auth, 'if-none-match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(await cached.text(), '');
    assert.equal(cached.headers.get('etag'), etag);
    assert.equal(cached.headers.get('cache-control'), 'private, no-cache');
    assert.equal(cached.headers.get('content-range'), null);
    const list = await fetch(`${gw.url}/rest/v1/tasks`, {
      headers: { ...user.auth, 'if-none-match': `"other", W/${etag}` },
    });
    assert.equal(list.status, 304, 'weak comparison, any entry of the list');
    payload = [{ id: 3, title: 'three' }];
    const changed = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { ...user.auth, 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });

  test('HEAD gets the same ETag as GET and no body', async () => {
    const get = await fetch(`${gw.url}/rest/v1/tasks`, { headers: user.auth });
    await get.text();
    const head = await fetch(`${gw.url}/rest/v1/tasks`, { method: 'HEAD', headers: user.auth });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), get.headers.get('etag'));
    assert.equal(await head.text(), '');
  });

  test('writes and errors are no-store and carry no ETag', async () => {
    const res = await fetch(`${gw.url}/rest/v1/tasks`, {
      method: 'POST',
      headers: { ...user.auth, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('etag'), null);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const error = await fetch(`${gw.url}/rest/v1/tasks`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(error.status, 401);
    assert.equal(error.headers.get('etag'), null);
    assert.equal(error.headers.get('cache-control'), 'no-store');
  });

  test('If-None-Match parsing', () => {
    assert.equal(noneMatch('*', '"a"'), true);
    assert.equal(noneMatch('"a"', '"a"'), true);
    assert.equal(noneMatch('W/"a"', '"a"'), true);
    assert.equal(noneMatch('"b", "a"', '"a"'), true);
    assert.equal(noneMatch('"b"', '"a"'), false);
    assert.equal(noneMatch(undefined, '"a"'), false);
  });
});

describe('ETag (real REST engine)', () => {
  test('the ETag of a task list is stable until a task changes, then differs', async () => {
    const { rows } = await superuserQuery<{ id: string }>(
      `select w.id from public.workspaces w join identity.users u on u.id = w.created_by where u.email = $1`,
      [user.email],
    );
    const ws = rows[0]!.id;
    const url = `${real.url}/rest/v1/tasks?select=id,title&order=created_at.desc,id.desc&limit=50`;
    const first = await fetch(url, { headers: user.auth });
    assert.equal(first.status, 200, await first.clone().text());
    const etag = first.headers.get('etag') as string;
    assert.ok(etag);
    const again = await fetch(url, { headers: { ...user.auth, 'if-none-match': etag } });
    assert.equal(again.status, 304);
    await superuserQuery(`insert into public.tasks (workspace_id, title) values ($1, $2)`, [
      ws,
      `etag ${randomUUID()}`,
    ]);
    const after = await fetch(url, { headers: { ...user.auth, 'if-none-match': etag } });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
  });
});
