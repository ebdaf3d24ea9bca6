// GraphQL subscriptions over WebSocket (graphql-transport-ws) on /graphql: task changes
// reach members of the workspace, re-read as the subscriber, so RLS filters them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { MAX_SUBSCRIPTIONS_PER_SOCKET, taskTopic } from '../../gateway/src/graphql/subscriptions.ts';
import { closeServices } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

type User = { token: string; workspaceId: string };
type Change = { op: string; workspaceId: string; id: string; task: { title: string } | null };

let gw: TestGateway;
let alice: User;
let bob: User;
const clients: Client[] = [];

async function post(user: User | { token: string }, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.errors, undefined, JSON.stringify(body));
  return body.data ?? {};
}

async function newUser(prefix: string): Promise<User> {
  const res = await signUp(gw.url, uniqueEmail(prefix));
  assert.equal(res.status, 200);
  const token = await accessToken(gw.url, cookiesFrom(res));
  const data = await post({ token }, '{ myPersonalWorkspaceId }');
  return { token, workspaceId: data.myPersonalWorkspaceId as string };
}

async function createTask(user: User, title: string): Promise<string> {
  const data = await post(user, 'mutation ($t: TaskInput!) { createTask(input: { task: $t }) { task { id } } }', {
    t: { workspaceId: user.workspaceId, title },
  });
  return (data.createTask as { task: { id: string } }).task.id;
}

function wsUrl(): string {
  return `${gw.url.replace(/^http/, 'ws')}/graphql`;
}

function client(user: User): Client {
  const c = createClient({
    url: wsUrl(),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    retryAttempts: 0,
    lazy: false,
  });
  clients.push(c);
  return c;
}

/** Events about this id are probes sent by `live()`; tests never see them. */
const PROBE_ID = '00000000-0000-0000-0000-000000000000';

function subscribe(c: Client, workspaceId: string) {
  const results: FormattedExecutionResult<{ taskChanged: Change }, unknown>[] = [];
  const waiters: Array<() => void> = [];
  let failed: unknown;
  let read = 0;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const dispose = c.subscribe<{ taskChanged: Change }>(
    {
      query: `subscription ($ws: UUID!) { taskChanged(workspaceId: $ws) { op workspaceId id task { title } } }`,
      variables: { ws: workspaceId },
    },
    {
      next: (r) => {
        if (r.data?.taskChanged?.id !== PROBE_ID) results.push(r);
        else probed = true;
        wake();
      },
      error: (e) => {
        failed = e;
        wake();
      },
      complete: () => undefined,
    },
  );
  let probed = false;
  const waitFor = async (done: () => boolean) => {
    while (!done()) {
      if (failed) throw failed instanceof Error ? failed : new Error(JSON.stringify(failed));
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    dispose,
    /** Resolves once the subscription receives events (its LISTEN is in place). */
    async live(): Promise<void> {
      probed = false;
      while (!probed) {
        await superuserQuery('select pg_notify($1, $2)', [
          taskTopic(workspaceId),
          // A delete: it reaches whoever may read the workspace (the task need not exist).
          JSON.stringify({ op: 'DELETE', workspace_id: workspaceId, id: PROBE_ID }),
        ]);
        await Promise.race([waitFor(() => probed), new Promise((resolve) => setTimeout(resolve, 50))]);
      }
    },
    /** The next event not read yet, waiting for it. */
    async next(): Promise<FormattedExecutionResult<{ taskChanged: Change }, unknown>> {
      await waitFor(() => results.length > read);
      read += 1;
      return results[read - 1]!;
    },
    /** How many events (probes aside) arrived so far, and what they were. */
    count: () => results.length,
    all: () => results,
    /** The errors the subscription ended with (an error message, or a result with errors). */
    async failure(): Promise<unknown> {
      const errored = () => failed ?? results.find((r) => r.errors)?.errors;
      while (!errored()) await new Promise<void>((resolve) => waiters.push(resolve));
      return errored();
    },
  };
}

before(async () => {
  gw = await startGateway();
  alice = await newUser('gqlsub-alice');
  bob = await newUser('gqlsub-bob');
});
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await gw.close();
  await closeServices();
});

describe('taskChanged subscription', { timeout: 30_000 }, () => {
  test("members receive their workspace's task changes, and only those", async () => {
    const a = subscribe(client(alice), alice.workspaceId);
    const b = subscribe(client(bob), bob.workspaceId);
    await a.live();
    await b.live();

    const aliceTask = await createTask(alice, 'Alice live task');
    const bobTask = await createTask(bob, 'Bob live task');

    const first = await a.next();
    assert.deepEqual(first.data?.taskChanged, {
      op: 'INSERT',
      workspaceId: alice.workspaceId,
      id: aliceTask,
      task: { title: 'Alice live task' },
    });
    // Alice's insert committed first: had Bob heard Alice's channel, it would be his first event.
    const bobs = await b.next();
    assert.deepEqual(bobs.data?.taskChanged, {
      op: 'INSERT',
      workspaceId: bob.workspaceId,
      id: bobTask,
      task: { title: 'Bob live task' },
    });

    await post(
      alice,
      'mutation ($ws: UUID!, $id: UUID!) { deleteTask(input: { workspaceId: $ws, id: $id }) { task { id } } }',
      {
        ws: alice.workspaceId,
        id: aliceTask,
      },
    );
    const deleted = await a.next();
    assert.deepEqual(deleted.data?.taskChanged, {
      op: 'DELETE',
      workspaceId: alice.workspaceId,
      id: aliceTask,
      task: null,
    });
    a.dispose();
    b.dispose();
  });

  test('subscribing to another workspace is refused', async () => {
    const s = subscribe(client(bob), alice.workspaceId);
    const failure = (await s.failure()) as { message?: string; extensions?: { code?: string } }[];
    assert.ok(Array.isArray(failure), JSON.stringify(failure));
    assert.equal(failure[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(failure));
  });

  test('events are re-read as the subscriber: a forged event about a foreign task sends nothing', async () => {
    const aliceTask = await createTask(alice, 'Alice private');
    const b = subscribe(client(bob), bob.workspaceId);
    await b.live();
    await superuserQuery(`select pg_notify($1, $2)`, [
      taskTopic(bob.workspaceId),
      JSON.stringify({ op: 'UPDATE', workspace_id: alice.workspaceId, id: aliceTask }),
    ]);
    // Events of one subscription arrive in order: once the probe is back, the forged
    // event was handled, and it must have sent nothing (not even its id).
    await b.live();
    assert.equal(b.count(), 0, JSON.stringify(b.all()));
    b.dispose();
  });

  test('a member removed from the workspace receives nothing more about its tasks', async () => {
    const carol = await newUser('gqlsub-carol');
    const carolId = JSON.parse(Buffer.from(carol.token.split('.')[1]!, 'base64url').toString()).sub as string;
    await superuserQuery(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
      [alice.workspaceId, carolId],
    );
    const own = await createTask(carol, 'Carol marker');
    const c = subscribe(client(carol), alice.workspaceId);
    await c.live();
    const shared = await createTask(alice, 'Shared while a member');
    assert.equal((await c.next()).data?.taskChanged.task?.title, 'Shared while a member');

    await superuserQuery(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [
      alice.workspaceId,
      carolId,
    ]);
    await post(
      alice,
      'mutation ($ws: UUID!, $id: UUID!, $p: TaskPatch!) { updateTask(input: { workspaceId: $ws, id: $id, patch: $p }) { task { id } } }',
      {
        ws: alice.workspaceId,
        id: shared,
        p: { title: 'Secret after removal' },
      },
    );
    await createTask(alice, 'Created after removal');
    await post(
      alice,
      'mutation ($ws: UUID!, $id: UUID!) { deleteTask(input: { workspaceId: $ws, id: $id }) { task { id } } }',
      { ws: alice.workspaceId, id: shared },
    );
    // A marker Carol may read, on the same channel, after the three changes: when it
    // arrives, they were handled before it, and none may have reached her.
    await superuserQuery('select pg_notify($1, $2)', [
      taskTopic(alice.workspaceId),
      JSON.stringify({ op: 'UPDATE', workspace_id: carol.workspaceId, id: own }),
    ]);
    const marker = await c.next();
    assert.deepEqual(marker.data?.taskChanged, {
      op: 'UPDATE',
      workspaceId: carol.workspaceId,
      id: own,
      task: { title: 'Carol marker' },
    });
    assert.equal(c.count(), 2, JSON.stringify(c.all()));
    c.dispose();
  });

  test('a socket without a valid access token is closed with 4403', async () => {
    for (const params of [{}, { authorization: 'Bearer not-a-jwt' }]) {
      const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'connection_init', payload: params }));
      const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
      assert.equal(code, 4403);
    }
  });

  test('closing the gateway says 1001 Going Away to subscribers instead of waiting for them', async () => {
    const other = await startGateway();
    const socket = new WebSocket(`${other.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${alice.token}` } }));
    const ack = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    assert.equal(JSON.parse(ack).type, 'connection_ack');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await other.close(); // would never resolve while the socket held the server open
    assert.equal(await closed, 1001);
  });

  test(`one socket holds at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; completing one frees a slot`, async () => {
    const c = client(alice);
    const held = [];
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SOCKET; i += 1) {
      const sub = subscribe(c, alice.workspaceId);
      await sub.live();
      held.push(sub);
    }
    const refused = subscribe(c, alice.workspaceId);
    assert.match(JSON.stringify(await refused.failure()), /TOO_MANY_SUBSCRIPTIONS|At most \d+ subscriptions/);
    held.pop()!.dispose();
    const again = subscribe(c, alice.workspaceId);
    await again.live(); // accepted: it receives events
    again.dispose();
    for (const sub of held) sub.dispose();
  });

  test('queries and mutations are not served over the socket', async () => {
    const c = client(alice);
    const result = await new Promise<unknown>((resolve) => {
      c.subscribe({ query: '{ myPersonalWorkspaceId }' }, { next: resolve, error: resolve, complete: () => undefined });
    });
    assert.match(JSON.stringify(result), /Only subscriptions are served over WebSocket/);
  });
});

describe('rate limits', { timeout: 30_000 }, () => {
  test("each subscribe takes one request from the caller's HTTP bucket; an empty bucket refuses it", async () => {
    const limited = await startGateway({ api: { rateLimits: { user: 3 } } });
    const own: Client[] = [];
    try {
      const res = await signUp(limited.url, uniqueEmail('gqlsub-limited'));
      const token = await accessToken(limited.url, cookiesFrom(res));
      const http = () =>
        fetch(`${limited.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ myPersonalWorkspaceId }' }),
        });
      const first = await http(); // 1 of 3
      assert.equal(first.status, 200);
      const workspaceId = ((await first.json()) as { data: { myPersonalWorkspaceId: string } }).data
        .myPersonalWorkspaceId;
      const c = createClient({
        url: `${limited.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
      });
      own.push(c);
      await subscribe(c, workspaceId).live(); // 2 of 3
      await subscribe(c, workspaceId).live(); // 3 of 3
      const refused = (await subscribe(c, workspaceId).failure()) as { extensions?: { code?: string } }[];
      assert.equal(refused[0]?.extensions?.code, 'RATE_LIMITED', JSON.stringify(refused));
      // The same bucket: HTTP is refused now too.
      assert.equal((await http()).status, 429);
    } finally {
      await Promise.all(own.map((c) => c.dispose()));
      await limited.close();
    }
  });
});
