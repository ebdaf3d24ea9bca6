// GraphQL at /graphql over plain HTTP against the real gateway and database: queries and
// mutations, the same tenant rules as REST (RLS decides), limits, GraphQL-over-HTTP
// errors, and error masking.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../lib/services.ts';
import { INTERNAL_ERROR_PROBE, superuserQuery, withInternalErrorProbe } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

type GqlError = { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: unknown[] };
type GqlBody = { data?: Record<string, unknown> | null; errors?: GqlError[] };
type Reply = { status: number; body: GqlBody; headers: Headers; text: string };
type User = { token: string; workspaceId: string };

let gw: TestGateway;
let alice: User;
let bob: User;

async function send(init: RequestInit & { path?: string }): Promise<Reply> {
  const res = await fetch(`${gw.url}${init.path ?? '/graphql'}`, init);
  const text = await res.text();
  let body: GqlBody = {};
  try {
    body = JSON.parse(text) as GqlBody;
  } catch {
    // left empty: some tests assert on the text
  }
  return { status: res.status, body, headers: res.headers, text };
}

function gql(user: User | undefined, query: string, variables?: Record<string, unknown>): Promise<Reply> {
  return send({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(user ? { authorization: `Bearer ${user.token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
}

/** Data of a reply that must have succeeded. */
function ok(reply: Reply): Record<string, unknown> {
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.body.errors, undefined, reply.text);
  assert.ok(reply.body.data, reply.text);
  return reply.body.data;
}

async function newUser(prefix: string): Promise<User> {
  const res = await signUp(gw.url, uniqueEmail(prefix));
  assert.equal(res.status, 200, await res.clone().text());
  const token = await accessToken(gw.url, cookiesFrom(res));
  const reply = await send({
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ myPersonalWorkspaceId }' }),
  });
  const workspaceId = ok(reply).myPersonalWorkspaceId as string;
  assert.match(workspaceId, /^[0-9a-f-]{36}$/);
  return { token, workspaceId };
}

const CREATE_TASK = `
  mutation ($task: TaskInput!) {
    createTask(input: { task: $task }) { task { id workspaceId title status priority projectId completedAt } }
  }`;

async function createTask(user: User, task: Record<string, unknown>) {
  const data = ok(await gql(user, CREATE_TASK, { task: { workspaceId: user.workspaceId, ...task } }));
  return (data.createTask as { task: Record<string, unknown> & { id: string } }).task;
}

async function taskTitleAsOwner(id: string): Promise<string | undefined> {
  const { rows } = await superuserQuery<{ title: string }>('select title from public.tasks where id = $1', [id]);
  return rows[0]?.title;
}

before(async () => {
  gw = await startGateway();
  alice = await newUser('gql-alice');
  bob = await newUser('gql-bob');
});
after(async () => {
  await gw.close();
  await closeServices();
});

describe('queries and mutations', () => {
  test('create a project, tasks and labels, then read them through nested relations', async () => {
    const project = ok(
      await gql(
        alice,
        `mutation ($p: ProjectInput!) { createProject(input: { project: $p }) { project { id name } } }`,
        {
          p: { workspaceId: alice.workspaceId, name: 'Home' },
        },
      ),
    ).createProject as { project: { id: string; name: string } };
    const task = await createTask(alice, { title: 'Water plants', projectId: project.project.id, priority: 2 });
    assert.equal(task.title, 'Water plants');
    assert.equal(task.status, 'open');
    assert.equal(task.projectId, project.project.id);

    const label = ok(
      await gql(alice, `mutation ($l: LabelInput!) { createLabel(input: { label: $l }) { label { id name } } }`, {
        l: { workspaceId: alice.workspaceId, name: 'garden' },
      }),
    ).createLabel as { label: { id: string } };
    ok(
      await gql(
        alice,
        `mutation ($tl: TaskLabelInput!) { createTaskLabel(input: { taskLabel: $tl }) { taskLabel { labelId } } }`,
        {
          tl: { workspaceId: alice.workspaceId, taskId: task.id, labelId: label.label.id },
        },
      ),
    );

    const data = ok(
      await gql(
        alice,
        `query ($ws: UUID!, $id: UUID!) {
          task(workspaceId: $ws, id: $id) {
            title
            project { name tasks { nodes { title } } }
            taskLabels { nodes { label { name } } }
            workspace { kind }
          }
        }`,
        { ws: alice.workspaceId, id: task.id },
      ),
    );
    assert.deepEqual(data.task, {
      title: 'Water plants',
      project: { name: 'Home', tasks: { nodes: [{ title: 'Water plants' }] } },
      taskLabels: { nodes: [{ label: { name: 'garden' } }] },
      workspace: { kind: 'personal' },
    });
  });

  test('list tasks with a filter and ordering', async () => {
    const tag = `list-${Date.now()}`;
    await createTask(alice, { title: `${tag} b`, priority: 3 });
    await createTask(alice, { title: `${tag} a`, priority: 1 });
    await createTask(alice, { title: `${tag} c`, priority: 1 });
    await createTask(alice, { title: `${tag} done`, priority: 1, status: 'completed' });
    const data = ok(
      await gql(
        alice,
        `query ($prefix: String!) {
          tasks(
            filter: { title: { startsWith: $prefix }, status: { equalTo: "open" }, priority: { lessThanOrEqualTo: 3 } }
            orderBy: [PRIORITY_ASC, TITLE_DESC]
            first: 10
          ) { totalCount nodes { title priority } }
        }`,
        { prefix: tag },
      ),
    );
    assert.deepEqual(data.tasks, {
      totalCount: 3,
      nodes: [
        { title: `${tag} c`, priority: 1 },
        { title: `${tag} a`, priority: 1 },
        { title: `${tag} b`, priority: 3 },
      ],
    });
  });

  test('update a task: completing it stamps completedAt; delete removes it', async () => {
    const task = await createTask(alice, { title: 'Call the bank' });
    const updated = ok(
      await gql(
        alice,
        `mutation ($ws: UUID!, $id: UUID!) {
          updateTask(input: { workspaceId: $ws, id: $id, patch: { title: "Call the bank today", status: "completed" } }) {
            task { title status completedAt }
          }
        }`,
        { ws: alice.workspaceId, id: task.id },
      ),
    ).updateTask as { task: { title: string; status: string; completedAt: string | null } };
    assert.equal(updated.task.title, 'Call the bank today');
    assert.equal(updated.task.status, 'completed');
    assert.ok(updated.task.completedAt);

    ok(
      await gql(
        alice,
        `mutation ($ws: UUID!, $id: UUID!) { deleteTask(input: { workspaceId: $ws, id: $id }) { task { id } } }`,
        {
          ws: alice.workspaceId,
          id: task.id,
        },
      ),
    );
    const after = ok(
      await gql(alice, `query ($ws: UUID!, $id: UUID!) { task(workspaceId: $ws, id: $id) { id } }`, {
        ws: alice.workspaceId,
        id: task.id,
      }),
    );
    assert.equal(after.task, null);
    assert.equal(await taskTitleAsOwner(task.id), undefined);
  });

  test('a constraint violation answers with the readable message, and writes nothing', async () => {
    const reply = await gql(alice, CREATE_TASK, {
      task: { workspaceId: alice.workspaceId, title: 'Bad', priority: 9 },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.errors?.[0]?.message, 'Priority must be between 1 (highest) and 4.');
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(reply.body.errors?.[0]?.extensions?.field, 'priority');
    const { rows } = await superuserQuery('select 1 from public.tasks where workspace_id = $1 and title = $2', [
      alice.workspaceId,
      'Bad',
    ]);
    assert.equal(rows.length, 0);
  });

  test('a connection without first/last returns a page of 100 with hasNextPage; totalCount counts all', async () => {
    const tag = `bulk${Date.now()}`;
    const { rows } = await superuserQuery<{ id: string }>(
      `with p as (insert into public.projects (workspace_id, name) values ($1, $2) returning id)
       insert into public.tasks (workspace_id, project_id, title, notes)
       select $1, p.id, $2 || ' ' || lpad(n::text, 3, '0'), $2 from p, generate_series(1, 120) n
       returning project_id as id`,
      [alice.workspaceId, tag],
    );
    const projectId = rows[0]!.id;
    const data = ok(
      await gql(
        alice,
        `query ($tag: String!, $ws: UUID!, $p: UUID!, $n: Int) {
          all: tasks(filter: { title: { startsWith: $tag } }) { totalCount pageInfo { hasNextPage } nodes { id } }
          sized: tasks(filter: { title: { startsWith: $tag } }, first: 120) { nodes { id } }
          tail: tasks(filter: { title: { startsWith: $tag } }, orderBy: [TITLE_ASC], last: 2) { nodes { title } }
          unset: tasks(filter: { title: { startsWith: $tag } }, first: $n) { nodes { id } }
          found: searchTasks(query: $tag) { nodes { id } }
          project(workspaceId: $ws, id: $p) { tasks { nodes { id } } }
        }`,
        { tag, ws: alice.workspaceId, p: projectId },
      ),
    );
    const all = data.all as { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: unknown[] };
    assert.equal(all.nodes.length, 100);
    assert.equal(all.totalCount, 120);
    assert.equal(all.pageInfo.hasNextPage, true);
    assert.equal((data.sized as { nodes: unknown[] }).nodes.length, 120);
    assert.deepEqual((data.tail as { nodes: unknown[] }).nodes, [{ title: `${tag} 119` }, { title: `${tag} 120` }]);
    assert.equal((data.unset as { nodes: unknown[] }).nodes.length, 100, 'first: $n with $n omitted');
    assert.equal((data.found as { nodes: unknown[] }).nodes.length, 100);
    assert.equal((data.project as { tasks: { nodes: unknown[] } }).tasks.nodes.length, 100);
  });

  test('GET runs queries (GraphQL-over-HTTP) and negotiates application/graphql-response+json', async () => {
    const params = new URLSearchParams({ query: '{ myPersonalWorkspaceId }' });
    const reply = await send({
      path: `/graphql?${params}`,
      headers: { authorization: `Bearer ${alice.token}`, accept: 'application/graphql-response+json' },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
    assert.equal(reply.body.data?.myPersonalWorkspaceId, alice.workspaceId);
  });

  test('the schema hides what grants do not allow: no membership mutations, no Relay node ids', async () => {
    const data = ok(
      await gql(
        alice,
        `{ mutation: __type(name: "Mutation") { fields { name } } task: __type(name: "Task") { fields { name } } }`,
      ),
    );
    const mutations = (data.mutation as { fields: { name: string }[] }).fields.map((f) => f.name);
    assert.ok(mutations.includes('createTask'));
    assert.ok(!mutations.some((m) => /WorkspaceMember/.test(m)), mutations.join(', '));
    assert.ok(!mutations.includes('createWorkspace') && !mutations.includes('deleteWorkspace'));
    const taskFields = (data.task as { fields: { name: string }[] }).fields.map((f) => f.name);
    assert.ok(taskFields.includes('id') && !taskFields.includes('rowId') && !taskFields.includes('nodeId'));
  });
});

describe('tenant isolation (RLS decides, as in REST)', () => {
  let aliceTask: { id: string };
  before(async () => {
    aliceTask = await createTask(alice, { title: 'Alice secret' });
  });

  test("B's lists and lookups never contain A's tasks", async () => {
    const data = ok(
      await gql(
        bob,
        `query ($ws: UUID!, $id: UUID!) {
          tasks(first: 100) { nodes { workspaceId } }
          task(workspaceId: $ws, id: $id) { title }
          workspace(id: $ws) { id }
          filtered: tasks(filter: { workspaceId: { equalTo: $ws } }) { totalCount }
        }`,
        { ws: alice.workspaceId, id: aliceTask.id },
      ),
    );
    const nodes = (data.tasks as { nodes: { workspaceId: string }[] }).nodes;
    assert.ok(nodes.every((n) => n.workspaceId === bob.workspaceId));
    assert.equal(data.task, null);
    assert.equal(data.workspace, null);
    assert.deepEqual(data.filtered, { totalCount: 0 });
  });

  test("B cannot update or delete A's task", async () => {
    const update = await gql(
      bob,
      `mutation ($ws: UUID!, $id: UUID!) { updateTask(input: { workspaceId: $ws, id: $id, patch: { title: "pwned" } }) { task { id } } }`,
      { ws: alice.workspaceId, id: aliceTask.id },
    );
    // Like PostgREST's empty result: the row is invisible, so nothing matches.
    assert.equal(update.status, 200);
    assert.equal((update.body.data?.updateTask as { task: unknown } | null)?.task ?? null, null, update.text);

    const del = await gql(
      bob,
      `mutation ($ws: UUID!, $id: UUID!) { deleteTask(input: { workspaceId: $ws, id: $id }) { task { id } } }`,
      { ws: alice.workspaceId, id: aliceTask.id },
    );
    assert.equal(del.body.data?.deleteTask, null, del.text);
    assert.equal(del.body.errors?.[0]?.extensions?.code, 'NOT_FOUND', del.text);
    assert.match(del.body.errors?.[0]?.message ?? '', /^Nothing was deleted/);
    assert.equal(await taskTitleAsOwner(aliceTask.id), 'Alice secret');
  });

  test("B cannot create a task in A's workspace: a clear FORBIDDEN error, nothing written", async () => {
    const reply = await gql(bob, CREATE_TASK, { task: { workspaceId: alice.workspaceId, title: 'Planted by Bob' } });
    assert.equal(reply.status, 200);
    const error = reply.body.errors?.[0];
    assert.equal(error?.extensions?.code, 'FORBIDDEN', reply.text);
    assert.equal(error?.extensions?.sqlstate, '42501');
    assert.equal(error?.message, 'You do not have access to this.');
    const { rows } = await superuserQuery('select 1 from public.tasks where title = $1', ['Planted by Bob']);
    assert.equal(rows.length, 0);
  });

  test("B cannot label A's task with their own label (foreign ids across workspaces)", async () => {
    const label = ok(
      await gql(bob, `mutation ($l: LabelInput!) { createLabel(input: { label: $l }) { label { id } } }`, {
        l: { workspaceId: bob.workspaceId, name: `bob-${Date.now()}` },
      }),
    ).createLabel as { label: { id: string } };
    const reply = await gql(
      bob,
      `mutation ($tl: TaskLabelInput!) { createTaskLabel(input: { taskLabel: $tl }) { taskLabel { taskId } } }`,
      { tl: { workspaceId: bob.workspaceId, taskId: aliceTask.id, labelId: label.label.id } },
    );
    assert.ok(reply.body.errors?.length, reply.text);
    const { rows } = await superuserQuery('select 1 from public.task_labels where task_id = $1', [aliceTask.id]);
    assert.equal(rows.length, 0);
  });

  test("a guest of A's workspace reads its tasks but cannot write them", async () => {
    const guest = await newUser('gql-guest');
    const { rows } = await superuserQuery<{ user_id: string }>(
      `select m.user_id from public.workspace_members m where m.workspace_id = $1`,
      [guest.workspaceId],
    );
    await superuserQuery(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'guest')`,
      [alice.workspaceId, rows[0]!.user_id],
    );
    const read = ok(
      await gql(guest, `query ($ws: UUID!, $id: UUID!) { task(workspaceId: $ws, id: $id) { title } }`, {
        ws: alice.workspaceId,
        id: aliceTask.id,
      }),
    );
    assert.deepEqual(read.task, { title: 'Alice secret' });

    const create = await gql(guest, CREATE_TASK, { task: { workspaceId: alice.workspaceId, title: 'Guest was here' } });
    assert.equal(create.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', create.text);
    const update = await gql(
      guest,
      `mutation ($ws: UUID!, $id: UUID!) { updateTask(input: { workspaceId: $ws, id: $id, patch: { title: "guest edit" } }) { task { id } } }`,
      { ws: alice.workspaceId, id: aliceTask.id },
    );
    assert.equal((update.body.data?.updateTask as { task: unknown } | null)?.task ?? null, null, update.text);
    assert.equal(await taskTitleAsOwner(aliceTask.id), 'Alice secret');
  });

  test("B cannot complete A's task through an RPC mutation: the function's own not-found", async () => {
    const reply = await gql(bob, `mutation ($id: UUID!) { completeTask(input: { taskId: $id }) { result { id } } }`, {
      id: aliceTask.id,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.errors?.[0]?.message, 'Task not found', reply.text);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const { rows } = await superuserQuery<{ status: string }>('select status from public.tasks where id = $1', [
      aliceTask.id,
    ]);
    assert.equal(rows[0]?.status, 'open');
  });

  test('anonymous callers get a permission error and no rows', async () => {
    const reply = await gql(undefined, '{ tasks { nodes { title } } }');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.data?.tasks, null);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', reply.text);
    assert.doesNotMatch(reply.text, /Alice secret/);
  });

  test('an invalid token is refused before GraphQL runs', async () => {
    const reply = await gql({ token: 'not-a-jwt', workspaceId: '' }, '{ tasks { totalCount } }');
    assert.equal(reply.status, 401);
  });
});

describe('limits', () => {
  test('a query nested deeper than 10 levels is rejected with 400', async () => {
    let selection = 'id';
    for (let i = 0; i < 4; i++) selection = `project { tasks(first: 1) { nodes { ${selection} } } }`;
    const reply = await gql(alice, `{ tasks(first: 1) { nodes { ${selection} } } }`);
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_DEEP');
    assert.match(reply.body.errors?.[0]?.message ?? '', /limit is 10/);
  });

  test('a query that could return too many rows is rejected with 400', async () => {
    const reply = await gql(alice, `{ projects(first: 1000) { nodes { tasks(first: 1000) { nodes { title } } } } }`);
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
  });

  test('page sizes come from variables too, and are capped', async () => {
    const costly = await gql(
      alice,
      `query ($n: Int) { projects(first: $n) { nodes { tasks(first: $n) { nodes { id } } } } }`,
      {
        n: 900,
      },
    );
    assert.equal(costly.status, 400);
    assert.equal(costly.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
    const big = await gql(alice, `{ tasks(first: 5000) { nodes { id } } }`);
    assert.equal(big.status, 400);
    assert.equal(big.body.errors?.[0]?.extensions?.code, 'PAGE_TOO_LARGE');
  });

  test('negative first, last or offset (literal or variable) is a 400, not a database error', async () => {
    for (const [query, variables] of [
      ['{ tasks(first: -1) { nodes { id } } }', undefined],
      ['{ tasks(last: -1) { nodes { id } } }', undefined],
      ['{ tasks(first: 1, offset: -1) { nodes { id } } }', undefined],
      ['query ($n: Int) { tasks(first: $n) { nodes { id } } }', { n: -3 }],
    ] as const) {
      const reply = await gql(alice, query, variables);
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', reply.text);
      assert.match(reply.body.errors?.[0]?.message ?? '', /cannot be negative/);
    }
  });

  test('rows skipped with offset count too', async () => {
    const reply = await gql(alice, `{ tasks(first: 10, offset: 100000) { nodes { id } } }`);
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
    ok(await gql(alice, `{ tasks(first: 10, offset: 20) { nodes { id } } }`));
  });

  test('aliases multiply the cost', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `t${i}: tasks(first: 1000) { nodes { id } }`).join(' ');
    const reply = await gql(alice, `{ ${aliases} }`);
    assert.equal(reply.status, 400);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
  });

  test('fragments that expand exponentially are rejected', async () => {
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const reply = await gql(alice, `{ ...F0 }\n${fragments}\nfragment F20 on Query { myPersonalWorkspaceId }`);
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
  });

  test('an over-long document is rejected', async () => {
    const reply = await gql(alice, `{ ${'myPersonalWorkspaceId '.repeat(6000)} }`);
    assert.equal(reply.status, 400);
    assert.equal(reply.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_LARGE');
  });

  test('the full introspection query (what schema tools send) is allowed', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const data = ok(await gql(alice, getIntrospectionQuery()));
    assert.ok((data.__schema as { types: unknown[] }).types.length > 10);
  });
});

describe('malformed requests get a 4xx, never a 500', () => {
  const cases: Array<[string, RequestInit & { path?: string }, number]> = [
    ['invalid JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }, 400],
    ['empty body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }, 400],
    [
      'JSON that is not an object',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' },
      400,
    ],
    [
      'missing query',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"variables":{}}' },
      400,
    ],
    [
      'query not a string',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":42}' },
      400,
    ],
    [
      'variables not an object',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }","variables":[1]}',
      },
      400,
    ],
    [
      'wrong content type',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' },
      415,
    ],
    [
      'form content type',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=x' },
      415,
    ],
    ['unacceptable Accept', { path: '/graphql?query=%7B__typename%7D', headers: { accept: 'text/csv' } }, 406],
    ['GET without a query', { path: '/graphql' }, 400],
    ['GET with variables that are not JSON', { path: '/graphql?query=%7B__typename%7D&variables=%7Bx' }, 400],
    ['a mutation over GET', { path: `/graphql?query=${encodeURIComponent('mutation { __typename }')}` }, 405],
    [
      'PUT',
      { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' },
      405,
    ],
    [
      'a syntax error',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ tasks { "}' },
      400,
    ],
    [
      'an unknown field',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ passwords { hash } }"}' },
      400,
    ],
    [
      'SQL in a field name',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ tasks; drop table tasks; -- }' }),
      },
      400,
    ],
    [
      'several operations and no operationName',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"query A { __typename } query B { __typename }"}',
      },
      400,
    ],
    [
      'a subscription over HTTP',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'subscription { taskChanged(workspaceId: "00000000-0000-0000-0000-000000000000") { id } }',
        }),
      },
      400,
    ],
    [
      'a variable of the wrong type',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query ($n: Int) { tasks(first: $n) { totalCount } }', variables: { n: 'ten' } }),
      },
      400,
    ],
  ];
  for (const [name, init, status] of cases) {
    test(name, async () => {
      const reply = await send({ ...init, headers: { authorization: `Bearer ${alice.token}`, ...init.headers } });
      assert.equal(reply.status, status, reply.text);
      assert.ok(reply.body.errors?.[0]?.message, reply.text);
      assert.match(reply.headers.get('content-type') ?? '', /json/);
    });
  }
});

describe('error masking', () => {
  test('a database error without a readable mapping says "Internal error", never SQL', async () => {
    const reply = await withInternalErrorProbe(() =>
      gql(alice, `mutation ($t: TaskInput!) { createTask(input: { task: $t }) { task { id } } }`, {
        t: { workspaceId: alice.workspaceId, title: INTERNAL_ERROR_PROBE },
      }),
    );
    assert.equal(reply.status, 200, reply.text);
    const error = reply.body.errors?.[0];
    assert.equal(error?.message, 'Internal error', reply.text);
    assert.equal(error?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.match(String(error?.extensions?.requestId), /.+/);
    assert.doesNotMatch(reply.text, /select|secret|internals|XX001/i);
  });

  test("a malformed value Postgres rejects (a LIKE pattern ending in its escape) is the caller's error, not an internal one", async () => {
    const reply = await gql(alice, `{ tasks(filter: { title: { like: "%\\\\" } }) { totalCount } }`);
    const error = reply.body.errors?.[0];
    assert.equal(error?.message, 'A value has the wrong format or is out of range.', reply.text);
    assert.notEqual(error?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.doesNotMatch(reply.text, /LIKE pattern|escape/i);
  });

  test('Ruru (GraphiQL) is not served outside development', async () => {
    const reply = await send({ headers: { accept: 'text/html' } });
    assert.equal(reply.status, 400);
    assert.match(reply.headers.get('content-type') ?? '', /json/);
    assert.doesNotMatch(reply.text, /<html/i);
  });
});
