// API keys at /graphql: the same scope as over REST, because both engines run as the
// caller's claims and RLS decides. A key sees its workspace only, a read key's mutations
// are refused, a write key writes only in its workspace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { asUser } from '../../lib/db/as-user.ts';
import { services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { signUp, uniqueEmail, useGateway } from '../support/gateway.ts';

process.env.API_KEY_CACHE_MS = '0';

const gw = useGateway();

type Reply = { status: number; data?: Record<string, unknown>; errors?: { message: string }[] };

async function gql(key: string, query: string, variables?: Record<string, unknown>): Promise<Reply> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as Omit<Reply, 'status'>;
  return { status: res.status, ...body };
}

/** Alice with her personal workspace and a team, one task in each, and keys for the team. */
async function setUp() {
  const email = uniqueEmail('gql-key');
  assert.equal((await signUp(gw.url, email)).status, 200);
  // Creating API keys needs a verified email (create_api_key, issue 6).
  await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
  const { rows } = await superuserQuery<{ id: string; personal: string; team: string }>(
    `with u as (select id from identity.users where email = $1),
          w as (insert into public.workspaces (name, created_by) select 'Team', id from u returning id),
          m as (insert into public.workspace_members (workspace_id, user_id, role)
                select w.id, u.id, 'member' from w, u)
     select u.id, p.id as personal, w.id as team
     from u, w, public.workspaces p where p.created_by = u.id and p.kind = 'personal'`,
    [email],
  );
  const alice = rows[0];
  assert.ok(alice);
  await superuserQuery(
    `insert into public.tasks (workspace_id, title) values ($1, 'personal task'), ($2, 'team task')`,
    [alice.personal, alice.team],
  );
  const key = (role: 'read' | 'write') =>
    asUser(services().apiPool, { claims: { sub: alice.id, role: 'authenticated' } }, async (c) => {
      const created = await c.query<{ key: string }>(`select key from public.create_api_key($1, 'gql', $2)`, [
        alice.team,
        role,
      ]);
      return created.rows[0]!.key;
    });
  return { ...alice, read: await key('read'), write: await key('write') };
}

const CREATE_TASK = `mutation ($task: TaskInput!) { createTask(input: { task: $task }) { task { title } } }`;

describe('API keys over /graphql', () => {
  test('a key sees only its workspace', async () => {
    const alice = await setUp();
    for (const key of [alice.read, alice.write]) {
      const reply = await gql(key, '{ tasks { nodes { title } } workspaces { nodes { id } } }');
      assert.equal(reply.errors, undefined, JSON.stringify(reply.errors));
      assert.deepEqual(reply.data, {
        tasks: { nodes: [{ title: 'team task' }] },
        workspaces: { nodes: [{ id: alice.team }] },
      });
    }
  });

  test('a read key cannot create; a write key creates only in its workspace', async () => {
    const alice = await setUp();
    const refused = await gql(alice.read, CREATE_TASK, { task: { workspaceId: alice.team, title: 'by read key' } });
    assert.ok(refused.errors?.length, 'the read key is refused');
    const created = await gql(alice.write, CREATE_TASK, { task: { workspaceId: alice.team, title: 'by write key' } });
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const foreign = await gql(alice.write, CREATE_TASK, {
      task: { workspaceId: alice.personal, title: 'into personal' },
    });
    assert.ok(foreign.errors?.length, 'the write key is refused outside its workspace');

    const { rows } = await superuserQuery<{ title: string }>(
      'select title from public.tasks where workspace_id = any($1::uuid[]) order by title',
      [[alice.personal, alice.team]],
    );
    assert.deepEqual(
      rows.map((r) => r.title),
      ['by write key', 'personal task', 'team task'],
    );
  });

  test('a revoked key is answered 401', async () => {
    const alice = await setUp();
    assert.equal((await gql(alice.read, '{ __typename }')).status, 200);
    await superuserQuery(`update public.api_keys set revoked_at = now() where workspace_id = $1`, [alice.team]);
    assert.equal((await gql(alice.read, '{ __typename }')).status, 401);
  });

  test(
    "a key's subscription sees its workspace only, and its socket closes once the key is revoked",
    { timeout: 20_000 },
    async () => {
      const alice = await setUp();
      const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const messages: { type: string; id?: string; payload?: unknown }[] = [];
      const arrived = new Set<() => void>();
      socket.on('message', (data) => {
        messages.push(JSON.parse(String(data)));
        for (const wake of arrived) wake();
      });
      const next = async (match: (m: { type: string; id?: string; payload?: unknown }) => boolean) => {
        for (;;) {
          const found = messages.findIndex(match);
          if (found >= 0) return messages.splice(found, 1)[0]!;
          await new Promise<void>((resolve) => arrived.add(resolve));
        }
      };
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${alice.read}` } }));
      await next((m) => m.type === 'connection_ack');
      const query = 'subscription ($ws: UUID!) { taskChanged(workspaceId: $ws) { op } }';
      socket.send(JSON.stringify({ id: 'own', type: 'subscribe', payload: { query, variables: { ws: alice.team } } }));
      socket.send(
        JSON.stringify({ id: 'foreign', type: 'subscribe', payload: { query, variables: { ws: alice.personal } } }),
      );
      // The personal workspace is outside the key: refused (an error, or a result with errors).
      const refused = await next((m) => m.id === 'foreign' && (m.type === 'error' || m.type === 'next'));
      assert.match(JSON.stringify(refused.payload), /NOT_FOUND|not found/i);
      await superuserQuery(`update public.api_keys set revoked_at = now() where workspace_id = $1`, [alice.team]);
      assert.equal(await closed, 4403, 'closed within the recheck interval (API_KEY_CACHE_MS=0: one second)');
    },
  );
});
