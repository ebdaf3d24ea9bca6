// API keys against the real REST engine (/rest/v1), raw HTTP and the official supabase-js
// client: a key's scope is its workspace, a read key writes nothing, keys cannot mint keys,
// and the key table is readable whole (nothing secret is in it).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClient } from '@supabase/supabase-js';
import { superuserQuery } from '../support/db.ts';
import { accessToken, signedUp, useGateway } from '../support/gateway.ts';

process.env.API_KEY_CACHE_MS = '0';

const gw = useGateway();

type User = { id: string; workspaceId: string; token: string };

async function newUser(prefix: string): Promise<User> {
  const { email, cookie } = await signedUp(gw.url, prefix);
  const token = await accessToken(gw.url, cookie);
  // Creating API keys needs a verified email (create_api_key, issue 6).
  await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
  const { rows } = await superuserQuery<{ id: string; workspace_id: string }>(
    `select u.id, w.id as workspace_id from identity.users u
       join public.workspaces w on w.created_by = u.id and w.kind = 'personal' where u.email = $1`,
    [email],
  );
  assert.ok(rows[0]);
  return { id: rows[0].id, workspaceId: rows[0].workspace_id, token };
}

function rest(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return fetch(`${gw.url}/rest/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

type NewKey = { id: string; key: string; prefix: string; role: string; workspace_id: string };

/** Creates a key over the API, as a program with the person's access token would. */
async function createKey(user: User, workspaceId: string, role: 'read' | 'write'): Promise<NewKey> {
  const res = await rest('/rpc/create_api_key', {
    method: 'POST',
    headers: bearer(user.token),
    body: { workspace_id: workspaceId, name: `${role} key`, role },
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as NewKey;
}

/** Alice belongs to her personal workspace and to a team; both hold one task. */
async function aliceWithTwoWorkspaces() {
  const alice = await newUser('rest-key');
  const { rows } = await superuserQuery<{ id: string }>(
    `with w as (insert into public.workspaces (name, created_by) values ('Team', $1) returning id),
          m as (insert into public.workspace_members (workspace_id, user_id, role) select id, $1, 'member' from w)
     select id from w`,
    [alice.id],
  );
  const team = rows[0]!.id;
  await superuserQuery(
    `insert into public.tasks (workspace_id, title) values ($1, 'personal task'), ($2, 'team task')`,
    [alice.workspaceId, team],
  );
  return { alice, team };
}

describe('API keys over /rest/v1', () => {
  test('create_api_key answers the plaintext key once; a key sees only its workspace', async () => {
    const { alice, team } = await aliceWithTwoWorkspaces();
    const created = await createKey(alice, team, 'read');
    assert.match(created.key, /^tm_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.workspace_id, team);

    const asPerson = await rest('/tasks?select=title&order=title', { headers: bearer(alice.token) });
    assert.deepEqual(await asPerson.json(), [{ title: 'personal task' }, { title: 'team task' }]);

    for (const headers of [bearer(created.key), { apikey: created.key }]) {
      const tasks = await rest('/tasks?select=title', { headers });
      assert.equal(tasks.status, 200);
      assert.deepEqual(await tasks.json(), [{ title: 'team task' }]);
      const workspaces = await rest('/workspaces?select=id', { headers });
      assert.deepEqual(await workspaces.json(), [{ id: team }]);
    }
  });

  test('the official client works with a key in place of the publishable key', async () => {
    const { alice, team } = await aliceWithTwoWorkspaces();
    const { key } = await createKey(alice, team, 'read');
    const db = createClient(gw.url, key, { auth: { persistSession: false, autoRefreshToken: false } });
    const { data, error } = await db.from('tasks').select('title');
    assert.equal(error, null);
    assert.deepEqual(data, [{ title: 'team task' }]);
  });

  test('a read key cannot insert, update or delete; a write key writes only in its workspace', async () => {
    const { alice, team } = await aliceWithTwoWorkspaces();
    const read = await createKey(alice, team, 'read');
    const write = await createKey(alice, team, 'write');

    const insert = await rest('/tasks', {
      method: 'POST',
      headers: { ...bearer(read.key), prefer: 'return=minimal' },
      body: { workspace_id: team, title: 'by a read key' },
    });
    assert.equal(insert.status, 403, await insert.clone().text());
    const update = await rest(`/tasks?workspace_id=eq.${team}`, {
      method: 'PATCH',
      headers: { ...bearer(read.key), prefer: 'return=representation' },
      body: { title: 'changed by a read key' },
    });
    assert.deepEqual(await update.json(), [], 'no row is updatable with a read key');
    const remove = await rest(`/tasks?workspace_id=eq.${team}`, {
      method: 'DELETE',
      headers: { ...bearer(read.key), prefer: 'return=representation' },
    });
    assert.deepEqual(await remove.json(), [], 'no row is deletable with a read key');

    const own = await rest('/tasks', {
      method: 'POST',
      headers: { ...bearer(write.key), prefer: 'return=representation' },
      body: { workspace_id: team, title: 'by a write key' },
    });
    assert.equal(own.status, 201, await own.clone().text());
    const foreign = await rest('/tasks', {
      method: 'POST',
      headers: { ...bearer(write.key), prefer: 'return=minimal' },
      body: { workspace_id: alice.workspaceId, title: 'into the personal workspace' },
    });
    assert.equal(foreign.status, 403, 'not even into another workspace of its creator');

    const { rows } = await superuserQuery<{ title: string }>(
      `select title from public.tasks where workspace_id = any($1::uuid[]) order by title`,
      [[team, alice.workspaceId]],
    );
    assert.deepEqual(
      rows.map((r) => r.title),
      ['by a write key', 'personal task', 'team task'],
    );
  });

  test('a key cannot create keys, and the key list holds nothing secret', async () => {
    const { alice, team } = await aliceWithTwoWorkspaces();
    const { id, key } = await createKey(alice, team, 'write');
    const minted = await rest('/rpc/create_api_key', {
      method: 'POST',
      headers: bearer(key),
      body: { workspace_id: team, name: 'child', role: 'read' },
    });
    assert.equal(minted.status, 403);
    assert.equal(((await minted.json()) as { message: string }).message, 'An API key cannot create API keys.');

    const listed = await rest('/api_keys?select=*', { headers: bearer(alice.token) });
    assert.equal(listed.status, 200);
    const rows = (await listed.json()) as Record<string, unknown>[];
    const row = rows.find((r) => r.id === id);
    assert.ok(row, 'select * on api_keys works');
    assert.ok(!JSON.stringify(rows).includes(key.slice(11)), 'no secret in the listing');
  });

  test('a revoked key is answered 401 on the next request', async () => {
    const { alice, team } = await aliceWithTwoWorkspaces();
    const { id, key } = await createKey(alice, team, 'read');
    assert.equal((await rest('/tasks?select=id', { headers: bearer(key) })).status, 200);
    const revoke = await rest(`/api_keys?id=eq.${id}`, {
      method: 'PATCH',
      headers: { ...bearer(alice.token), prefer: 'return=representation' },
      body: { revoked_at: 'now' },
    });
    assert.equal(revoke.status, 200, await revoke.clone().text());
    const res = await rest('/tasks?select=id', { headers: bearer(key) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { message: string }).message, 'The API key is invalid, expired or revoked');
  });
});
