// The REST engine over raw HTTP, for what supabase-js cannot express or does not show:
// the OpenAPI document, Range/Content-Range and statuses, the single-object media type,
// profiles, Prefer/Location/Preference-Applied, CSV, PUT, RPC by GET, PostgREST's error
// shapes, refusals of unfiltered writes, schema reloads on NOTIFY, tenancy between two
// users, and a matrix of hostile requests that must all end in a 4xx (never a 500, never
// another workspace's data).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, uniqueEmail, type TestGateway } from '../support/gateway.ts';

let gw: TestGateway;

type User = { token: string; workspaceId: string };
let alice: User;
let bob: User;

// Alice's data; Bob must never see any of it. The marker makes leaks easy to spot.
const SECRET = `alice-secret-${randomUUID()}`;
const ids = {
  project: randomUUID(),
  emptyProject: randomUUID(),
  tasks: [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
  label: randomUUID(),
  bobTask: randomUUID(),
  bobLabel: randomUUID(),
};

type Res = { status: number; headers: Headers; text: string; json: unknown };

async function call(
  method: string,
  path: string,
  { user, body, headers = {} }: { user?: User | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Res> {
  const h: Record<string, string> = { ...headers };
  if (user) h.authorization = `Bearer ${user.token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  // A hung request fails the test instead of hanging the run.
  const res = await fetch(`${gw.url}/rest/v1${path}`, {
    method,
    headers: h,
    body: payload,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function assertError(res: Res, status: number, code: string) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  const body = res.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'hint', 'message']);
  assert.equal(body.code, code, res.text);
  assert.equal(typeof body.message, 'string');
  return body as { code: string; message: string; details: string | null; hint: string | null };
}

async function newUser(prefix: string): Promise<User> {
  const res = await signUp(gw.url, uniqueEmail(prefix));
  assert.equal(res.status, 200);
  const token = await accessToken(gw.url, cookiesFrom(res));
  const user = { token, workspaceId: '' };
  const ws = await call('GET', '/workspaces?select=id&kind=eq.personal', { user });
  assert.equal(ws.status, 200, ws.text);
  user.workspaceId = (ws.json as { id: string }[])[0]?.id as string;
  assert.ok(user.workspaceId);
  return user;
}

before(async () => {
  gw = await startGateway();
  alice = await newUser('rest-alice');
  bob = await newUser('rest-bob');
  const ws = alice.workspaceId;
  const seed = [
    call('POST', '/projects', {
      user: alice,
      body: [
        { workspace_id: ws, id: ids.project, name: 'Garden', position: 1 },
        { workspace_id: ws, id: ids.emptyProject, name: 'Empty', position: 2 },
      ],
    }),
  ];
  assert.equal((await seed[0])?.status, 201);
  const tasks = await call('POST', '/tasks', {
    user: alice,
    body: [
      {
        workspace_id: ws,
        id: ids.tasks[0],
        title: 'Plan the garden party',
        notes: SECRET,
        priority: 1,
        position: 1,
        project_id: ids.project,
      },
      {
        workspace_id: ws,
        id: ids.tasks[1],
        title: 'Water the garden',
        notes: SECRET,
        priority: 2,
        position: 2,
        project_id: ids.project,
      },
      {
        workspace_id: ws,
        id: ids.tasks[2],
        title: 'Call mum',
        notes: SECRET,
        priority: 3,
        position: 3,
        project_id: null,
      },
      {
        workspace_id: ws,
        id: ids.tasks[3],
        title: 'Buy seeds, "heirloom"',
        notes: SECRET,
        priority: 4,
        position: 4,
        project_id: ids.project,
      },
    ],
  });
  assert.equal(tasks.status, 201, tasks.text);
  assert.equal(
    (await call('POST', '/labels', { user: alice, body: { workspace_id: ws, id: ids.label, name: 'outdoor' } })).status,
    201,
  );
  assert.equal(
    (
      await call('POST', '/task_labels', {
        user: alice,
        body: { workspace_id: ws, task_id: ids.tasks[0], label_id: ids.label },
      })
    ).status,
    201,
  );
  const bobSeed = await call('POST', '/tasks', {
    user: bob,
    body: { workspace_id: bob.workspaceId, id: ids.bobTask, title: 'Bob fixes the garden shed' },
  });
  assert.equal(bobSeed.status, 201, bobSeed.text);
  assert.equal(
    (
      await call('POST', '/labels', {
        user: bob,
        body: { workspace_id: bob.workspaceId, id: ids.bobLabel, name: 'bob' },
      })
    ).status,
    201,
  );
});

after(async () => {
  await gw.close();
  await closeServices();
});

describe('OpenAPI', () => {
  test('GET / describes tables and functions with their comments, as Swagger 2.0', async () => {
    const res = await call('GET', '/', { user: alice });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/openapi\+json/);
    const doc = res.json as {
      swagger: string;
      basePath: string;
      paths: Record<string, Record<string, { summary?: string }>>;
      definitions: Record<
        string,
        {
          description?: string;
          required: string[];
          properties: Record<string, { format: string; description?: string }>;
        }
      >;
    };
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.basePath, '/rest/v1');
    assert.match((res.json as { info: { description: string } }).info.description, /^TaskMaster data API v1\./);
    assert.equal(
      (res.json as { host: string }).host,
      new URL(services().config.PUBLIC_URL).host,
      'host from PUBLIC_URL',
    );
    assert.ok(
      doc.paths['/tasks']?.get && doc.paths['/tasks'].post && doc.paths['/tasks'].patch && doc.paths['/tasks'].delete,
    );
    assert.match(doc.paths['/rpc/search_tasks']?.get?.summary ?? '', /Live tasks/);
    assert.ok(!doc.paths['/rpc/complete_task']?.get, 'a volatile function is documented for POST only');
    assert.equal(doc.definitions.tasks?.properties.priority?.format, 'smallint');
    assert.match(doc.definitions.tasks?.properties.priority?.description ?? '', /highest/);
    assert.ok(doc.definitions.tasks?.required.includes('title'));
    assert.ok(!doc.definitions.tasks?.required.includes('id'), 'a column with a default is not required');
  });

  test('anon sees no table it has no privilege on', async () => {
    const res = await call('GET', '/');
    assert.equal(res.status, 200);
    const doc = res.json as { paths: Record<string, unknown> };
    assert.ok(!('/tasks' in doc.paths));
    assert.ok(!('/rpc/search_tasks' in doc.paths));
  });

  test('an Accept the document cannot satisfy is 406', async () => {
    assertError(await call('GET', '/', { user: alice, headers: { accept: 'text/html' } }), 406, 'PGRST107');
  });
});

describe('Range, Content-Range and counts', () => {
  test('a Range header pages; the total is * unless counted', async () => {
    const res = await call('GET', '/tasks?select=title&order=position', {
      user: alice,
      headers: { range: '0-1', 'range-unit': 'items' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-range'), '0-1/*');
    assert.deepEqual(res.json, [{ title: 'Plan the garden party' }, { title: 'Water the garden' }]);
  });

  test('with count=exact a partial page is 206 and names the total', async () => {
    const res = await call('GET', '/tasks?select=title&order=position', {
      user: alice,
      headers: { range: '1-2', prefer: 'count=exact' },
    });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), '1-2/4');
    assert.equal(res.headers.get('preference-applied'), 'count=exact');
    assert.deepEqual(res.json, [{ title: 'Water the garden' }, { title: 'Call mum' }]);
    const whole = await call('GET', '/tasks?select=id', { user: alice, headers: { prefer: 'count=exact' } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-range'), '0-3/4');
  });

  test('limit/offset work like Range; an empty result is */0 counted and */* otherwise', async () => {
    const page = await call('GET', '/tasks?select=title&order=position&limit=1&offset=3', { user: alice });
    assert.equal(page.headers.get('content-range'), '3-3/*');
    assert.deepEqual(page.json, [{ title: 'Buy seeds, "heirloom"' }]);
    const none = await call('GET', '/tasks?title=eq.nothing', { user: alice, headers: { prefer: 'count=exact' } });
    assert.equal(none.status, 200);
    assert.equal(none.headers.get('content-range'), '*/0');
    assert.deepEqual(none.json, []);
    const uncounted = await call('GET', '/tasks?title=eq.nothing', { user: alice });
    assert.equal(uncounted.headers.get('content-range'), '*/*');
  });

  test('a range past the counted total is 416; an inverted Range header too', async () => {
    const past = await call('GET', '/tasks?offset=10', { user: alice, headers: { prefer: 'count=exact' } });
    const error = assertError(past, 416, 'PGRST103');
    assert.match(String(error.details), /offset of 10.*only 4 rows/);
    assertError(await call('GET', '/tasks', { user: alice, headers: { range: '5-2' } }), 416, 'PGRST103');
  });

  test('count=planned answers with an estimate; HEAD answers headers only', async () => {
    const planned = await call('GET', '/tasks?select=id', { user: alice, headers: { prefer: 'count=planned' } });
    assert.ok([200, 206].includes(planned.status));
    assert.match(planned.headers.get('content-range') ?? '', /^0-3\/\d+$/);
    const head = await call('HEAD', '/tasks', { user: alice, headers: { prefer: 'count=exact' } });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.get('content-range'), '0-3/4');
  });

  test('count=planned and count=estimated see the joins of embed filters, !inner and null filters', async () => {
    for (const count of ['planned', 'estimated']) {
      const headers = { prefer: `count=${count}` };
      const inner = await call('GET', '/tasks?select=id,projects!inner(name)&projects.name=eq.Garden', {
        user: alice,
        headers,
      });
      assert.equal(inner.status === 200 || inner.status === 206, true, `${count}: ${inner.text}`);
      assert.equal((inner.json as unknown[]).length, 3);
      assert.match(inner.headers.get('content-range') ?? '', /^0-2\/\d+$/);
      const nulls = await call('GET', '/tasks?select=id,labels(name)&labels=not.is.null&title=like.*garden*', {
        user: alice,
        headers,
      });
      assert.equal(nulls.status === 200 || nulls.status === 206, true, `${count}: ${nulls.text}`);
      assert.match(nulls.headers.get('content-range') ?? '', /^0-0\/\d+$/);
    }
  });
});

describe('media types', () => {
  test('application/vnd.pgrst.object+json returns one object, 406 for zero or several rows', async () => {
    const accept = { accept: 'application/vnd.pgrst.object+json' };
    const one = await call('GET', `/tasks?select=title&id=eq.${ids.tasks[0]}`, { user: alice, headers: accept });
    assert.equal(one.status, 200);
    assert.match(one.headers.get('content-type') ?? '', /vnd\.pgrst\.object\+json/);
    assert.deepEqual(one.json, { title: 'Plan the garden party' });
    const none = assertError(
      await call('GET', '/tasks?title=eq.none', { user: alice, headers: accept }),
      406,
      'PGRST116',
    );
    assert.equal(none.details, 'The result contains 0 rows');
    const many = assertError(await call('GET', '/tasks', { user: alice, headers: accept }), 406, 'PGRST116');
    assert.equal(many.details, 'The result contains 4 rows');
  });

  test('a write asked for one object rolls back when it touched several rows', async () => {
    const res = await call('PATCH', `/tasks?project_id=eq.${ids.project}`, {
      user: alice,
      body: { priority: 1 },
      headers: { accept: 'application/vnd.pgrst.object+json', prefer: 'return=representation' },
    });
    assertError(res, 406, 'PGRST116');
    const after = await call('GET', `/tasks?select=priority&id=eq.${ids.tasks[1]}`, { user: alice });
    assert.deepEqual(after.json, [{ priority: 2 }], 'the update was rolled back');
  });

  test('text/csv renders rows as CSV; an unknown Accept is 406', async () => {
    const res = await call('GET', '/tasks?select=title,priority&order=position&limit=4', {
      user: alice,
      headers: { accept: 'text/csv' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(
      res.text,
      'title,priority\nPlan the garden party,1\nWater the garden,2\nCall mum,3\n"Buy seeds, ""heirloom""",4',
    );
    assertError(await call('GET', '/tasks', { user: alice, headers: { accept: 'application/xml' } }), 406, 'PGRST107');
  });
});

describe('OPTIONS', () => {
  test('lists the verbs a table, a function and the root take', async () => {
    const allow = async (path: string) => (await call('OPTIONS', path, { user: alice })).headers.get('allow');
    assert.equal(await allow('/tasks'), 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE');
    assert.equal(await allow('/rpc/search_tasks'), 'OPTIONS,GET,HEAD,POST');
    assert.equal(await allow('/rpc/complete_task'), 'OPTIONS,POST');
    assert.equal(await allow('/'), 'OPTIONS,GET,HEAD');
    assertError(await call('OPTIONS', '/nope', { user: alice }), 404, 'PGRST205');
  });
});

describe('profiles', () => {
  test('Accept-Profile / Content-Profile choose among exposed schemas only', async () => {
    assert.equal(
      (await call('GET', '/tasks?select=id', { user: alice, headers: { 'accept-profile': 'public' } })).status,
      200,
    );
    const read = assertError(
      await call('GET', '/users', { user: alice, headers: { 'accept-profile': 'identity' } }),
      406,
      'PGRST106',
    );
    assert.match(String(read.hint), /public/);
    assertError(
      await call('POST', '/api_key_secrets', { user: alice, body: {}, headers: { 'content-profile': 'private' } }),
      406,
      'PGRST106',
    );
  });
});

describe('several exposed schemas', () => {
  test('Accept-Profile picks the schema; the answer names it in Content-Profile', async () => {
    // A second gateway exposing `auth` next to `public` (auth.uid() is executable by callers).
    const second = await startGateway({ versions: [{ name: 'v1', schemas: ['public', 'auth'] }] });
    const base = `${second.url}/rest/v1`;
    const get = (path: string, profile?: string) =>
      fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${alice.token}`, ...(profile ? { 'accept-profile': profile } : {}) },
      });
    try {
      const uid = await get('/rpc/uid', 'auth');
      assert.equal(uid.status, 200);
      assert.equal(uid.headers.get('content-profile'), 'auth');
      assert.match(await uid.text(), /^"[0-9a-f-]{36}"$/);
      const inPublic = await get('/rpc/uid');
      assert.equal(inPublic.status, 404, 'public (the default profile) has no uid()');
      assert.equal(inPublic.headers.get('content-profile'), null, 'errors carry no profile');
      const tasks = await get('/tasks?select=id', 'public');
      assert.equal(tasks.status, 200);
      assert.equal(tasks.headers.get('content-profile'), 'public');
      assert.equal((await get('/tasks', 'auth')).status, 404);
      assert.equal((await get('/tasks', 'private')).status, 406);
    } finally {
      await second.close();
    }
  });
});

describe('embedding beyond supabase-js', () => {
  test('spread a to-one embed into the parent and order by an embedded column', async () => {
    const res = await call(
      'GET',
      '/tasks?select=title,...projects(project:name)&project_id=not.is.null&order=position',
      {
        user: alice,
      },
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [
      { title: 'Plan the garden party', project: 'Garden' },
      { title: 'Water the garden', project: 'Garden' },
      { title: 'Buy seeds, "heirloom"', project: 'Garden' },
    ]);
    const ordered = await call(
      'GET',
      '/tasks?select=title,projects(name)&order=projects(name).desc.nullslast,position&limit=2',
      {
        user: alice,
      },
    );
    assert.equal(ordered.status, 200, ordered.text);
    assert.deepEqual(ordered.json, [
      { title: 'Plan the garden party', projects: { name: 'Garden' } },
      { title: 'Water the garden', projects: { name: 'Garden' } },
    ]);
  });

  test('order by a column of a to-one embed that the select renames or leaves out', async () => {
    await call('PATCH', `/projects?id=eq.${ids.emptyProject}`, { user: alice, body: { name: 'Attic' } });
    const res = await call(
      'GET',
      `/tasks?select=title,project:projects(label:name)&project_id=not.is.null&order=project(name).desc,project(position),position.desc`,
      { user: alice },
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [
      { title: 'Buy seeds, "heirloom"', project: { label: 'Garden' } },
      { title: 'Water the garden', project: { label: 'Garden' } },
      { title: 'Plan the garden party', project: { label: 'Garden' } },
    ]);
    assertError(
      await call('GET', '/tasks?select=title,projects(name)&order=projects(nope)', { user: alice }),
      400,
      '42703',
    );
    assertError(
      await call('GET', '/projects?select=name,tasks(title)&order=tasks(title)', { user: alice }),
      400,
      'PGRST118',
    );
    await call('PATCH', `/projects?id=eq.${ids.emptyProject}`, { user: alice, body: { name: 'Empty' } });
  });

  test('null filtering on an embed keeps only parents with (or without) related rows', async () => {
    const withTasks = await call('GET', '/projects?select=name,tasks(id)&tasks=not.is.null', { user: alice });
    assert.deepEqual(
      (withTasks.json as { name: string }[]).map((p) => p.name),
      ['Garden'],
    );
    const without = await call('GET', '/projects?select=name,tasks(id)&tasks=is.null', { user: alice });
    assert.deepEqual(
      (without.json as { name: string }[]).map((p) => p.name),
      ['Empty'],
    );
  });

  test('count=exact counts only the parents an embed null filter keeps, also through a junction or nested embeds', async () => {
    const prefer = { prefer: 'count=exact' };
    const labelled = await call('GET', '/tasks?select=title,labels(name)&labels=not.is.null', {
      user: alice,
      headers: prefer,
    });
    assert.equal(labelled.status, 200, labelled.text);
    assert.equal((labelled.json as unknown[]).length, 1);
    assert.equal(labelled.headers.get('content-range'), '0-0/1');
    const nested = await call('GET', '/projects?select=name,tasks(id,labels(id))&tasks=not.is.null', {
      user: alice,
      headers: prefer,
    });
    assert.equal(nested.status, 200, nested.text);
    assert.equal(nested.headers.get('content-range'), '0-0/1');
  });

  test('a filter on an embed that is not selected is PGRST108', async () => {
    assertError(await call('GET', '/projects?select=name&tasks.title=eq.x', { user: alice }), 400, 'PGRST108');
  });
});

describe('writes', () => {
  test('return=headers-only answers 201 with a Location; minimal with no body', async () => {
    const id = randomUUID();
    const res = await call('POST', '/tasks', {
      user: alice,
      body: { workspace_id: alice.workspaceId, id, title: 'Located' },
      headers: { prefer: 'return=headers-only' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('location'), `/tasks?workspace_id=eq.${alice.workspaceId}&id=eq.${id}`);
    assert.equal(res.headers.get('preference-applied'), 'return=headers-only');
    const minimal = await call('POST', '/tasks', {
      user: alice,
      body: { workspace_id: alice.workspaceId, title: 'Quiet' },
      headers: { prefer: 'return=minimal' },
    });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.text, '');
    assert.equal(minimal.headers.get('location'), null);
    const cleanup = await call('DELETE', `/tasks?title=in.(Located,Quiet)`, {
      user: alice,
      headers: { prefer: 'return=representation,count=exact' },
    });
    assert.equal(cleanup.status, 200);
    assert.equal(cleanup.headers.get('content-range'), '*/2');
    assert.equal((cleanup.json as unknown[]).length, 2);
  });

  test('missing=default fills absent keys with column defaults; columns= picks the keys', async () => {
    const res = await call('POST', '/tasks?columns=workspace_id,title,priority&select=title,priority,notes', {
      user: alice,
      body: [
        { workspace_id: alice.workspaceId, title: 'Defaulted', ignored: 'x' },
        { workspace_id: alice.workspaceId, title: 'Prioritised', priority: 1 },
      ],
      headers: { prefer: 'return=representation,missing=default' },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json, [
      { title: 'Defaulted', priority: 4, notes: '' },
      { title: 'Prioritised', priority: 1, notes: '' },
    ]);
    assert.match(res.headers.get('preference-applied') ?? '', /missing=default/);
    await call('DELETE', '/tasks?title=in.(Defaulted,Prioritised)', { user: alice });
  });

  test('an empty columns= is a 400 that inserts nothing, not a row of defaults', async () => {
    const title = `columns-empty-${randomUUID()}`;
    const res = await call('POST', '/tasks?columns=', {
      user: alice,
      body: { workspace_id: alice.workspaceId, title },
    });
    const error = assertError(res, 400, 'PGRST100');
    assert.match(error.message, /columns/);
    assertError(await call('POST', '/tasks?columns=title,', { user: alice, body: { title } }), 400, 'PGRST100');
    const found = await call('GET', `/tasks?select=id&title=eq.${title}`, { user: alice });
    assert.deepEqual(found.json, []);
  });

  test('objects of a bulk insert must share their keys without columns=', async () => {
    assertError(
      await call('POST', '/tasks', {
        user: alice,
        body: [{ workspace_id: alice.workspaceId, title: 'a' }, { title: 'b' }],
      }),
      400,
      'PGRST102',
    );
  });

  test('PUT names one row by its whole primary key: creates it, then replaces it', async () => {
    const id = randomUUID();
    const path = `/labels?workspace_id=eq.${alice.workspaceId}&id=eq.${id}`;
    const body = { workspace_id: alice.workspaceId, id, name: 'put-label', color: 'blue' };
    assertError(await call('PUT', `/labels?id=eq.${id}`, { user: alice, body }), 405, 'PGRST105');
    assertError(await call('PUT', path, { user: alice, body: { ...body, id: randomUUID() } }), 400, 'PGRST115');
    const created = await call('PUT', path, { user: alice, body, headers: { prefer: 'return=representation' } });
    assert.ok([200, 201].includes(created.status), created.text);
    const replaced = await call('PUT', path, { user: alice, body: { ...body, name: 'put-label-2', color: 'red' } });
    assert.equal(replaced.status, 204, replaced.text);
    const now = await call('GET', `/labels?select=name,color&id=eq.${id}`, { user: alice });
    assert.deepEqual(now.json, [{ name: 'put-label-2', color: 'red' }]);
    // Bob cannot PUT into Alice's workspace, neither creating nor replacing.
    const bobPut = await call('PUT', path, { user: bob, body: { ...body, name: 'hijacked' } });
    assert.ok([401, 403].includes(bobPut.status), bobPut.text);
    assert.deepEqual((await call('GET', `/labels?select=name&id=eq.${id}`, { user: alice })).json, [
      { name: 'put-label-2' },
    ]);
    await call('DELETE', `/labels?id=eq.${id}`, { user: alice });
  });

  test('on_conflict with ignore-duplicates skips existing rows', async () => {
    const res = await call('POST', '/task_labels?on_conflict=workspace_id,task_id,label_id', {
      user: alice,
      body: [
        { workspace_id: alice.workspaceId, task_id: ids.tasks[0], label_id: ids.label },
        { workspace_id: alice.workspaceId, task_id: ids.tasks[1], label_id: ids.label },
      ],
      headers: { prefer: 'return=representation,resolution=ignore-duplicates' },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      (res.json as { task_id: string }[]).map((r) => r.task_id),
      [ids.tasks[1]],
    );
    assert.match(res.headers.get('preference-applied') ?? '', /resolution=ignore-duplicates/);
    await call('DELETE', `/task_labels?task_id=eq.${ids.tasks[1]}`, { user: alice });
  });

  test('unfiltered PATCH and DELETE are refused (21000), also with only a limit', async () => {
    const patch = assertError(await call('PATCH', '/tasks', { user: alice, body: { priority: 1 } }), 400, '21000');
    assert.match(patch.message, /UPDATE requires a WHERE clause/);
    assertError(await call('PATCH', '/tasks?limit=1', { user: alice, body: { priority: 1 } }), 400, '21000');
    assertError(await call('DELETE', '/tasks', { user: alice }), 400, '21000');
    assertError(await call('DELETE', '/tasks?limit=1&order=position', { user: alice }), 400, '21000');
    const count = await call('GET', '/tasks?select=priority&order=position', { user: alice });
    assert.deepEqual(count.json, [{ priority: 1 }, { priority: 2 }, { priority: 3 }, { priority: 4 }]);
  });

  test('PATCH with a filter, order and limit changes only the first matching rows', async () => {
    const res = await call('PATCH', `/tasks?project_id=eq.${ids.project}&order=position.desc&limit=1&select=title`, {
      user: alice,
      body: { notes: `${SECRET} edited` },
      headers: { prefer: 'return=representation' },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [{ title: 'Buy seeds, "heirloom"' }]);
    await call('PATCH', `/tasks?id=eq.${ids.tasks[3]}`, { user: alice, body: { notes: SECRET } });
  });

  test('max-affected with handling=strict rolls back a write touching more rows', async () => {
    const res = await call('PATCH', `/tasks?project_id=eq.${ids.project}`, {
      user: alice,
      body: { priority: 1 },
      headers: { prefer: 'handling=strict, max-affected=2' },
    });
    const error = assertError(res, 400, 'PGRST124');
    assert.equal(error.details, 'The query affects 3 rows');
    const after = await call('GET', `/tasks?select=priority&id=eq.${ids.tasks[1]}`, { user: alice });
    assert.deepEqual(after.json, [{ priority: 2 }]);
    const fits = await call('PATCH', `/tasks?id=eq.${ids.tasks[1]}`, {
      user: alice,
      body: { priority: 2 },
      headers: { prefer: 'handling=strict, max-affected=1' },
    });
    assert.equal(fits.status, 204);
    assert.equal(fits.headers.get('preference-applied'), 'max-affected=1');
  });

  test('Prefer: timezone renders timestamps in that zone; an unknown zone is ignored', async () => {
    const tokyo = await call('GET', '/workspaces?select=created_at', {
      user: alice,
      headers: { prefer: 'timezone=Asia/Tokyo' },
    });
    assert.match((tokyo.json as { created_at: string }[])[0]?.created_at ?? '', /\+09:00$/);
    assert.equal(tokyo.headers.get('preference-applied'), 'timezone=Asia/Tokyo');
    const bogus = await call('GET', '/workspaces?select=created_at', {
      user: alice,
      headers: { prefer: "timezone=Nowhere/Bogus'" },
    });
    assert.equal(bogus.status, 200);
    assert.equal(bogus.headers.get('preference-applied'), null);
  });

  test('constraint violations: readable message, Postgres text in details', async () => {
    const check = assertError(
      await call('POST', '/tasks', { user: alice, body: { workspace_id: alice.workspaceId, title: 'x', priority: 9 } }),
      400,
      '23514',
    );
    assert.equal(check.message, 'Priority must be between 1 (highest) and 4.');
    assert.match(String(check.details), /tasks_priority_range/);
    const unique = assertError(
      await call('POST', '/labels', { user: alice, body: { workspace_id: alice.workspaceId, name: 'OUTDOOR' } }),
      409,
      '23505',
    );
    assert.equal(unique.message, 'A label with this name already exists.');
    assertError(
      await call('POST', '/tasks', {
        user: alice,
        body: { workspace_id: alice.workspaceId, title: 'x', due_date: 'soon' },
      }),
      400,
      '22007',
    );
  });
});

describe('RPC', () => {
  test('GET passes arguments in the query string; the rest filters and orders', async () => {
    const res = await call('GET', '/rpc/search_tasks?query=garden&select=title&order=title.desc&priority=lte.2', {
      user: alice,
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, [{ title: 'Water the garden' }, { title: 'Plan the garden party' }]);
  });

  test('POST completes a task and returns it as one object', async () => {
    const res = await call('POST', '/rpc/complete_task', { user: alice, body: { task_id: ids.tasks[2] } });
    assert.equal(res.status, 200, res.text);
    const task = res.json as { id: string; status: string; completed_at: string | null };
    assert.equal(task.id, ids.tasks[2]);
    assert.equal(task.status, 'completed');
    assert.ok(task.completed_at);
    await call('PATCH', `/tasks?id=eq.${ids.tasks[2]}`, { user: alice, body: { status: 'open' } });
  });

  test('a volatile function cannot be called with GET; other verbs are 405', async () => {
    assert.equal((await call('GET', `/rpc/complete_task?task_id=${ids.tasks[2]}`, { user: alice })).status, 405);
    assertError(await call('DELETE', '/rpc/search_tasks', { user: alice }), 405, 'PGRST101');
  });

  test('a missing required argument or an unknown function is PGRST202', async () => {
    assertError(await call('POST', '/rpc/complete_task', { user: alice, body: {} }), 404, 'PGRST202');
    assertError(await call('POST', '/rpc/drop_everything', { user: alice, body: {} }), 404, 'PGRST202');
  });

  test('a wrongly typed argument is 400', async () => {
    assertError(await call('POST', '/rpc/complete_task', { user: alice, body: { task_id: 'nope' } }), 400, '22P02');
  });

  test('anon may not execute: 401 with 42501', async () => {
    assertError(await call('POST', '/rpc/search_tasks', { body: { query: 'garden' } }), 401, '42501');
    assertError(await call('GET', '/tasks'), 401, '42501');
  });
});

describe('cross-tenant', () => {
  const leaks = (res: Res) => res.text.includes(SECRET) || ids.tasks.some((id) => res.text.includes(id));

  test("Bob reads none of Alice's rows, by id, by filter or by embedding", async () => {
    const requests = [
      `/tasks?id=eq.${ids.tasks[0]}`,
      `/tasks?workspace_id=eq.${alice.workspaceId}`,
      `/tasks?notes=eq.${SECRET}`,
      `/projects?select=*,tasks(*)`,
      `/workspaces?select=*,tasks(*),projects(*)`,
      `/labels?select=*,tasks(*)`,
      `/tasks?select=*,projects!inner(*)&projects.id=eq.${ids.project}`,
      `/task_labels?select=*,tasks(*),labels(*)`,
      `/rpc/search_tasks?query=garden`,
    ];
    for (const path of requests) {
      const res = await call('GET', path, { user: bob });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.ok(!leaks(res), `${path} leaked Alice's data: ${res.text}`);
    }
    const search = await call('GET', '/rpc/search_tasks?query=garden&select=title', { user: bob });
    assert.deepEqual(search.json, [{ title: 'Bob fixes the garden shed' }]);
  });

  test("Bob cannot insert into Alice's workspace or link across workspaces", async () => {
    assertError(
      await call('POST', '/tasks', { user: bob, body: { workspace_id: alice.workspaceId, title: 'Intruder' } }),
      403,
      '42501',
    );
    const link = await call('POST', '/task_labels', {
      user: bob,
      body: { workspace_id: bob.workspaceId, task_id: ids.bobTask, label_id: ids.label },
    });
    assert.ok([403, 409].includes(link.status), link.text);
    assert.ok(!leaks(link));
    const upsert = await call('POST', '/tasks?on_conflict=workspace_id,id', {
      user: bob,
      body: { workspace_id: alice.workspaceId, id: ids.tasks[0], title: 'Hijacked' },
      headers: { prefer: 'resolution=merge-duplicates' },
    });
    assert.ok([401, 403].includes(upsert.status), upsert.text);
  });

  test("Bob's PATCH, DELETE and RPC on Alice's ids change nothing", async () => {
    const patch = await call('PATCH', `/tasks?id=eq.${ids.tasks[0]}`, {
      user: bob,
      body: { title: 'Hijacked' },
      headers: { prefer: 'return=representation' },
    });
    assert.equal(patch.status, 200);
    assert.deepEqual(patch.json, []);
    const del = await call('DELETE', `/tasks?id=eq.${ids.tasks[0]}`, {
      user: bob,
      headers: { prefer: 'return=representation' },
    });
    assert.deepEqual(del.json, []);
    assertError(await call('POST', '/rpc/complete_task', { user: bob, body: { task_id: ids.tasks[0] } }), 404, 'PT404');
    const still = await call('GET', `/tasks?select=title,status&id=eq.${ids.tasks[0]}`, { user: alice });
    assert.deepEqual(still.json, [{ title: 'Plan the garden party', status: 'open' }]);
  });
});

describe('hostile input', () => {
  const deep = `${'tasks('.repeat(50)}id${')'.repeat(50)}`;
  const cases: [string, string, { body?: unknown; headers?: Record<string, string> }?][] = [
    ['GET', '/tasks?select=id;drop table tasks'],
    ['GET', `/tasks?select=${encodeURIComponent('id,"title"--')}`],
    ['GET', `/tasks?select=${encodeURIComponent('id/*x*/')}`],
    ['GET', `/tasks?${encodeURIComponent('title;--')}=eq.x`],
    ['GET', `/tasks?${encodeURIComponent('title/**/')}=eq.x`],
    ['GET', `/tasks?title=eq.${encodeURIComponent("'; delete from tasks; --")}&id=eq.${ids.tasks[0]}x`],
    ['GET', `/tasks?priority=eq.${encodeURIComponent('1 or 1=1')}`],
    ['GET', `/tasks?priority=in.(${encodeURIComponent('1);drop table tasks;--')})`],
    ['GET', '/tasks?title=nope.x'],
    ['GET', '/tasks?title=eq'],
    ['GET', '/tasks?or=(title.eq.x'],
    ['GET', '/tasks?or=title.eq.x'],
    ['GET', '/tasks?and=(or(and(title.eq.x)'],
    ['GET', '/tasks?title=fts(english);drop).x'],
    ['GET', `/tasks?title=fts(${encodeURIComponent("english'--")}).x`],
    ['GET', '/tasks?order=title;drop'],
    ['GET', '/tasks?order=title.up'],
    ['GET', '/tasks?limit=ten'],
    ['GET', '/tasks?offset=-5'],
    ['GET', '/tasks?select=title::text;drop'],
    ['GET', '/tasks?select=title::regclass'],
    ['GET', `/tasks?select=${deep}`],
    ['GET', '/tasks?select=id,workspaces!nope(*)'],
    ['GET', '/no_such_table'],
    ['GET', '/tasks/extra/segments'],
    ['GET', '/%E0%A4%A'],
    ['GET', '/tasks?select=%E0%A4%A&%FF=eq.%FE'],
    ['GET', `/tasks?title=eq.${'x'.repeat(9000)}`],
    ['GET', '/tasks?priority=cs.{1}'],
    ['GET', '/tasks?title=is.maybe'],
    ['GET', '/tasks?select=title->>x'],
    ['POST', '/tasks', { body: '{"title": "unterminated' }],
    ['POST', '/tasks', { body: '[1, 2, 3]' }],
    ['POST', '/tasks', { body: '"just a string"' }],
    ['POST', '/tasks', { body: '' }],
    ['POST', '/tasks', { body: { 'title"; drop table tasks; --': 'x' } }],
    ['POST', '/tasks', { body: { workspace_id: 'not-a-uuid', title: 'x' } }],
    ['POST', '/tasks', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['POST', '/tasks', { body: 'title\nx', headers: { 'content-type': 'text/csv' } }],
    ['POST', '/tasks', { body: 'x'.repeat(10 * 1024 * 1024) }],
    ['PATCH', `/tasks?id=eq.${ids.tasks[0]}`, { body: '[{"title": "x"}]' }],
    ['PATCH', `/tasks?id=eq.${ids.tasks[0]}`, { body: { workspace_id: randomUUID() } }],
    ['DELETE', `/tasks?id=eq.${encodeURIComponent("x' or '1'='1")}`],
    ['POST', '/rpc/search_tasks', { body: { query: 'x', extra: "'; drop" } }],
    ['POST', '/rpc/search_tasks', { body: '[]' }],
    ['GET', '/rpc/search_tasks?query=garden&title;drop=eq.x'],
    ['PURGE', '/tasks'],
    ['GET', '/tasks', { headers: { prefer: 'constructor=x, handling=strict' } }],
    ['GET', '/tasks', { headers: { prefer: '__proto__=a, handling=strict' } }],
  ];

  for (const [method, path, opts = {}] of cases) {
    test(`${method} ${path.slice(0, 80)} → 4xx`, async () => {
      const res = await call(method, path, { user: bob, ...opts });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${res.text.slice(0, 300)}`);
      assert.ok(!res.text.includes(SECRET), 'no foreign data');
      assert.doesNotMatch(res.text, /select .* from|"_\d+"|json_agg|\$\d+::/i, 'no SQL of ours in the error');
      if (res.json) {
        const body = res.json as Record<string, unknown>;
        assert.equal(typeof body.code, 'string');
        assert.equal(typeof body.message, 'string');
      }
    });
  }

  test('the 10 MB body is refused by the pipeline with 413', async () => {
    const res = await call('POST', '/tasks', { user: bob, body: 'x'.repeat(10 * 1024 * 1024) });
    assert.equal(res.status, 413);
  });

  test('Prefer names of Object.prototype members are ignored like any unknown preference', async () => {
    for (const prefer of ['constructor=x', 'toString=1', '__proto__=a']) {
      const res = await call('GET', '/tasks?select=id', { user: bob, headers: { prefer } });
      assert.equal(res.status, 200, `${prefer}: ${res.text}`);
      assert.equal(res.headers.get('preference-applied'), null);
    }
  });

  test("nothing above changed Alice's tasks", async () => {
    const res = await call('GET', '/tasks?select=title&order=position', { user: alice });
    assert.deepEqual(res.json, [
      { title: 'Plan the garden party' },
      { title: 'Water the garden' },
      { title: 'Call mum' },
      { title: 'Buy seeds, "heirloom"' },
    ]);
  });
});

// Objects the owner creates while the gateway runs (public schema, dropped afterwards): the
// engine must pick them up through NOTIFY pgrst, after its listening connection was killed.
describe('objects created at run time', () => {
  const name = `rest_probe_${randomUUID().slice(0, 8)}`;
  let before404: Res;

  before(async () => {
    before404 = await call('POST', `/rpc/${name}`, { user: alice, body: {} });
    await superuserQuery(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where application_name = 'taskmaster-rest-listen' and datname = current_database()`,
    );
    await superuserQuery(
      `create function public.${name}() returns json language sql stable as $$
         select json_build_object(
           'headers', current_setting('request.headers', true)::json,
           'method', current_setting('request.method', true),
           'timeout', current_setting('statement_timeout'),
           'sub', auth.uid())
       $$;
       grant execute on function public.${name}() to authenticated;
       create function public.${name}_table(p int) returns table (word text, n int) language sql stable
         as $$ values ('a', 1), ('b', 2), ('c', p) $$;
       grant execute on function public.${name}_table(int) to authenticated;
       create function public.${name}_raise(code text) returns int language plpgsql as $$
         begin raise exception 'Nope: %', code using errcode = code, hint = 'try again'; end $$;
       grant execute on function public.${name}_raise(text) to authenticated;
       create function public.${name}_shout(t public.tasks) returns text language sql stable
         as $$ select upper(t.title) $$;
       grant execute on function public.${name}_shout(public.tasks) to authenticated;
       create view public.${name}_open with (security_invoker = true) as
         select t.id as task_id, t.workspace_id, t.project_id as folder, t.title, t.position
         from public.tasks t where t.status = 'open';
       grant select on public.${name}_open to authenticated;
       create view public.${name}_counts with (security_invoker = true) as
         select t.workspace_id, count(*) as n from public.tasks t group by t.workspace_id;
       grant select, insert, update, delete on public.${name}_counts to authenticated;
       create view public.${name}_shouty with (security_invoker = true) as
         select t.workspace_id, t.id, t.title, upper(t.title) as shout from public.tasks t;
       grant select, insert, update, delete on public.${name}_shouty to authenticated;
       create function public.${name}_echo(payload jsonb) returns jsonb language sql stable as $$ select payload $$;
       grant execute on function public.${name}_echo(jsonb) to authenticated;
       create function public.${name}_add(a int, b int) returns int language sql immutable as $$ select a + b $$;
       grant execute on function public.${name}_add(int, int) to authenticated;
       create function public.${name}_words() returns setof text language sql immutable
         as $$ values ('plain'), ('with, comma'), ('say "hi"') $$;
       grant execute on function public.${name}_words() to authenticated;`,
    );
    // The listener reconnects (and reloads); NOTIFY until the objects are visible.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      await superuserQuery(`notify pgrst, 'reload schema'`);
      if ((await call('POST', `/rpc/${name}`, { user: alice, body: {} })).status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the schema cache never showed ${name}() after NOTIFY pgrst`);
  });

  after(async () => {
    await superuserQuery(
      `drop view if exists public.${name}_open, public.${name}_counts, public.${name}_shouty;
       drop function if exists public.${name}(), public.${name}_table(int), public.${name}_raise(text),
         public.${name}_shout(public.tasks), public.${name}_echo(jsonb), public.${name}_add(int, int),
         public.${name}_words();
       notify pgrst, 'reload schema';`,
    );
  });

  test('NOTIFY pgrst reloads the cache, also after the listening connection was killed', async () => {
    assertError(before404, 404, 'PGRST202');
    assert.equal((await call('POST', `/rpc/${name}`, { user: alice, body: {} })).status, 200);
  });

  test('the database sees request.headers without credentials, the method, the timeout, the caller', async () => {
    const res = await call('POST', `/rpc/${name}`, {
      user: alice,
      body: {},
      headers: { cookie: 'session=secret-cookie', apikey: 'secret-apikey', 'x-client-info': 'rest-test' },
    });
    assert.equal(res.status, 200, res.text);
    const seen = res.json as { headers: Record<string, string>; method: string; timeout: string; sub: string };
    assert.equal(seen.headers['x-client-info'], 'rest-test');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.timeout, '10s');
    assert.ok(seen.sub);
    for (const secret of ['authorization', 'cookie', 'apikey']) assert.ok(!(secret in seen.headers), secret);
    assert.doesNotMatch(res.text, /secret-cookie|secret-apikey|Bearer/);
  });

  test("a returns table (…) function: its columns select, filter and order like a view's", async () => {
    const table = await call('GET', `/rpc/${name}_table?p=3&n=gte.2&order=n.desc&select=word`, { user: alice });
    assert.equal(table.status, 200, table.text);
    assert.deepEqual(table.json, [{ word: 'c' }, { word: 'b' }]);
    assertError(await call('GET', `/rpc/${name}_table?p=3&nope=eq.1`, { user: alice }), 400, '42703');
  });

  test('a computed field selects, filters and orders on tables, write representations and function rows', async () => {
    const shout = `${name}_shout`;
    const computed = await call('GET', `/tasks?select=title,${shout}&${shout}=like.*GARDEN*&order=${shout}.desc`, {
      user: alice,
    });
    assert.equal(computed.status, 200, computed.text);
    assert.deepEqual(computed.json, [
      { title: 'Water the garden', [shout]: 'WATER THE GARDEN' },
      { title: 'Plan the garden party', [shout]: 'PLAN THE GARDEN PARTY' },
    ]);
    const star = await call('GET', `/tasks?select=*&id=eq.${ids.tasks[0]}`, { user: alice });
    assert.ok(!(shout in ((star.json as object[])[0] ?? {})), 'not part of *');
    const patched = await call('PATCH', `/tasks?id=eq.${ids.tasks[2]}&select=${shout}`, {
      user: alice,
      body: { title: 'Call mum' },
      headers: { prefer: 'return=representation' },
    });
    assert.deepEqual(patched.json, [{ [shout]: 'CALL MUM' }]);
    const searched = await call('GET', `/rpc/search_tasks?query=party&select=${shout}`, { user: alice });
    assert.deepEqual(searched.json, [{ [shout]: 'PLAN THE GARDEN PARTY' }]);
  });

  test('a view inherits the foreign keys of the table it shows: it embeds and is embedded', async () => {
    const view = `${name}_open`;
    const fromView = await call('GET', `/${view}?select=title,projects(name)&folder=not.is.null&order=position`, {
      user: alice,
    });
    assert.equal(fromView.status, 200, fromView.text);
    assert.deepEqual(fromView.json, [
      { title: 'Plan the garden party', projects: { name: 'Garden' } },
      { title: 'Water the garden', projects: { name: 'Garden' } },
      { title: 'Buy seeds, "heirloom"', projects: { name: 'Garden' } },
    ]);
    const toView = await call(
      'GET',
      `/projects?select=name,${view}(title)&id=eq.${ids.project}&${view}.order=position.desc&${view}.limit=1`,
      { user: alice },
    );
    assert.equal(toView.status, 200, toView.text);
    assert.deepEqual(toView.json, [{ name: 'Garden', [view]: [{ title: 'Buy seeds, "heirloom"' }] }]);
    const bobView = await call('GET', `/${view}?select=title,workspaces(id)`, { user: bob });
    assert.ok(
      !bobView.text.includes(SECRET) && !bobView.text.includes(alice.workspaceId),
      'RLS holds through the view',
    );
  });

  test('a view Postgres cannot write through refuses writes with 405 55000 and Allow (not a 500); OPTIONS says so', async () => {
    const view = `/${name}_counts`;
    assert.equal((await call('GET', view, { user: alice })).status, 200);
    // Postgres's (and so PostgREST's) code, message and hint for the refusal, but as a 405
    // with Allow, before anything runs: PostgREST lets Postgres refuse and answers 500.
    const refusals = [
      ['POST', view, `cannot insert into view "${name}_counts"`, /INSTEAD OF INSERT trigger/],
      ['PUT', `${view}?workspace_id=eq.${alice.workspaceId}`, `cannot insert into view "${name}_counts"`, /INSERT/],
      ['PATCH', `${view}?n=gt.0`, `cannot update view "${name}_counts"`, /INSTEAD OF UPDATE trigger/],
      ['DELETE', `${view}?n=gt.0`, `cannot delete from view "${name}_counts"`, /INSTEAD OF DELETE trigger/],
    ] as const;
    for (const [method, path, message, hint] of refusals) {
      const res = await call(method, path, { user: alice, body: method === 'DELETE' ? undefined : { n: 1 } });
      const error = assertError(res, 405, '55000');
      assert.equal(error.message, message);
      assert.match(String(error.hint), hint);
      assert.equal(res.headers.get('allow'), 'OPTIONS,GET,HEAD', method);
    }
    assert.equal((await call('OPTIONS', view, { user: alice })).headers.get('allow'), 'OPTIONS,GET,HEAD');
    assert.equal(
      (await call('OPTIONS', `/${name}_open`, { user: alice })).headers.get('allow'),
      'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE',
    );
  });

  test('Prefer: params=single-object passes the whole body as the one json argument', async () => {
    const echo = await call('POST', `/rpc/${name}_echo`, {
      user: alice,
      body: { a: [1, 'two'], b: null },
      headers: { prefer: 'params=single-object' },
    });
    assert.equal(echo.status, 200, echo.text);
    assert.deepEqual(echo.json, { a: [1, 'two'], b: null });
    assert.equal(echo.headers.get('preference-applied'), 'params=single-object');
    const named = await call('POST', `/rpc/${name}_echo`, { user: alice, body: { payload: { c: 3 } } });
    assert.deepEqual(named.json, { c: 3 });
  });

  test("a scalar function's result as text/csv: PostgREST's one pgrst_scalar column", async () => {
    const csv = { accept: 'text/csv' };
    const one = await call('GET', `/rpc/${name}_add?a=1&b=2`, { user: alice, headers: csv });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(one.text, 'pgrst_scalar\n3');
    const posted = await call('POST', `/rpc/${name}_add`, { user: alice, body: { a: 2, b: 2 }, headers: csv });
    assert.equal(posted.text, 'pgrst_scalar\n4');
    const set = await call('GET', `/rpc/${name}_words`, { user: alice, headers: csv });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(set.text, 'pgrst_scalar\nplain\n"with, comma"\n"say ""hi"""');
    const json = await call('GET', `/rpc/${name}_add?a=1&b=2`, { user: alice });
    assert.equal(json.text, '3');
  });

  test('RAISE: P0001 is a 400 with the message and hint; PTnnn sets the status', async () => {
    const raised = assertError(
      await call('POST', `/rpc/${name}_raise`, { user: alice, body: { code: 'P0001' } }),
      400,
      'P0001',
    );
    assert.deepEqual([raised.message, raised.hint], ['Nope: P0001', 'try again']);
    assertError(await call('POST', `/rpc/${name}_raise`, { user: alice, body: { code: 'PT402' } }), 402, 'PT402');
  });

  test("SQLSTATE classes as PostgREST maps them: 0A is the caller's 400, 55 and 2D a masked 500", async () => {
    // Writing a view column Postgres cannot write through (an expression) is 0A000.
    const view = `/${name}_shouty`;
    const id = randomUUID();
    const inserted = assertError(
      await call('POST', view, { user: alice, body: { workspace_id: alice.workspaceId, id, shout: 'X' } }),
      400,
      '0A000',
    );
    assert.match(inserted.message, /cannot insert into column "shout"/);
    assertError(
      await call('PATCH', `${view}?id=eq.${ids.tasks[0]}`, { user: alice, body: { shout: 'X' } }),
      400,
      '0A000',
    );
    assert.deepEqual((await call('GET', `/tasks?select=id&id=eq.${id}`, { user: alice })).json, []);
    const raised = assertError(
      await call('POST', `/rpc/${name}_raise`, { user: alice, body: { code: '0A000' } }),
      400,
      '0A000',
    );
    assert.equal(raised.message, 'Nope: 0A000');
    for (const code of ['55000', '55P03', '2D000']) {
      const masked = assertError(await call('POST', `/rpc/${name}_raise`, { user: alice, body: { code } }), 500, code);
      assert.equal(masked.message, 'The database could not complete the request');
    }
  });
});
