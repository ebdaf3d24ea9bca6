// Reads through the official supabase-js client, unchanged, against /rest/v1: vertical
// filtering (columns, aliases, casts), resource embedding along foreign keys (to-one,
// to-many, many-to-many through task_labels, !inner, FK-name hints, embedded filters,
// order and limit), schema profiles, and PostgREST's errors for what does not exist.
// Expected values are what PostgREST itself answers for the same request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, supabaseClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError, byKey, seedTasks, seedWorkspace, type Seed } from './fixtures.ts';

let gw: TestGateway;
let alice: TestUser;
let seed: Seed;

before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'select');
  seed = await seedWorkspace(alice);
});
after(async () => {
  await gw.close();
  await closeServices();
});

const TASK_COLUMNS = [
  'completed_at',
  'created_at',
  'created_by',
  'deleted_at',
  'due_at',
  'due_date',
  'due_time',
  'due_tz',
  'id',
  'notes',
  'position',
  'priority',
  'project_id',
  'recurrence',
  'recurrence_parent_id',
  'status',
  'title',
  'updated_at',
  'workspace_id',
];

describe('columns', () => {
  test('select lists exactly the requested columns, rows in the requested order', async () => {
    const res = await alice.db.from('tasks').select('id,title').order('position');
    assertOk(res);
    assert.deepEqual(
      res.data,
      seedTasks(seed).map(({ id, title }) => ({ id, title })),
    );
  });

  test('whitespace in the select list is ignored, as the client strips it', async () => {
    const res = await alice.db.from('tasks').select(' id ,  title ').eq('id', seed.tasks.milk);
    assertOk(res);
    assert.deepEqual(res.data, [{ id: seed.tasks.milk, title: 'Buy milk' }]);
  });

  test('select * returns every column with its JSON representation', async () => {
    const res = await alice.db.from('tasks').select('*').eq('id', seed.tasks.milk);
    assertOk(res);
    assert.equal(res.data?.length, 1);
    const row = res.data![0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(row).sort(), TASK_COLUMNS);
    assert.deepEqual(
      {
        workspace_id: row.workspace_id,
        project_id: row.project_id,
        title: row.title,
        notes: row.notes,
        status: row.status,
        priority: row.priority,
        due_date: row.due_date,
        due_time: row.due_time,
        due_tz: row.due_tz,
        recurrence: row.recurrence,
        position: row.position,
        completed_at: row.completed_at,
        deleted_at: row.deleted_at,
        created_by: row.created_by,
      },
      {
        workspace_id: alice.workspaceId,
        project_id: seed.projects.home,
        title: 'Buy milk',
        notes: 'two litres of oat milk',
        status: 'open',
        priority: 1,
        due_date: '2026-12-01',
        due_time: null,
        due_tz: null,
        recurrence: null,
        position: 1,
        completed_at: null,
        deleted_at: null,
        created_by: alice.userId,
      },
    );
    // due_at is generated: end of the due day in UTC when no zone is set.
    assert.equal(new Date(row.due_at as string).toISOString(), '2026-12-01T23:59:59.000Z');
  });

  test('select() with no argument means *', async () => {
    const res = await alice.db.from('projects').select().eq('id', seed.projects.home);
    assertOk(res);
    assert.equal(res.data?.length, 1);
    assert.equal((res.data![0] as { name: string }).name, 'Home');
    assert.ok('archived_at' in (res.data![0] as object));
  });

  test('aliases rename columns in the result', async () => {
    const res = await alice.db.from('tasks').select('name:title,prio:priority').eq('id', seed.tasks.milk);
    assertOk(res);
    assert.deepEqual(res.data, [{ name: 'Buy milk', prio: 1 }]);
  });

  test('casts change the JSON type; the key stays the column name unless aliased', async () => {
    const res = await alice.db
      .from('tasks')
      .select('priority::text,pos:position::text,due_date::text,id')
      .eq('id', seed.tasks.milk);
    assertOk(res);
    assert.deepEqual(res.data, [{ priority: '1', pos: '1', due_date: '2026-12-01', id: seed.tasks.milk }]);
  });

  test('an unknown column is a 400 with PostgreSQL code 42703', async () => {
    const res = await alice.db.from('tasks').select('id,nope');
    const error = assertPgrstError(res, 400, '42703');
    assert.equal(error.message, 'column tasks.nope does not exist');
  });

  test('an unknown table is a 404 with PGRST205', async () => {
    const res = await alice.db.from('no_such_table').select('*');
    const error = assertPgrstError(res, 404, 'PGRST205');
    assert.equal(error.message, "Could not find the table 'public.no_such_table' in the schema cache");
  });
});

describe('embedding', () => {
  test('many-to-one: each task embeds its project as an object (null when it has none)', async () => {
    const res = await alice.db.from('tasks').select('title,projects(name,color)').order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { title: 'Buy milk', projects: { name: 'Home', color: 'blue' } },
      { title: 'Pay rent', projects: { name: 'Home', color: 'blue' } },
      { title: 'Write quarterly report', projects: { name: 'Work', color: 'red' } },
      { title: 'Call the plumber', projects: null },
      { title: 'Review pull request (50%)', projects: { name: 'Work', color: 'red' } },
    ]);
  });

  test('an embedded resource can be aliased', async () => {
    const res = await alice.db.from('tasks').select('title,project:projects(name)').eq('id', seed.tasks.rent);
    assertOk(res);
    assert.deepEqual(res.data, [{ title: 'Pay rent', project: { name: 'Home' } }]);
  });

  test('one-to-many: each project embeds its tasks as an array ([] when none)', async () => {
    const res = await alice.db
      .from('projects')
      .select('name,tasks(title)')
      .order('position')
      .order('position', { referencedTable: 'tasks' });
    assertOk(res);
    assert.deepEqual(res.data, [
      { name: 'Home', tasks: [{ title: 'Buy milk' }, { title: 'Pay rent' }] },
      { name: 'Work', tasks: [{ title: 'Write quarterly report' }, { title: 'Review pull request (50%)' }] },
      { name: 'Empty', tasks: [] },
    ]);
  });

  test('many-to-many through task_labels: tasks embed labels and labels embed tasks', async () => {
    const fromTasks = await alice.db
      .from('tasks')
      .select('title,labels(name)')
      .order('position')
      .order('name', { referencedTable: 'labels' });
    assertOk(fromTasks);
    assert.deepEqual(fromTasks.data, [
      { title: 'Buy milk', labels: [{ name: 'errand' }, { name: 'urgent' }] },
      { title: 'Pay rent', labels: [{ name: 'urgent' }] },
      { title: 'Write quarterly report', labels: [] },
      { title: 'Call the plumber', labels: [{ name: 'errand' }] },
      { title: 'Review pull request (50%)', labels: [] },
    ]);

    const fromLabels = await alice.db
      .from('labels')
      .select('name,tasks(title)')
      .order('name')
      .order('position', { referencedTable: 'tasks' });
    assertOk(fromLabels);
    assert.deepEqual(fromLabels.data, [
      { name: 'errand', tasks: [{ title: 'Buy milk' }, { title: 'Call the plumber' }] },
      { name: 'someday', tasks: [] },
      { name: 'urgent', tasks: [{ title: 'Buy milk' }, { title: 'Pay rent' }] },
    ]);
  });

  test('the join table itself embeds both ends (many-to-one twice)', async () => {
    const res = await alice.db.from('task_labels').select('tasks(title),labels(name)').eq('task_id', seed.tasks.rent);
    assertOk(res);
    assert.deepEqual(res.data, [{ tasks: { title: 'Pay rent' }, labels: { name: 'urgent' } }]);
  });

  test('nested embedding: projects → tasks → labels', async () => {
    const res = await alice.db
      .from('projects')
      .select('name,tasks(title,labels(name))')
      .eq('id', seed.projects.home)
      .order('position', { referencedTable: 'tasks' })
      .order('name', { referencedTable: 'tasks.labels' });
    assertOk(res);
    assert.deepEqual(res.data, [
      {
        name: 'Home',
        tasks: [
          { title: 'Buy milk', labels: [{ name: 'errand' }, { name: 'urgent' }] },
          { title: 'Pay rent', labels: [{ name: 'urgent' }] },
        ],
      },
    ]);
  });

  test('a filter on an embedded resource filters the embedded rows, not the parents', async () => {
    const res = await alice.db.from('projects').select('name,tasks(title)').eq('tasks.priority', 1).order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { name: 'Home', tasks: [{ title: 'Buy milk' }] },
      { name: 'Work', tasks: [{ title: 'Write quarterly report' }] },
      { name: 'Empty', tasks: [] },
    ]);
  });

  test('!inner turns the embedded filter into a filter on the parents', async () => {
    const res = await alice.db.from('projects').select('name,tasks!inner(title)').eq('tasks.status', 'completed');
    assertOk(res);
    assert.deepEqual(res.data, [{ name: 'Work', tasks: [{ title: 'Write quarterly report' }] }]);

    const m2m = await alice.db
      .from('tasks')
      .select('title,labels!inner(name)')
      .eq('labels.name', 'errand')
      .order('position');
    assertOk(m2m);
    assert.deepEqual(m2m.data, [
      { title: 'Buy milk', labels: [{ name: 'errand' }] },
      { title: 'Call the plumber', labels: [{ name: 'errand' }] },
    ]);
  });

  test('!inner on a to-one embed drops the rows without a match', async () => {
    const res = await alice.db
      .from('tasks')
      .select('title,projects!inner(name)')
      .eq('projects.name', 'Work')
      .order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { title: 'Write quarterly report', projects: { name: 'Work' } },
      { title: 'Review pull request (50%)', projects: { name: 'Work' } },
    ]);
  });

  test('an embed can name its foreign key (or, many-to-many, its join table) to disambiguate', async () => {
    const byFk = await alice.db
      .from('tasks')
      .select('title,project:projects!tasks_workspace_id_project_id_fkey(name)')
      .eq('id', seed.tasks.report);
    assertOk(byFk);
    assert.deepEqual(byFk.data, [{ title: 'Write quarterly report', project: { name: 'Work' } }]);

    const reverse = await alice.db
      .from('projects')
      .select('name,tasks!tasks_workspace_id_project_id_fkey(title)')
      .eq('id', seed.projects.work)
      .order('position', { referencedTable: 'tasks' });
    assertOk(reverse);
    assert.deepEqual(reverse.data, [
      { name: 'Work', tasks: [{ title: 'Write quarterly report' }, { title: 'Review pull request (50%)' }] },
    ]);

    const byJoinTable = await alice.db.from('tasks').select('title,labels!task_labels(name)').eq('id', seed.tasks.rent);
    assertOk(byJoinTable);
    assert.deepEqual(byJoinTable.data, [{ title: 'Pay rent', labels: [{ name: 'urgent' }] }]);
  });

  test('an unknown relationship or hint is a 400 with PGRST200', async () => {
    const unrelated = await alice.db.from('projects').select('name,no_such_table(*)');
    const error = assertPgrstError(unrelated, 400, 'PGRST200');
    assert.equal(
      error.message,
      "Could not find a relationship between 'projects' and 'no_such_table' in the schema cache",
    );
    const badHint = await alice.db.from('tasks').select('title,projects!no_such_fkey(name)');
    assertPgrstError(badHint, 400, 'PGRST200');
  });

  test('order, limit and range on an embedded resource shape each embedded array', async () => {
    const newest = await alice.db
      .from('projects')
      .select('name,tasks(title)')
      .in('id', [seed.projects.home, seed.projects.work])
      .order('position')
      .order('position', { referencedTable: 'tasks', ascending: false })
      .limit(1, { referencedTable: 'tasks' });
    assertOk(newest);
    assert.deepEqual(newest.data, [
      { name: 'Home', tasks: [{ title: 'Pay rent' }] },
      { name: 'Work', tasks: [{ title: 'Review pull request (50%)' }] },
    ]);

    const second = await alice.db
      .from('projects')
      .select('name,tasks(title)')
      .eq('id', seed.projects.home)
      .order('position', { referencedTable: 'tasks' })
      .range(1, 1, { referencedTable: 'tasks' });
    assertOk(second);
    assert.deepEqual(second.data, [{ name: 'Home', tasks: [{ title: 'Pay rent' }] }]);
  });

  test('the same relation embedded twice under aliases, each filtered by its alias', async () => {
    const res = await alice.db
      .from('projects')
      .select('name,urgent:tasks(title),later:tasks(title)')
      .eq('id', seed.projects.work)
      .eq('urgent.priority', 1)
      .gt('later.priority', 1);
    assertOk(res);
    assert.deepEqual(res.data, [
      {
        name: 'Work',
        urgent: [{ title: 'Write quarterly report' }],
        later: [{ title: 'Review pull request (50%)' }],
      },
    ]);
  });

  test('columns inside an embed take aliases and casts too', async () => {
    const res = await alice.db
      .from('tasks')
      .select('title,project:projects(label:name,pos:position::text)')
      .eq('id', seed.tasks.report);
    assertOk(res);
    assert.deepEqual(res.data, [{ title: 'Write quarterly report', project: { label: 'Work', pos: '2' } }]);
  });

  test('filters reach nested embeds (tasks.labels.name), and !inner can chain', async () => {
    const nested = await alice.db
      .from('projects')
      .select('name,tasks(title,labels(name))')
      .in('id', [seed.projects.home, seed.projects.work])
      .eq('tasks.labels.name', 'urgent')
      .order('position')
      .order('position', { referencedTable: 'tasks' });
    assertOk(nested);
    assert.deepEqual(nested.data, [
      {
        name: 'Home',
        tasks: [
          { title: 'Buy milk', labels: [{ name: 'urgent' }] },
          { title: 'Pay rent', labels: [{ name: 'urgent' }] },
        ],
      },
      {
        name: 'Work',
        tasks: [
          { title: 'Write quarterly report', labels: [] },
          { title: 'Review pull request (50%)', labels: [] },
        ],
      },
    ]);

    const chained = await alice.db
      .from('projects')
      .select('name,tasks!inner(title,labels!inner(name))')
      .eq('tasks.labels.name', 'errand');
    assertOk(chained);
    assert.deepEqual(chained.data, [{ name: 'Home', tasks: [{ title: 'Buy milk', labels: [{ name: 'errand' }] }] }]);
  });

  test('full-text search applies to an embedded resource too', async () => {
    const res = await alice.db
      .from('projects')
      .select('name,tasks(title)')
      .in('id', [seed.projects.home, seed.projects.work])
      .textSearch('tasks.notes', 'board', { config: 'english' })
      .order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { name: 'Home', tasks: [] },
      { name: 'Work', tasks: [{ title: 'Write quarterly report' }] },
    ]);
  });

  test('or() on an embedded resource filters its rows', async () => {
    const res = await alice.db
      .from('projects')
      .select('name,tasks(title)')
      .eq('id', seed.projects.work)
      .or('status.eq.completed,priority.eq.2', { referencedTable: 'tasks' });
    assertOk(res);
    assert.deepEqual(res.data, [{ name: 'Work', tasks: [{ title: 'Write quarterly report' }] }]);
  });

  test('embedding works in the representation of a write', async () => {
    const res = await alice.db
      .from('task_labels')
      .insert({ workspace_id: alice.workspaceId, task_id: seed.tasks.report, label_id: seed.labels.someday })
      .select('labels(name),tasks(title)')
      .single();
    assertOk(res, 201);
    assert.deepEqual(res.data, { labels: { name: 'someday' }, tasks: { title: 'Write quarterly report' } });
    const cleanup = await alice.db
      .from('task_labels')
      .delete()
      .match({ task_id: seed.tasks.report, label_id: seed.labels.someday });
    assertOk(cleanup, 204);
  });
});

describe('schema profiles', () => {
  test(".schema('public') selects the exposed schema explicitly", async () => {
    const res = await alice.db.schema('public').from('projects').select('name').order('position');
    assertOk(res);
    assert.deepEqual(res.data, [{ name: 'Home' }, { name: 'Work' }, { name: 'Empty' }]);
  });

  test('a schema that is not exposed is a 406 with PGRST106, for reads and for writes', async () => {
    const read = await alice.db.schema('private').from('tasks').select('id');
    const error = assertPgrstError(read, 406, 'PGRST106');
    assert.equal(error.message, 'Invalid schema: private');
    assert.match(String(error.hint), /public/);

    const write = await alice.db.schema('identity').from('users').insert({ name: 'x' });
    assertPgrstError(write, 406, 'PGRST106');
  });
});

describe('single and maybeSingle', () => {
  test('single() returns one object', async () => {
    const res = await alice.db.from('tasks').select('id,title').eq('id', seed.tasks.milk).single();
    assertOk(res);
    assert.deepEqual(res.data, { id: seed.tasks.milk, title: 'Buy milk' });
  });

  test('single() with no row is a 406 with PGRST116', async () => {
    const res = await alice.db.from('tasks').select('id').eq('title', 'no such task').single();
    const error = assertPgrstError(res, 406, 'PGRST116');
    assert.equal(error.message, 'Cannot coerce the result to a single JSON object');
    assert.equal(error.details, 'The result contains 0 rows');
  });

  test('single() with several rows is a 406 with PGRST116', async () => {
    const res = await alice.db.from('tasks').select('id').eq('priority', 1).single();
    const error = assertPgrstError(res, 406, 'PGRST116');
    assert.equal(error.details, 'The result contains 2 rows');
  });

  test('maybeSingle() returns null without an error when nothing matches', async () => {
    const res = await alice.db.from('tasks').select('id').eq('title', 'no such task').maybeSingle();
    assertOk(res);
    assert.equal(res.data, null);
  });

  test('maybeSingle() returns the object when one row matches and PGRST116 when several do', async () => {
    const one = await alice.db.from('tasks').select('title').eq('id', seed.tasks.rent).maybeSingle();
    assertOk(one);
    assert.deepEqual(one.data, { title: 'Pay rent' });
    const several = await alice.db.from('tasks').select('title').eq('status', 'open').maybeSingle();
    assertPgrstError(several, 406, 'PGRST116');
  });

  test('an embedded to-many keeps its array shape inside a single object', async () => {
    const res = await alice.db.from('projects').select('name,tasks(title)').eq('id', seed.projects.empty).single();
    assertOk(res);
    assert.deepEqual(res.data, { name: 'Empty', tasks: [] });
  });
});

describe('without order', () => {
  test('every visible row comes back (in no promised order)', async () => {
    const res = await alice.db.from('labels').select('name');
    assertOk(res);
    assert.deepEqual([...(res.data as { name: string }[])].sort(byKey('name')), [
      { name: 'errand' },
      { name: 'someday' },
      { name: 'urgent' },
    ]);
  });
});

describe('OpenAPI', () => {
  type Spec = {
    swagger?: string;
    paths: Record<string, unknown>;
    definitions?: Record<string, { description?: string; properties?: Record<string, { description?: string }> }>;
  };

  test('getOpenApiSpec() describes the exposed tables and functions with their comments', async () => {
    const res = await alice.db.getOpenApiSpec();
    assertOk(res);
    const spec = res.data as unknown as Spec;
    assert.equal(spec.swagger, '2.0');
    for (const path of [
      '/tasks',
      '/projects',
      '/labels',
      '/task_labels',
      '/workspaces',
      '/rpc/my_personal_workspace_id',
    ]) {
      assert.ok(path in spec.paths, `${path} is documented`);
    }
    for (const path of Object.keys(spec.paths)) {
      assert.doesNotMatch(path, /users|accounts|sessions|my_workspace_ids/, `${path} is not exposed`);
    }
    const tasks = spec.definitions?.tasks;
    assert.equal(tasks?.description, 'A to-do. Soft-deleted tasks (deleted_at set) live in the trash until purged.');
    assert.match(tasks?.properties?.notes?.description ?? '', /^Markdown, at most 20,000 characters\./);
    assert.match(tasks?.properties?.id?.description ?? '', /Primary Key/);
  });

  test('anon sees only what its privileges allow (no tables)', async () => {
    const res = await supabaseClient(gw.url).getOpenApiSpec();
    assertOk(res);
    const spec = res.data as unknown as Spec;
    assert.ok(!('/tasks' in spec.paths), 'anon has no grant on tasks');
  });
});

describe('more of PostgREST that supabase-js reaches (beyond issue 3 section 1)', () => {
  test('spread (...) lifts a to-one embed into the row', async () => {
    const res = await alice.db.from('tasks').select('title,...projects(project:name,color)').eq('id', seed.tasks.milk);
    assertOk(res);
    assert.deepEqual(res.data, [{ title: 'Buy milk', project: 'Home', color: 'blue' }]);
  });

  test('!left and a column hint (!project_id) resolve the same relationship', async () => {
    const left = await alice.db.from('tasks').select('title,projects!left(name)').eq('id', seed.tasks.plumber);
    assertOk(left);
    assert.deepEqual(left.data, [{ title: 'Call the plumber', projects: null }]);
    const byColumn = await alice.db.from('tasks').select('title,projects!project_id(name)').eq('id', seed.tasks.milk);
    assertOk(byColumn);
    assert.deepEqual(byColumn.data, [{ title: 'Buy milk', projects: { name: 'Home' } }]);
  });

  test('null filtering on embeds: an anti-join, a semi-join, and or() across embeds', async () => {
    const without = await alice.db.from('projects').select('name,tasks()').is('tasks', null);
    assertOk(without);
    assert.deepEqual(without.data, [{ name: 'Empty' }]);

    const withTasks = await alice.db.from('projects').select('name,tasks()').not('tasks', 'is', null).order('position');
    assertOk(withTasks);
    assert.deepEqual(withTasks.data, [{ name: 'Home' }, { name: 'Work' }]);

    const either = await alice.db
      .from('tasks')
      .select('title,projects(name),labels(name)')
      .or('projects.is.null,labels.is.null')
      .order('position');
    assertOk(either);
    assert.deepEqual(
      (either.data as { title: string }[]).map((r) => r.title),
      ['Write quarterly report', 'Call the plumber', 'Review pull request (50%)'],
    );
  });

  test('order by a column of a to-one embed', async () => {
    const res = await alice.db
      .from('tasks')
      .select('title,projects(name)')
      .not('project_id', 'is', null)
      .order('projects(name)', { ascending: false })
      .order('position');
    assertOk(res);
    assert.deepEqual(
      (res.data as { title: string }[]).map((r) => r.title),
      ['Write quarterly report', 'Review pull request (50%)', 'Buy milk', 'Pay rent'],
    );
  });

  test('aggregate functions are disabled, as by default in PostgREST (PGRST123)', async () => {
    const direct = await alice.db.from('tasks').select('priority,count()');
    const error = assertPgrstError(direct, 400, 'PGRST123');
    assert.equal(error.message, 'Use of aggregate functions is not allowed');
  });

  test('the legacy embedded count (tasks(count)) still works with aggregates disabled', async () => {
    // supabase-js's documented idiom `select('*, instruments(count)')`; PostgREST 12 keeps
    // `count` without parentheses working when db-aggregates-enabled is false.
    const res = await alice.db.from('projects').select('name,tasks(count)').order('position');
    assertOk(res);
    assert.deepEqual(res.data, [
      { name: 'Home', tasks: [{ count: 2 }] },
      { name: 'Work', tasks: [{ count: 2 }] },
      { name: 'Empty', tasks: [{ count: 0 }] },
    ]);
  });

  test('csv() returns the rows as CSV text', async () => {
    const res = await alice.db.from('tasks').select('title,notes').eq('id', seed.tasks.review).csv();
    assertOk(res);
    assert.equal(res.data, 'title,notes\nReview pull request (50%),"the parser, comma, and parens"');
  });
});
