// Tenancy through the client: RLS decides, and supabase-js sees what PostgREST would show.
// Bob (another workspace) cannot read, embed, count, update or delete Alice's rows (he
// gets empty results, not errors, as RLS hides them), cannot insert into her workspace
// (42501, 403) and anon (publishable key only) has no grants at all (42501, 401).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { superuserQuery } from '../../support/db.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, supabaseClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError, seedWorkspace, type Seed } from './fixtures.ts';

let gw: TestGateway;
let alice: TestUser;
let bob: TestUser;
let seed: Seed;
let bobTask: string;

before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'tenant-a');
  bob = await signUpClient(gw.url, 'tenant-b');
  seed = await seedWorkspace(alice);
  bobTask = randomUUID();
  const res = await bob.db.from('tasks').insert({ workspace_id: bob.workspaceId, id: bobTask, title: "Bob's task" });
  assertOk(res, 201);
});
after(async () => {
  await gw.close();
  await closeServices();
});

async function aliceTask(id: string) {
  const res = await alice.db.from('tasks').select('title,priority').eq('id', id).single();
  assertOk(res);
  return res.data as { title: string; priority: number };
}

describe('reading', () => {
  test('each user sees only their own workspace', async () => {
    const a = await alice.db.from('workspaces').select('id,kind');
    const b = await bob.db.from('workspaces').select('id,kind');
    assertOk(a);
    assertOk(b);
    assert.deepEqual(a.data, [{ id: alice.workspaceId, kind: 'personal' }]);
    assert.deepEqual(b.data, [{ id: bob.workspaceId, kind: 'personal' }]);
    assert.notEqual(alice.workspaceId, bob.workspaceId);
  });

  test("Bob's lists hold only his rows; Alice's rows are invisible even by id", async () => {
    const tasks = await bob.db.from('tasks').select('id,title');
    assertOk(tasks);
    assert.deepEqual(tasks.data, [{ id: bobTask, title: "Bob's task" }]);

    const byId = await bob.db.from('tasks').select('id').eq('id', seed.tasks.milk);
    assertOk(byId);
    assert.deepEqual(byId.data, []);

    const byWorkspace = await bob.db.from('projects').select('id').eq('workspace_id', alice.workspaceId);
    assertOk(byWorkspace);
    assert.deepEqual(byWorkspace.data, []);

    for (const table of ['projects', 'labels', 'task_labels'] as const) {
      const res = await bob.db.from(table).select('*');
      assertOk(res);
      assert.deepEqual(res.data, [], `${table} is empty for Bob`);
    }
  });

  test("counts do not reveal Alice's rows", async () => {
    const res = await bob.db.from('tasks').select('*', { count: 'exact', head: true });
    assertOk(res);
    assert.equal(res.count, 1);
    const filtered = await bob.db
      .from('tasks')
      .select('*', { count: 'exact', head: true })
      .eq('workspace_id', alice.workspaceId);
    assertOk(filtered);
    assert.equal(filtered.count, 0);
  });

  test("single() on Alice's row is a 406 (0 rows), as if it did not exist", async () => {
    const res = await bob.db.from('tasks').select('id').eq('id', seed.tasks.milk).single();
    assertPgrstError(res, 406, 'PGRST116');
  });

  test("embedding never reaches into Alice's workspace", async () => {
    const res = await bob.db.from('workspaces').select('id,projects(name),tasks(title),labels(name)');
    assertOk(res);
    assert.deepEqual(res.data, [{ id: bob.workspaceId, projects: [], tasks: [{ title: "Bob's task" }], labels: [] }]);

    const inner = await bob.db.from('tasks').select('title,labels!inner(name)').eq('labels.name', 'urgent');
    assertOk(inner);
    assert.deepEqual(inner.data, []);
  });

  test("RPC results are RLS-filtered: Bob's search does not find Alice's tasks", async () => {
    const res = await bob.db.rpc('search_tasks', { query: 'milk' });
    assertOk(res);
    assert.deepEqual(res.data, []);
    const own = await bob.db.rpc('my_personal_workspace_id');
    assertOk(own);
    assert.equal(own.data, bob.workspaceId);
  });
});

describe('concurrency', () => {
  test('interleaved parallel requests from Alice, Bob and anon each see only their own rows', async () => {
    const anon = supabaseClient(gw.url);
    const rounds = Array.from({ length: 15 }, (_, i) => i);
    const results = await Promise.all(
      rounds.flatMap((i) => [
        alice.db
          .from('tasks')
          .select('id', { count: 'exact' })
          .limit(i % 5)
          .then((r) => ({ who: 'alice', r })),
        bob.db
          .from('tasks')
          .select('id,title')
          .then((r) => ({ who: 'bob', r })),
        anon
          .from('tasks')
          .select('id')
          .then((r) => ({ who: 'anon', r })),
        (i % 2 ? alice.db : bob.db)
          .rpc('my_personal_workspace_id')
          .then((r) => ({ who: i % 2 ? 'alice-ws' : 'bob-ws', r })),
      ]),
    );
    for (const { who, r } of results) {
      if (who === 'alice') {
        assert.equal(r.error, null, JSON.stringify(r.error));
        assert.equal(r.count, 5);
      } else if (who === 'bob') {
        assert.deepEqual(r.data, [{ id: bobTask, title: "Bob's task" }]);
      } else if (who === 'anon') {
        assert.equal(r.status, 401);
        assert.equal(r.error?.code, '42501');
      } else {
        assert.equal(r.data, who === 'alice-ws' ? alice.workspaceId : bob.workspaceId);
      }
    }
  });
});

describe('writing', () => {
  test("Bob's update of Alice's task matches nothing and changes nothing", async () => {
    const res = await bob.db
      .from('tasks')
      .update({ title: 'Hijacked', priority: 4 })
      .eq('id', seed.tasks.milk)
      .select();
    assertOk(res);
    assert.deepEqual(res.data, []);
    assert.deepEqual(await aliceTask(seed.tasks.milk), { title: 'Buy milk', priority: 1 });

    const broad = await bob.db.from('tasks').update({ priority: 3 }).neq('id', bobTask).select('id');
    assertOk(broad);
    assert.deepEqual(broad.data, []);
  });

  test("Bob's delete of Alice's rows deletes nothing", async () => {
    const res = await bob.db.from('tasks').delete().eq('workspace_id', alice.workspaceId).select('id');
    assertOk(res);
    assert.deepEqual(res.data, []);
    const label = await bob.db.from('labels').delete().eq('id', seed.labels.urgent).select('id');
    assertOk(label);
    assert.deepEqual(label.data, []);

    const still = await alice.db.from('tasks').select('*', { count: 'exact', head: true });
    assertOk(still);
    assert.equal(still.count, 5);
    const labels = await alice.db.from('labels').select('id').eq('id', seed.labels.urgent);
    assert.deepEqual(labels.data, [{ id: seed.labels.urgent }]);
  });

  test("inserting with Alice's workspace_id is an RLS violation (42501, 403)", async () => {
    const res = await bob.db.from('tasks').insert({ workspace_id: alice.workspaceId, title: 'Planted' }).select();
    const error = assertPgrstError(res, 403, '42501');
    assert.equal(error.message, 'new row violates row-level security policy for table "tasks"');

    const planted = await alice.db.from('tasks').select('id').eq('title', 'Planted');
    assertOk(planted);
    assert.deepEqual(planted.data, []);
  });

  test("linking a label to Alice's task is refused the same way, also as an upsert", async () => {
    const res = await bob.db
      .from('task_labels')
      .insert({ workspace_id: alice.workspaceId, task_id: seed.tasks.milk, label_id: seed.labels.someday });
    assertPgrstError(res, 403, '42501');

    const upsert = await bob.db
      .from('task_labels')
      .upsert(
        { workspace_id: alice.workspaceId, task_id: seed.tasks.milk, label_id: seed.labels.urgent },
        { onConflict: 'workspace_id,task_id,label_id', ignoreDuplicates: true },
      );
    assertPgrstError(upsert, 403, '42501');
  });

  test("completing Alice's task through the RPC is a 404 and changes nothing", async () => {
    const res = await bob.db.rpc('complete_task', { task_id: seed.tasks.rent });
    assertPgrstError(res, 404, 'PT404');
    const stored = await alice.db.from('tasks').select('status').eq('id', seed.tasks.rent).single();
    assertOk(stored);
    assert.deepEqual(stored.data, { status: 'open' });
  });

  test("Bob's own join row cannot point at Alice's task: the composite foreign key has no target (23503)", async () => {
    const label = await bob.db
      .from('labels')
      .insert({ workspace_id: bob.workspaceId, name: 'bobs' })
      .select('id')
      .single();
    assertOk(label, 201);
    const res = await bob.db.from('task_labels').insert({
      workspace_id: bob.workspaceId,
      task_id: seed.tasks.milk,
      label_id: (label.data as { id: string }).id,
    });
    assertPgrstError(res, 409, '23503');
  });

  test("a bulk insert with one foreign row is refused whole: Bob's own row is not written either", async () => {
    const res = await bob.db.from('tasks').insert([
      { workspace_id: bob.workspaceId, title: 'Mine' },
      { workspace_id: alice.workspaceId, title: 'Theirs' },
    ]);
    assertPgrstError(res, 403, '42501');
    const mine = await bob.db.from('tasks').select('id').eq('title', 'Mine');
    assertOk(mine);
    assert.deepEqual(mine.data, []);
  });

  test("a foreign key into Alice's workspace cannot be built from Bob's", async () => {
    // The composite key (workspace_id, project_id) means Bob's task cannot point at
    // Alice's project: the project does not exist in Bob's workspace.
    const res = await bob.db
      .from('tasks')
      .insert({ workspace_id: bob.workspaceId, title: 'Borrowed project', project_id: seed.projects.home });
    assertPgrstError(res, 409, '23503');
  });
});

describe("a guest of Alice's workspace (membership set up directly, as no invite API exists yet)", () => {
  let carol: TestUser;
  before(async () => {
    carol = await signUpClient(gw.url, 'tenant-c');
    await superuserQuery(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'guest')`,
      [alice.workspaceId, carol.userId],
    );
  });

  test("reads Alice's workspace next to their own, embeds included", async () => {
    const workspaces = await carol.db.from('workspaces').select('id').order('id');
    assertOk(workspaces);
    assert.deepEqual(
      (workspaces.data as { id: string }[]).map((w) => w.id),
      [alice.workspaceId, carol.workspaceId].sort(),
    );
    const projects = await carol.db
      .from('projects')
      .select('name,tasks(title)')
      .eq('id', seed.projects.home)
      .order('position', { referencedTable: 'tasks' });
    assertOk(projects);
    assert.deepEqual(projects.data, [{ name: 'Home', tasks: [{ title: 'Buy milk' }, { title: 'Pay rent' }] }]);
  });

  test('cannot write: insert is an RLS violation, update and delete match nothing, the RPC is a 404', async () => {
    const insert = await carol.db.from('tasks').insert({ workspace_id: alice.workspaceId, title: 'Guest wrote this' });
    assertPgrstError(insert, 403, '42501');

    const update = await carol.db.from('tasks').update({ priority: 4 }).eq('id', seed.tasks.milk).select('id');
    assertOk(update);
    assert.deepEqual(update.data, []);

    const del = await carol.db.from('tasks').delete().eq('id', seed.tasks.milk).select('id');
    assertOk(del);
    assert.deepEqual(del.data, []);

    assertPgrstError(await carol.db.rpc('complete_task', { task_id: seed.tasks.milk }), 404, 'PT404');
    assert.deepEqual(await aliceTask(seed.tasks.milk), { title: 'Buy milk', priority: 1 });
  });

  test('once promoted to member, the same client may write (RLS reads the membership per request)', async () => {
    await superuserQuery(
      `update public.workspace_members set role = 'member' where workspace_id = $1 and user_id = $2`,
      [alice.workspaceId, carol.userId],
    );
    try {
      const res = await carol.db
        .from('tasks')
        .update({ notes: 'edited by Carol' })
        .eq('id', seed.tasks.plumber)
        .select('notes');
      assertOk(res);
      assert.deepEqual(res.data, [{ notes: 'edited by Carol' }]);
    } finally {
      await superuserQuery(
        `update public.workspace_members set role = 'guest' where workspace_id = $1 and user_id = $2`,
        [alice.workspaceId, carol.userId],
      );
    }
  });
});

describe('anon (publishable key, no user)', () => {
  test('reading tasks is a permission error (42501, 401)', async () => {
    const anon = supabaseClient(gw.url);
    const res = await anon.from('tasks').select('*');
    const error = assertPgrstError(res, 401, '42501');
    assert.equal(error.message, 'permission denied for table tasks');
  });

  test('every tenant table refuses anon, for reads and writes', async () => {
    const anon = supabaseClient(gw.url);
    for (const table of ['workspaces', 'projects', 'labels', 'task_labels', 'workspace_members']) {
      const res = await anon.from(table).select('*');
      assertPgrstError(res, 401, '42501');
    }
    const insert = await anon.from('tasks').insert({ workspace_id: alice.workspaceId, title: 'Anonymous' });
    assertPgrstError(insert, 401, '42501');
    const del = await anon.from('tasks').delete().eq('id', seed.tasks.milk);
    assertPgrstError(del, 401, '42501');
    assert.deepEqual(await aliceTask(seed.tasks.milk), { title: 'Buy milk', priority: 1 });
  });

  test('an invalid access token is a 401 with PGRST301, not anon', async () => {
    const forged = supabaseClient(gw.url, `${alice.token.slice(0, -4)}AAAA`);
    const res = await forged.from('tasks').select('id');
    assertPgrstError(res, 401, 'PGRST301');
  });
});
