// The web app's database operations over HTTP with the official supabase-js client, as the
// browser calls them: find_tasks (typo-tolerant search with highlights), quick_add_task
// (one call, retry-safe by client id) and the user_settings upsert. Each runs as the
// signed-in caller: another user's data never appears, anon is refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../lib/services.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { signUpClient, supabaseClient, type TestUser } from '../support/supabase.ts';

const MARK_START = '\uE000';
const MARK_END = '\uE001';

let gw: TestGateway;
let alice: TestUser;
let bob: TestUser;
before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'rpc-alice');
  bob = await signUpClient(gw.url, 'rpc-bob');
});
after(async () => {
  await gw.close();
  await closeServices();
});

type FoundTask = { id: string; title: string; title_highlight: string; notes_highlight: string; rank: number };

describe('find_tasks', () => {
  before(async () => {
    const rows = [
      { workspace_id: alice.workspaceId, title: 'Buy groceries', notes: 'milk and <b>eggs</b>' },
      { workspace_id: alice.workspaceId, title: 'Plan the garden party', notes: '' },
    ];
    const { error } = await alice.db.from('tasks').insert(rows);
    assert.equal(error, null);
    const { error: bobError } = await bob.db
      .from('tasks')
      .insert({ workspace_id: bob.workspaceId, title: 'Bob buys groceries' });
    assert.equal(bobError, null);
  });

  test('a typo finds the task, highlighted between U+E000 and U+E001', async () => {
    const { data, error } = await alice.db.rpc('find_tasks', { query: 'grocries' });
    assert.equal(error, null);
    const rows = data as FoundTask[];
    assert.deepEqual(
      rows.map((r) => r.title),
      ['Buy groceries'],
    );
    assert.equal(rows[0]?.title_highlight, `Buy ${MARK_START}groceries${MARK_END}`);
    assert.ok((rows[0]?.rank ?? 0) > 0);
  });

  test('notes matches are highlighted; the row carries the task columns', async () => {
    const { data, error } = await alice.db.rpc('find_tasks', { query: 'eggs', max_results: 5 });
    assert.equal(error, null);
    const row = (data as (FoundTask & { workspace_id: string; status: string })[])[0];
    assert.equal(row?.workspace_id, alice.workspaceId);
    assert.equal(row?.status, 'open');
    assert.match(row?.notes_highlight ?? '', new RegExp(`${MARK_START}eggs${MARK_END}`));
  });

  test('the result can be filtered and limited like a table', async () => {
    const { data, error } = await alice.db.rpc('find_tasks', { query: 'party groceries' }).select('title').limit(1);
    assert.equal(error, null);
    assert.equal((data as unknown[]).length, 1);
  });

  test('another user finds only their own task', async () => {
    const { data } = await bob.db.rpc('find_tasks', { query: 'groceries' });
    assert.deepEqual(
      (data as FoundTask[]).map((r) => r.title),
      ['Bob buys groceries'],
    );
  });

  test('a blank query returns nothing; a long one is a 400 with a reason', async () => {
    const blank = await alice.db.rpc('find_tasks', { query: '   ' });
    assert.equal(blank.error, null);
    assert.deepEqual(blank.data, []);
    const long = await alice.db.rpc('find_tasks', { query: 'x'.repeat(201) });
    assert.equal(long.status, 400);
    assert.equal(long.error?.code, '22023');
    assert.equal(long.error?.message, 'Search query is too long');
  });

  test('anon is refused', async () => {
    const { status } = await supabaseClient(gw.url).rpc('find_tasks', { query: 'groceries' });
    assert.equal(status, 401);
  });
});

describe('quick_add_task', () => {
  test('creates the task, its project and labels in one call; a retry returns the same task', async () => {
    const id = randomUUID();
    const args = {
      task_id: id,
      title: 'Pay rent',
      priority: 1,
      due_date: '2026-12-01',
      due_tz: 'Europe/Berlin',
      recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
      project_name: 'Home',
      label_names: ['bills', 'money'],
    };
    const first = await alice.db.rpc('quick_add_task', args);
    assert.equal(first.error, null, JSON.stringify(first.error));
    const task = first.data as { id: string; workspace_id: string; project_id: string; priority: number };
    assert.equal(task.id, id);
    assert.equal(task.workspace_id, alice.workspaceId);
    assert.equal(task.priority, 1);

    const { data: project } = await alice.db.from('projects').select('name').eq('id', task.project_id).single();
    assert.equal((project as { name: string }).name, 'Home');
    const { data: labels } = await alice.db.from('task_labels').select('labels(name)').eq('task_id', id);
    assert.deepEqual((labels as unknown as { labels: { name: string } }[]).map((l) => l.labels.name).sort(), [
      'bills',
      'money',
    ]);

    const retry = await alice.db.rpc('quick_add_task', { ...args, project_name: 'home' });
    assert.equal(retry.error, null);
    assert.equal((retry.data as { id: string }).id, id);
    const { count } = await alice.db.from('tasks').select('id', { count: 'exact', head: true }).eq('title', 'Pay rent');
    assert.equal(count, 1, 'the retry created nothing');
  });

  test('the same id with another payload is a 409', async () => {
    const id = randomUUID();
    assert.equal((await alice.db.rpc('quick_add_task', { task_id: id, title: 'Water plants' })).error, null);
    const clash = await alice.db.rpc('quick_add_task', { task_id: id, title: 'Water the plants' });
    assert.equal(clash.status, 409);
    assert.equal(clash.error?.code, 'PT409');
  });

  test('bad input is a 400 and writes nothing', async () => {
    const spaced = await alice.db.rpc('quick_add_task', {
      title: 'x',
      label_names: ['two words'],
      project_name: 'Nope',
    });
    assert.equal(spaced.status, 400);
    assert.equal(spaced.error?.message, 'Label names cannot contain spaces');
    const blank = await alice.db.rpc('quick_add_task', { title: '  ', project_name: 'Nope' });
    assert.equal(blank.status, 400);
    const { data } = await alice.db.from('projects').select('id').eq('name', 'Nope');
    assert.deepEqual(data, []);
  });

  test("another user's workspace is refused (403)", async () => {
    const res = await bob.db.rpc('quick_add_task', { title: 'Intrude', workspace_id: alice.workspaceId });
    assert.equal(res.status, 403);
    assert.equal(res.error?.message, 'You cannot add tasks to this workspace');
  });
});

describe('user_settings', () => {
  test('upsert on user_id creates, then updates the caller’s row', async () => {
    const first = await alice.db
      .from('user_settings')
      .upsert({ user_id: alice.userId, time_zone: 'Europe/Berlin', locale: 'de-DE' }, { onConflict: 'user_id' })
      .select()
      .single();
    assert.equal(first.error, null, JSON.stringify(first.error));
    assert.equal((first.data as { theme: string }).theme, 'system');

    const second = await alice.db
      .from('user_settings')
      .upsert({ user_id: alice.userId, theme: 'dark', week_start: 0 }, { onConflict: 'user_id' })
      .select()
      .single();
    assert.equal(second.error, null, JSON.stringify(second.error));
    const row = second.data as { theme: string; week_start: number; time_zone: string };
    assert.deepEqual([row.theme, row.week_start, row.time_zone], ['dark', 0, 'Europe/Berlin']);
  });

  test('another user sees no row and cannot write one for someone else', async () => {
    const { data } = await bob.db.from('user_settings').select();
    assert.deepEqual(data, []);
    const forged = await bob.db
      .from('user_settings')
      .upsert({ user_id: alice.userId, theme: 'light' }, { onConflict: 'user_id' });
    assert.equal(forged.status, 403);
    const { data: aliceRow } = await alice.db.from('user_settings').select('theme').single();
    assert.equal((aliceRow as { theme: string }).theme, 'dark');
  });

  test('an invalid value is a 400 with the readable message', async () => {
    const res = await bob.db
      .from('user_settings')
      .upsert({ user_id: bob.userId, theme: 'neon' }, { onConflict: 'user_id' });
    assert.equal(res.status, 400);
    assert.equal(res.error?.message, 'Theme must be system, light or dark.');
  });

  test('anon is refused', async () => {
    const res = await supabaseClient(gw.url).from('user_settings').select();
    assert.equal(res.status, 401);
  });
});
