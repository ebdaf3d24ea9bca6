// Writes through supabase-js: insert (single, bulk, `columns=` and missing=default),
// upsert (on_conflict with ignore- and merge-duplicates), update and delete with filters,
// representations via .select(), and PostgREST's answers when the database refuses:
// constraint violations keep their SQLSTATE in `code`, with PostgREST's HTTP status.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError, byKey, seedWorkspace, type Seed } from './fixtures.ts';

let gw: TestGateway;
let alice: TestUser;
let seed: Seed;

before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'writes');
  seed = await seedWorkspace(alice);
});
after(async () => {
  await gw.close();
  await closeServices();
});

async function taskCount(): Promise<number> {
  const res = await alice.db.from('tasks').select('*', { count: 'exact', head: true });
  assertOk(res);
  return res.count as number;
}

async function readTask(id: string) {
  const res = await alice.db.from('tasks').select('*').eq('id', id).maybeSingle();
  assertOk(res);
  return res.data as Record<string, unknown> | null;
}

describe('insert', () => {
  test('without .select() the answer is 201 with no body (return=minimal)', async () => {
    const id = randomUUID();
    const res = await alice.db.from('tasks').insert({ workspace_id: alice.workspaceId, id, title: 'Minimal' });
    assertOk(res, 201);
    assert.equal(res.data, null);
    const row = await readTask(id);
    assert.equal(row?.title, 'Minimal');
  });

  test('with .select() the inserted row comes back with its defaults filled in', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'With defaults' })
      .select();
    assertOk(res, 201);
    assert.equal(res.data?.length, 1);
    const row = res.data![0] as Record<string, unknown>;
    assert.match(row.id as string, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      {
        workspace_id: row.workspace_id,
        title: row.title,
        notes: row.notes,
        status: row.status,
        priority: row.priority,
        completed_at: row.completed_at,
        created_by: row.created_by,
      },
      {
        workspace_id: alice.workspaceId,
        title: 'With defaults',
        notes: '',
        status: 'open',
        priority: 4,
        completed_at: null,
        created_by: alice.userId,
      },
    );
  });

  test('.select(columns).single() shapes the representation, embeds included', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'In Home', project_id: seed.projects.home, priority: 2 })
      .select('title,priority,project:projects(name)')
      .single();
    assertOk(res, 201);
    assert.deepEqual(res.data, { title: 'In Home', priority: 2, project: { name: 'Home' } });
  });

  test('triggers run: inserting a completed task stamps completed_at', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'Done already', status: 'completed' })
      .select('status,completed_at')
      .single();
    assertOk(res, 201);
    const row = res.data as { status: string; completed_at: string };
    assert.equal(row.status, 'completed');
    assert.ok(!Number.isNaN(Date.parse(row.completed_at)), `completed_at ${row.completed_at}`);
  });

  test('bulk insert returns every row, and count counts them', async () => {
    const rows = ['Bulk one', 'Bulk two', 'Bulk three'].map((title, i) => ({
      workspace_id: alice.workspaceId,
      title,
      priority: i + 1,
    }));
    const res = await alice.db.from('tasks').insert(rows, { count: 'exact' }).select('title,priority');
    assertOk(res, 201);
    assert.equal(res.count, 3);
    assert.deepEqual([...(res.data as { title: string }[])].sort(byKey('title')), [
      { title: 'Bulk one', priority: 1 },
      { title: 'Bulk three', priority: 3 },
      { title: 'Bulk two', priority: 2 },
    ]);
  });

  test('bulk insert with differing keys: a missing key is null (columns=), or the default with defaultToNull: false', async () => {
    const before = await taskCount();
    const nulls = await alice.db.from('tasks').insert([
      { workspace_id: alice.workspaceId, title: 'Has notes', notes: 'some' },
      { workspace_id: alice.workspaceId, title: 'Lacks notes' },
    ]);
    const error = assertPgrstError(nulls, 400, '23502');
    assert.match(error.message, /notes/);
    assert.equal(await taskCount(), before, 'the failed bulk insert wrote nothing');

    const defaults = await alice.db
      .from('tasks')
      .insert(
        [
          { workspace_id: alice.workspaceId, title: 'Has notes', notes: 'some' },
          { workspace_id: alice.workspaceId, title: 'Lacks notes' },
        ],
        { defaultToNull: false },
      )
      .select('title,notes');
    assertOk(defaults, 201);
    assert.deepEqual([...(defaults.data as { title: string }[])].sort(byKey('title')), [
      { title: 'Has notes', notes: 'some' },
      { title: 'Lacks notes', notes: '' },
    ]);
  });

  test('a key that is not a column is a 400 with PGRST204', async () => {
    const res = await alice.db.from('tasks').insert({ workspace_id: alice.workspaceId, title: 'x', nope: 1 });
    const error = assertPgrstError(res, 400, 'PGRST204');
    assert.equal(error.message, "Could not find the 'nope' column of 'tasks' in the schema cache");
  });

  test('a column the role may not write (created_by) is refused with 42501', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'Forged author', created_by: randomUUID() });
    const error = assertPgrstError(res, 403, '42501');
    assert.equal(error.message, 'permission denied for table tasks');
  });
});

describe('edge payloads', () => {
  test('an empty array inserts nothing and answers []', async () => {
    const before = await taskCount();
    const res = await alice.db.from('tasks').insert([]).select();
    assertOk(res, 201);
    assert.deepEqual(res.data, []);
    assert.equal(await taskCount(), before);
  });

  test('an empty object inserts a row of defaults; without a workspace RLS refuses it (42501) before NOT NULL', async () => {
    const before = await taskCount();
    const res = await alice.db.from('tasks').insert({}).select();
    const error = assertPgrstError(res, 403, '42501');
    assert.equal(error.message, 'new row violates row-level security policy for table "tasks"');
    assert.equal(await taskCount(), before);
  });

  test('an update with an empty object changes nothing and answers []', async () => {
    const res = await alice.db.from('tasks').update({}).eq('id', seed.tasks.report).select('id');
    assertOk(res);
    assert.deepEqual(res.data, []);
  });

  test('dates, times and zones round-trip, and the generated due_at follows them', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({
        workspace_id: alice.workspaceId,
        title: 'Dentist',
        due_date: '2026-12-24',
        due_time: '09:30',
        due_tz: 'Europe/Berlin',
      })
      .select('due_date,due_time,due_tz,due_at')
      .single();
    assertOk(res, 201);
    const row = res.data as { due_date: string; due_time: string; due_tz: string; due_at: string };
    assert.deepEqual(
      { due_date: row.due_date, due_time: row.due_time, due_tz: row.due_tz },
      { due_date: '2026-12-24', due_time: '09:30:00', due_tz: 'Europe/Berlin' },
    );
    assert.equal(new Date(row.due_at).toISOString(), '2026-12-24T08:30:00.000Z');
  });

  test('an impossible date is a 400 (22008), not a 500', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'x', due_date: '2026-02-30' });
    assertPgrstError(res, 400, '22008');
  });
});

describe('single() on writes', () => {
  test('an update matching several rows with single() is a 406 and is rolled back', async () => {
    const before = await alice.db.from('tasks').select('id,priority').order('id');
    assertOk(before);
    const res = await alice.db
      .from('tasks')
      .update({ notes: 'bulk-edited' })
      .in('id', [seed.tasks.report, seed.tasks.plumber])
      .select('id')
      .single();
    const error = assertPgrstError(res, 406, 'PGRST116');
    assert.equal(error.details, 'The result contains 2 rows');
    const edited = await alice.db.from('tasks').select('id').eq('notes', 'bulk-edited');
    assertOk(edited);
    assert.deepEqual(edited.data, []);
  });

  test('a bulk insert with single() is a 406 and inserts nothing', async () => {
    const before = await taskCount();
    const res = await alice.db
      .from('tasks')
      .insert([
        { workspace_id: alice.workspaceId, title: 'Pair one' },
        { workspace_id: alice.workspaceId, title: 'Pair two' },
      ])
      .select()
      .single();
    assertPgrstError(res, 406, 'PGRST116');
    assert.equal(await taskCount(), before);
  });

  test('a delete matching nothing with single() is a 406', async () => {
    const res = await alice.db.from('tasks').delete().eq('title', 'no such task').select().single();
    const error = assertPgrstError(res, 406, 'PGRST116');
    assert.equal(error.details, 'The result contains 0 rows');
  });
});

describe('throwOnError', () => {
  test('throwOnError() rejects with a PostgrestError carrying the code', async () => {
    await assert.rejects(
      async () => {
        await alice.db.from('labels').insert({ workspace_id: alice.workspaceId, name: 'Urgent' }).throwOnError();
      },
      (error: Error & { code?: string }) => error.name === 'PostgrestError' && error.code === '23505',
    );
  });
});

describe('large requests', () => {
  test('1,200 rows go in as one bulk insert; a read is capped at max-rows (1000) while the count tells the truth', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      workspace_id: alice.workspaceId,
      title: `Batch ${i}`,
      position: 1000 + i,
    }));
    const inserted = await alice.db.from('tasks').insert(rows, { count: 'exact' });
    assertOk(inserted, 201);
    assert.equal(inserted.count, 1200);
    try {
      const read = await alice.db.from('tasks').select('title', { count: 'exact' }).like('title', 'Batch %');
      assertOk(read, 206);
      assert.equal(read.data?.length, 1000);
      assert.equal(read.count, 1200);

      const page = await alice.db
        .from('tasks')
        .select('title')
        .like('title', 'Batch %')
        .order('position')
        .range(1100, 1199);
      assertOk(page);
      assert.equal(page.data?.length, 100);
      assert.deepEqual(page.data?.[0], { title: 'Batch 1100' });
    } finally {
      const removed = await alice.db.from('tasks').delete({ count: 'exact' }).like('title', 'Batch %');
      assert.equal(removed.count, 1200);
    }
  });

  test('a query string over the URL limit is a clear 414 (PGRST414), not a 500', async () => {
    // Not PostgREST (it has no limit of its own): issue 3 asks the gateway for one, and
    // supabase-js itself warns past 8,000 characters (its urlLengthLimit).
    const ids = Array.from({ length: 300 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const res = await alice.db.from('tasks').select('id').in('id', ids);
    const error = assertPgrstError(res, 414, 'PGRST414');
    assert.match(error.message, /URL/);
  });
});

describe('constraint violations', () => {
  test('a unique violation is a 409 with 23505 and a readable message', async () => {
    const res = await alice.db.from('labels').insert({ workspace_id: alice.workspaceId, name: 'URGENT' });
    const error = assertPgrstError(res, 409, '23505');
    assert.match(error.message, /label/i);
  });

  test('a check violation is a 400 with 23514 naming the field', async () => {
    const res = await alice.db.from('tasks').insert({ workspace_id: alice.workspaceId, title: '   ' });
    const error = assertPgrstError(res, 400, '23514');
    assert.match(error.message, /title/i);
  });

  test('a foreign key violation is a 409 with 23503', async () => {
    const res = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'Orphan', project_id: randomUUID() });
    const error = assertPgrstError(res, 409, '23503');
    assert.match(error.message, /tasks_workspace_id_project_id_fkey/);
  });

  test('a missing required value is a 400 with 23502', async () => {
    const res = await alice.db.from('tasks').insert({ workspace_id: alice.workspaceId, title: null });
    const error = assertPgrstError(res, 400, '23502');
    assert.equal(error.message, 'null value in column "title" of relation "tasks" violates not-null constraint');
  });

  test('a check violation on update is a 400 with 23514 and changes nothing', async () => {
    const res = await alice.db.from('tasks').update({ priority: 9 }).eq('id', seed.tasks.rent).select();
    const error = assertPgrstError(res, 400, '23514');
    assert.match(error.message, /priority/i);
    assert.equal((await readTask(seed.tasks.rent))?.priority, 2);
  });
});

describe('upsert', () => {
  test('ignoreDuplicates inserts the new rows and skips the existing ones', async () => {
    const res = await alice.db
      .from('task_labels')
      .upsert(
        [
          { workspace_id: alice.workspaceId, task_id: seed.tasks.milk, label_id: seed.labels.urgent },
          { workspace_id: alice.workspaceId, task_id: seed.tasks.plumber, label_id: seed.labels.urgent },
        ],
        { onConflict: 'workspace_id,task_id,label_id', ignoreDuplicates: true },
      )
      .select('task_id,label_id');
    assertOk(res, 201);
    assert.deepEqual(res.data, [{ task_id: seed.tasks.plumber, label_id: seed.labels.urgent }]);

    const links = await alice.db
      .from('task_labels')
      .select('task_id', { count: 'exact', head: true })
      .eq('label_id', seed.labels.urgent);
    assertOk(links);
    assert.equal(links.count, 3);
  });

  test('ignoreDuplicates on a primary key leaves the existing row as it was', async () => {
    const res = await alice.db
      .from('tasks')
      .upsert(
        { workspace_id: alice.workspaceId, id: seed.tasks.milk, title: 'Overwritten?' },
        { onConflict: 'workspace_id,id', ignoreDuplicates: true },
      )
      .select('id');
    assertOk(res, 201);
    assert.deepEqual(res.data, []);
    assert.equal((await readTask(seed.tasks.milk))?.title, 'Buy milk');
  });

  test('merge-duplicates updates the existing row (keys are matched, not rewritten) and inserts new ones', async () => {
    // A deliberate deviation (gateway/src/rest/README.md): PostgREST puts the conflict keys
    // in DO UPDATE SET too, which the column grants (workspace_id, id not updatable) refuse.
    const fresh = randomUUID();
    const res = await alice.db
      .from('tasks')
      .upsert(
        [
          { workspace_id: alice.workspaceId, id: seed.tasks.milk, title: 'Buy oat milk' },
          { workspace_id: alice.workspaceId, id: fresh, title: 'Upserted new task' },
        ],
        { onConflict: 'workspace_id,id' },
      )
      .select('title');
    assertOk(res, 201);
    assert.deepEqual(res.data?.map((r) => r.title).sort(), ['Buy oat milk', 'Upserted new task']);
    assert.equal((await readTask(seed.tasks.milk))?.title, 'Buy oat milk');
    assertOk(await alice.db.from('tasks').update({ title: 'Buy milk' }).eq('id', seed.tasks.milk), 204);
    assertOk(await alice.db.from('tasks').delete().eq('id', fresh), 204);
  });

  test('an on_conflict naming no unique constraint is a 400 with 42P10', async () => {
    const res = await alice.db
      .from('tasks')
      .upsert({ workspace_id: alice.workspaceId, title: 'x' }, { onConflict: 'title', ignoreDuplicates: true });
    assertPgrstError(res, 400, '42P10');
  });
});

describe('update', () => {
  test('update with filters and .select() returns the changed rows', async () => {
    const res = await alice.db
      .from('tasks')
      .update({ notes: 'semi-skimmed', priority: 2 })
      .eq('id', seed.tasks.milk)
      .select('id,notes,priority');
    assertOk(res);
    assert.deepEqual(res.data, [{ id: seed.tasks.milk, notes: 'semi-skimmed', priority: 2 }]);
  });

  test('the representation of an update or a delete embeds related rows', async () => {
    const updated = await alice.db
      .from('tasks')
      .update({ notes: 'numbers for the board meeting, v2' })
      .eq('id', seed.tasks.report)
      .select('title,projects(name),labels(name)');
    assertOk(updated);
    assert.deepEqual(updated.data, [{ title: 'Write quarterly report', projects: { name: 'Work' }, labels: [] }]);

    const link = { workspace_id: alice.workspaceId, task_id: seed.tasks.report, label_id: seed.labels.someday };
    assertOk(await alice.db.from('task_labels').insert(link), 201);
    const deleted = await alice.db.from('task_labels').delete().match(link).select('labels(name),tasks(title)');
    assertOk(deleted);
    assert.deepEqual(deleted.data, [{ labels: { name: 'someday' }, tasks: { title: 'Write quarterly report' } }]);
  });

  test('update without .select() is 204 and still applies', async () => {
    const res = await alice.db.from('tasks').update({ recurrence: 'FREQ=MONTHLY' }).eq('id', seed.tasks.rent);
    assertOk(res, 204);
    assert.equal(res.data, null);
    assert.equal((await readTask(seed.tasks.rent))?.recurrence, 'FREQ=MONTHLY');
  });

  test('update touches every row the filters match and no other', async () => {
    const res = await alice.db
      .from('projects')
      .update({ color: '#00ff00' })
      .in('id', [seed.projects.home, seed.projects.work])
      .select('name,color');
    assertOk(res);
    assert.deepEqual([...(res.data as { name: string }[])].sort(byKey('name')), [
      { name: 'Home', color: '#00ff00' },
      { name: 'Work', color: '#00ff00' },
    ]);
    const empty = await alice.db.from('projects').select('color').eq('id', seed.projects.empty).single();
    assertOk(empty);
    assert.deepEqual(empty.data, { color: 'slate' });
  });

  test('completing a task through update runs the trigger', async () => {
    const res = await alice.db
      .from('tasks')
      .update({ status: 'completed' })
      .eq('id', seed.tasks.plumber)
      .select('status,completed_at')
      .single();
    assertOk(res);
    const row = res.data as { status: string; completed_at: string | null };
    assert.equal(row.status, 'completed');
    assert.ok(row.completed_at);
  });

  test('update matching nothing returns [] with 200', async () => {
    const res = await alice.db.from('tasks').update({ priority: 1 }).eq('id', randomUUID()).select();
    assertOk(res);
    assert.deepEqual(res.data, []);
  });

  test('a column the role may not update (workspace_id) is refused with 42501', async () => {
    const res = await alice.db.from('tasks').update({ workspace_id: randomUUID() }).eq('id', seed.tasks.rent);
    assertPgrstError(res, 403, '42501');
  });

  test('an update without filters is refused and changes nothing', async () => {
    const before = await alice.db.from('tasks').select('id,priority').order('id');
    assertOk(before);
    const res = await alice.db.from('tasks').update({ priority: 3 });
    // Supabase runs PostgREST with pg-safeupdate: "UPDATE requires a WHERE clause" (21000).
    const error = assertPgrstError(res, 400, '21000');
    assert.match(error.message, /WHERE/);
    const after = await alice.db.from('tasks').select('id,priority').order('id');
    assert.deepEqual(after.data, before.data);
  });
});

describe('delete', () => {
  test('delete with filters and .select() returns the deleted rows', async () => {
    const created = await alice.db
      .from('tasks')
      .insert({ workspace_id: alice.workspaceId, title: 'Short-lived' })
      .select('id')
      .single();
    assertOk(created, 201);
    const id = (created.data as { id: string }).id;
    const res = await alice.db.from('tasks').delete().eq('id', id).select('id,title');
    assertOk(res);
    assert.deepEqual(res.data, [{ id, title: 'Short-lived' }]);
    assert.equal(await readTask(id), null);
  });

  test('delete without .select() is 204; cascades remove the join rows', async () => {
    const link = await alice.db
      .from('task_labels')
      .select('label_id', { count: 'exact', head: true })
      .eq('label_id', seed.labels.errand);
    assertOk(link);
    assert.ok((link.count as number) > 0);
    const res = await alice.db.from('labels').delete().eq('id', seed.labels.errand);
    assertOk(res, 204);
    assert.equal(res.data, null);
    const gone = await alice.db
      .from('task_labels')
      .select('label_id', { count: 'exact', head: true })
      .eq('label_id', seed.labels.errand);
    assertOk(gone);
    assert.equal(gone.count, 0);
  });

  test('delete with count reports how many rows went', async () => {
    const created = await alice.db
      .from('tasks')
      .insert([1, 2, 3].map((n) => ({ workspace_id: alice.workspaceId, title: `Disposable ${n}` })))
      .select('id');
    assertOk(created, 201);
    const res = await alice.db.from('tasks').delete({ count: 'exact' }).like('title', 'Disposable %');
    assert.equal(res.error, null, JSON.stringify(res.error));
    assert.equal(res.count, 3);
  });

  test('a delete without filters is refused and deletes nothing', async () => {
    const before = await taskCount();
    const res = await alice.db.from('tasks').delete();
    const error = assertPgrstError(res, 400, '21000');
    assert.match(error.message, /WHERE/);
    assert.equal(await taskCount(), before);
  });
});
