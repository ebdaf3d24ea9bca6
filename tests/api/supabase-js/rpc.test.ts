// Functions through supabase-js .rpc(): POST with named arguments, GET ({ get: true }),
// HEAD with a count, scalar results, and set-returning functions filtered, ordered and
// paginated like tables. Errors for unknown functions and arguments are PostgREST's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, supabaseClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError } from './fixtures.ts';

let gw: TestGateway;
let alice: TestUser;

const GARDEN = [
  { title: 'Plan the garden party', priority: 2, position: 1 },
  { title: 'Garden: buy seeds', priority: 1, position: 2 },
  { title: 'Water the garden', priority: 1, position: 3 },
  { title: 'Fix the bicycle', priority: 1, position: 4 },
];

before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'rpc');
  const res = await alice.db.from('tasks').insert(GARDEN.map((t) => ({ workspace_id: alice.workspaceId, ...t })));
  assertOk(res, 201);
});
after(async () => {
  await gw.close();
  await closeServices();
});

describe('scalar functions', () => {
  test('POST /rpc returns the scalar value', async () => {
    const res = await alice.db.rpc('my_personal_workspace_id');
    assertOk(res);
    assert.equal(res.data, alice.workspaceId);
  });

  test('GET /rpc ({ get: true }) returns the same value', async () => {
    const res = await alice.db.rpc('my_personal_workspace_id', {}, { get: true });
    assertOk(res);
    assert.equal(res.data, alice.workspaceId);
  });

  test('HEAD /rpc ({ head: true }) answers without a body', async () => {
    const res = await alice.db.rpc('my_personal_workspace_id', {}, { head: true });
    assertOk(res);
    assert.equal(res.data, null);
  });

  test('a function the anon role may not execute is a 401 with 42501', async () => {
    const anon = supabaseClient(gw.url);
    const res = await anon.rpc('my_personal_workspace_id');
    const error = assertPgrstError(res, 401, '42501');
    assert.equal(error.message, 'permission denied for function my_personal_workspace_id');
  });
});

describe('set-returning functions (search_tasks)', () => {
  test('named arguments in the POST body; rows like a table', async () => {
    const res = await alice.db.rpc('search_tasks', { query: 'garden' }).select('title').order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { title: 'Plan the garden party' },
      { title: 'Garden: buy seeds' },
      { title: 'Water the garden' },
    ]);
  });

  test('the result can be filtered and ordered like a table', async () => {
    const res = await alice.db
      .rpc('search_tasks', { query: 'garden' })
      .select('title,priority')
      .eq('priority', 1)
      .order('title', { ascending: false });
    assertOk(res);
    assert.deepEqual(res.data, [
      { title: 'Water the garden', priority: 1 },
      { title: 'Garden: buy seeds', priority: 1 },
    ]);
  });

  test('limit, range and single apply to the function result', async () => {
    const limited = await alice.db.rpc('search_tasks', { query: 'garden' }).select('title').order('position').limit(1);
    assertOk(limited);
    assert.deepEqual(limited.data, [{ title: 'Plan the garden party' }]);

    const ranged = await alice.db
      .rpc('search_tasks', { query: 'garden' })
      .select('title')
      .order('position')
      .range(1, 2);
    assertOk(ranged);
    assert.deepEqual(ranged.data, [{ title: 'Garden: buy seeds' }, { title: 'Water the garden' }]);

    const one = await alice.db.rpc('search_tasks', { query: 'bicycle' }).select('title,priority').single();
    assertOk(one);
    assert.deepEqual(one.data, { title: 'Fix the bicycle', priority: 1 });
  });

  test('GET with the argument in the query string gives the same rows', async () => {
    const res = await alice.db
      .rpc('search_tasks', { query: 'garden' }, { get: true })
      .select('title')
      .in('priority', [2])
      .order('position');
    assertOk(res);
    assert.deepEqual(res.data, [{ title: 'Plan the garden party' }]);
  });

  test('GET arguments are raw values: spaces, minus signs, commas and parentheses pass through', async () => {
    const res = await alice.db
      .rpc('search_tasks', { query: 'garden -party (seeds), or water' }, { get: true })
      .select('title')
      .order('position');
    assertOk(res);
    assert.deepEqual(res.data, [{ title: 'Garden: buy seeds' }, { title: 'Water the garden' }]);
  });

  test('count and head: true count the function rows', async () => {
    const counted = await alice.db
      .rpc('search_tasks', { query: 'garden' }, { count: 'exact' })
      .select('title')
      .order('position')
      .limit(1);
    assertOk(counted, 206);
    assert.equal(counted.count, 3);
    assert.deepEqual(counted.data, [{ title: 'Plan the garden party' }]);

    const head = await alice.db.rpc('search_tasks', { query: 'garden' }, { head: true, count: 'exact' });
    assertOk(head);
    assert.equal(head.data, null);
    assert.equal(head.count, 3);
  });

  test('a set-returning function with no match returns []', async () => {
    const res = await alice.db.rpc('search_tasks', { query: 'zeppelin' });
    assertOk(res);
    assert.deepEqual(res.data, []);
  });

  test('the function result embeds along the foreign keys of its row type', async () => {
    const res = await alice.db.rpc('search_tasks', { query: 'bicycle' }).select('title,workspaces(id)').single();
    assertOk(res);
    assert.deepEqual(res.data, { title: 'Fix the bicycle', workspaces: { id: alice.workspaceId } });
  });
});

describe('a function returning one row (complete_task)', () => {
  async function newTask(fields: Record<string, unknown> = {}) {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'To complete', ...fields })
      .select('id')
      .single();
    assertOk(res, 201);
    return (res.data as { id: string }).id;
  }

  test('returns the row as one object, and the table shows the change', async () => {
    const id = await newTask();
    const res = await alice.db.rpc('complete_task', { task_id: id });
    assertOk(res);
    const row = res.data as { id: string; status: string; completed_at: string | null };
    assert.equal(row.id, id);
    assert.equal(row.status, 'completed');
    assert.ok(row.completed_at && !Number.isNaN(Date.parse(row.completed_at)));

    const again = await alice.db.rpc('complete_task', { task_id: id }).select('status,completed_at');
    assertOk(again);
    assert.deepEqual(again.data, { status: 'completed', completed_at: row.completed_at }, 'stamped once');

    const stored = await alice.db.from('tasks').select('status').eq('id', id).single();
    assertOk(stored);
    assert.deepEqual(stored.data, { status: 'completed' });
  });

  test("an unknown or trashed task is a 404 with the function's PT404", async () => {
    const unknown = await alice.db.rpc('complete_task', { task_id: '00000000-0000-4000-8000-000000000000' });
    const error = assertPgrstError(unknown, 404, 'PT404');
    assert.equal(error.message, 'Task not found');

    const trashed = await newTask({ deleted_at: '2026-11-01T00:00:00Z' });
    const res = await alice.db.rpc('complete_task', { task_id: trashed });
    assertPgrstError(res, 404, 'PT404');
    const stored = await alice.db.from('tasks').select('status').eq('id', trashed).single();
    assert.deepEqual(stored.data, { status: 'open' });
  });

  test('an argument of the wrong type is a 400 with 22P02', async () => {
    const res = await alice.db.rpc('complete_task', { task_id: 'not-a-uuid' });
    assertPgrstError(res, 400, '22P02');
  });

  test('GET runs the function read-only, so a volatile write is refused (25006, 405)', async () => {
    const id = await newTask();
    const res = await alice.db.rpc('complete_task', { task_id: id }, { get: true });
    assertPgrstError(res, 405, '25006');
    const stored = await alice.db.from('tasks').select('status').eq('id', id).single();
    assert.deepEqual(stored.data, { status: 'open' });
  });
});

describe('errors', () => {
  test('an unknown function is a 404 with PGRST202', async () => {
    const res = await alice.db.rpc('no_such_function', { a: 1 });
    const error = assertPgrstError(res, 404, 'PGRST202');
    assert.equal(error.message, 'Could not find the function public.no_such_function(a) in the schema cache');
  });

  test('an unknown argument name is a 404 with PGRST202', async () => {
    const res = await alice.db.rpc('search_tasks', { no_such_argument: 'garden' });
    assertPgrstError(res, 404, 'PGRST202');
  });
});
