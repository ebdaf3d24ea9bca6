// The offline outbox's rules (app/src/lib/offline/outbox.ts), without IndexedDB: order,
// per-field coalescing (last writer wins), frozen bodies once sent, and laying queued
// changes over a page's rows; what a refused change keeps of the person's values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  append,
  applyQueued,
  isNetworkFailure,
  isRetryable,
  markSent,
  quickAddArgs,
  queuedTasks,
  without,
  type Mutation,
} from '../../app/src/lib/offline/outbox.ts';
import { describeValues, draftValues, refusalOf } from '../../app/src/lib/offline/refusals.ts';
import type { TaskRow } from '../../app/src/lib/data/types.ts';

const WS = '00000000-0000-4000-8000-000000000001';
let seq = 0;

function row(id: string, fields: Partial<TaskRow> = {}): TaskRow {
  return {
    workspace_id: WS,
    id,
    project_id: null,
    title: `Task ${id}`,
    status: 'open',
    priority: 4,
    due_date: null,
    due_time: null,
    due_tz: null,
    due_at: null,
    recurrence: null,
    position: '1',
    completed_at: null,
    created_at: '2026-11-23T10:00:00.000Z',
    labels: [],
    ...fields,
  };
}

function update(taskId: string, patch: Record<string, unknown>, after: TaskRow | null, sent = false): Mutation {
  seq += 1;
  return {
    id: `m${seq}`,
    key: `key-${seq}`,
    kind: 'update',
    taskId,
    createdAt: seq,
    sent,
    payload: { workspaceId: WS, patch, after },
  };
}

function quickAdd(r: TaskRow): Mutation {
  seq += 1;
  return {
    id: `m${seq}`,
    key: `key-${seq}`,
    kind: 'quick_add',
    taskId: r.id,
    createdAt: seq,
    sent: false,
    payload: { row: r, projectName: null },
  };
}

test('successive patches of one task coalesce field by field: the last writer wins, the first key stays', () => {
  const first = update('a', { title: 'One', priority: 2 }, row('a', { title: 'One', priority: 2 }));
  const second = update('a', { title: 'Two', status: 'completed' }, row('a', { title: 'Two', status: 'completed' }));
  const list = append(append([], first), second);
  assert.equal(list.length, 1);
  const [merged] = list;
  assert.ok(merged && merged.kind === 'update');
  assert.equal(merged.key, first.key);
  assert.equal(merged.id, first.id);
  assert.deepEqual(merged.payload.patch, { title: 'Two', priority: 2, status: 'completed' });
  assert.equal(merged.payload.after?.title, 'Two');
});

test('writes of different tasks keep their order, and a patch merges into its own task only', () => {
  const a1 = update('a', { title: 'A1' }, null);
  const b1 = update('b', { title: 'B1' }, null);
  const a2 = update('a', { priority: 1 }, null);
  const list = [a1, b1, a2].reduce<Mutation[]>((l, m) => append(l, m), []);
  assert.deepEqual(
    list.map((m) => m.taskId),
    ['a', 'b'],
  );
  assert.deepEqual((list[0] as Extract<Mutation, { kind: 'update' }>).payload.patch, { title: 'A1', priority: 1 });
  assert.deepEqual(queuedTasks(list), new Set(['a', 'b']));
});

test('a sent entry is never merged into: its key must keep the exact request', () => {
  const sent = update('a', { title: 'Sent' }, null, true);
  const later = update('a', { title: 'Later' }, null);
  const list = append([sent], later);
  assert.equal(list.length, 2);
  assert.deepEqual((list[0] as Extract<Mutation, { kind: 'update' }>).payload.patch, { title: 'Sent' });
  assert.notEqual(list[0]?.key, list[1]?.key);

  // Marking sent freezes an entry the same way.
  const fresh = update('c', { title: 'C' }, null);
  const frozen = markSent([fresh], fresh.id);
  assert.equal(frozen[0]?.sent, true);
  assert.equal(append(frozen, update('c', { title: 'C2' }, null)).length, 2);
});

test('a patch after a create of the same task is queued behind it, not merged into it', () => {
  const created = quickAdd(row('n', { title: 'New' }));
  const done = update('n', { status: 'completed' }, row('n', { title: 'New', status: 'completed' }));
  const again = update('n', { title: 'Renamed' }, row('n', { title: 'Renamed', status: 'completed' }));
  const list = [created, done, again].reduce<Mutation[]>((l, m) => append(l, m), []);
  assert.deepEqual(
    list.map((m) => m.kind),
    ['quick_add', 'update'],
  );
  assert.deepEqual((list[1] as Extract<Mutation, { kind: 'update' }>).payload.patch, {
    status: 'completed',
    title: 'Renamed',
  });
  // Another task's entry in between does not stop the merge: tasks are independent.
  const other = update('x', { title: 'X' }, null);
  const list2 = append(append(list, other), update('n', { priority: 1 }, null));
  assert.deepEqual(
    list2.map((m) => m.taskId),
    ['n', 'n', 'x'],
  );
  assert.deepEqual((list2[1] as Extract<Mutation, { kind: 'update' }>).payload.patch, {
    status: 'completed',
    title: 'Renamed',
    priority: 1,
  });
});

test('without() drops the answered entry and keeps the rest in order', () => {
  const a = update('a', { title: 'A' }, null);
  const b = update('b', { title: 'B' }, null);
  const c = update('c', { title: 'C' }, null);
  assert.deepEqual(
    without([a, b, c], b.id).map((m) => m.id),
    [a.id, c.id],
  );
});

test('queued changes lay over an older base, and applying them twice changes nothing more', () => {
  const rows = new Map<string, TaskRow>([
    ['e1', row('e1', { title: 'Existing 1' })],
    ['e2', row('e2', { title: 'Existing 2' })],
  ]);
  const created = row('n1', { title: 'Made offline' });
  const list = [
    quickAdd(created),
    update('n1', { status: 'completed' }, { ...created, status: 'completed' }),
    update('e1', { title: 'Renamed' }, row('e1', { title: 'Renamed' })),
    update('e2', { deleted_at: '2026-11-23T11:00:00.000Z' }, null),
  ].reduce<Mutation[]>((l, m) => append(l, m), []);
  applyQueued(rows, list);
  const once = new Map(rows);
  applyQueued(rows, list);
  assert.deepEqual(rows, once);
  assert.deepEqual([...rows.keys()].sort(), ['e1', 'n1']);
  assert.equal(rows.get('n1')?.status, 'completed');
  assert.equal(rows.get('e1')?.title, 'Renamed');
});

test('only a missing answer is a network failure; only some statuses are worth retrying', () => {
  assert.equal(isNetworkFailure({ error: { message: 'Failed to fetch' } }), true);
  assert.equal(isNetworkFailure({ error: { message: 'TypeError' }, status: 0 }), true);
  assert.equal(isNetworkFailure({ error: { message: 'bad' }, status: 400 }), false);
  assert.equal(isNetworkFailure({ error: null, status: 200 }), false);
  assert.equal(isRetryable(503), true);
  assert.equal(isRetryable(429), true);
  assert.equal(isRetryable(409, 'TM409'), true);
  assert.equal(isRetryable(409, '23505'), false);
  assert.equal(isRetryable(400), false);
  assert.equal(isRetryable(422, 'TM422'), false);
});

function labels(
  taskId: string,
  labelIds: string[],
  create: { id: string; name: string }[],
  after: TaskRow | null,
  sent = false,
): Mutation {
  seq += 1;
  return {
    id: `m${seq}`,
    key: `key-${seq}`,
    kind: 'labels',
    taskId,
    createdAt: seq,
    sent,
    payload: { workspaceId: WS, labelIds, create, after },
  };
}

test('label sets of one task coalesce: the newer set wins, and labels it still names are still created', () => {
  const home = { id: 'l-home', name: 'home' };
  const errands = { id: 'l-errands', name: 'errands' };
  const first = labels('a', ['l-home', 'l-errands'], [home, errands], row('a', { labels: [home, errands] }));
  const second = labels('a', ['l-home', 'l-old'], [home], row('a', { labels: [home] }));
  const list = append(append([], first), second);
  assert.equal(list.length, 1);
  const [merged] = list;
  assert.ok(merged && merged.kind === 'labels');
  assert.equal(merged.key, first.key);
  assert.deepEqual(merged.payload.labelIds, ['l-home', 'l-old']);
  // errands is no longer chosen, so it is not created; home is created once.
  assert.deepEqual(merged.payload.create, [home]);
  assert.deepEqual(merged.payload.after?.labels, [home]);
});

test('a label set is not merged into a sent one, nor into a patch, and a patch is not merged into it', () => {
  const sent = labels('a', ['l1'], [], null, true);
  assert.equal(append([sent], labels('a', ['l2'], [], null)).length, 2);
  const patch = update('b', { title: 'B' }, null);
  const list = [patch, labels('b', ['l1'], [], null), update('b', { priority: 1 }, null)].reduce<Mutation[]>(
    (l, m) => append(l, m),
    [],
  );
  assert.deepEqual(
    list.map((m) => m.kind),
    ['update', 'labels', 'update'],
  );
  assert.deepEqual((list[0] as Extract<Mutation, { kind: 'update' }>).payload.patch, { title: 'B' });
});

test('a queued label set shows over a reloaded page: its row as the person left it', () => {
  const home = { id: 'l-home', name: 'home' };
  const rows = new Map([['a', row('a', { title: 'Server' })]]);
  applyQueued(rows, [labels('a', ['l-home'], [home], row('a', { title: 'Server', labels: [home] }))]);
  assert.deepEqual(rows.get('a')?.labels, [home]);
  // Without a saved row the page's own row stays.
  applyQueued(rows, [labels('a', [], [], null)]);
  assert.deepEqual(rows.get('a')?.labels, [home]);
});

test('a queued quick add keeps the row and the project name; the RPC arguments are derived from them', () => {
  const r = row('q1', {
    title: 'Pay rent',
    priority: 1,
    due_date: '2026-12-01',
    due_time: '09:00:00',
    due_tz: 'Europe/Paris',
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
    labels: [{ id: 'new:bills', name: 'bills' }],
  });
  const args = quickAddArgs({ row: r, projectName: 'home' });
  assert.deepEqual(args, {
    title: 'Pay rent',
    workspace_id: WS,
    priority: 1,
    due_date: '2026-12-01',
    due_time: '09:00:00',
    due_tz: 'Europe/Paris',
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
    project_name: 'home',
    label_names: ['bills'],
    task_id: 'q1',
  });
  // The same entry gives the same body every time (a replay under its key must match).
  assert.equal(JSON.stringify(quickAddArgs({ row: r, projectName: 'home' })), JSON.stringify(args));
  // No workspace known yet: the function picks the personal one.
  assert.equal(quickAddArgs({ row: { ...r, workspace_id: '' }, projectName: null }).workspace_id, null);
  // An entry stored by the previous version (row + args as sent) replays its arguments unchanged.
  const legacy = { row: r, args: { title: 'As sent', task_id: 'q1' } };
  assert.deepEqual(quickAddArgs(legacy), { title: 'As sent', task_id: 'q1' });
});

test('a refused change keeps what the person typed, shown as lines and as the task form’s fields', () => {
  const patch = { title: 'Buy oat milk', project_id: 'p-gone', priority: 2, due_date: null, due_time: '09:30:00' };
  const m = update('a', patch, row('a', { title: 'Buy oat milk' }));
  const refusal = refusalOf(m, 'It refers to something that does not exist.', row('a', { title: 'Buy milk' }), 42);
  assert.deepEqual(refusal, {
    id: m.id,
    taskId: 'a',
    kind: 'update',
    title: 'Buy oat milk',
    reason: 'It refers to something that does not exist.',
    values: patch,
    editable: false,
    at: 42,
  });
  // The values are a copy: the outbox entry may be dropped.
  assert.notEqual(refusal.values, m.kind === 'update' ? m.payload.patch : null);
  assert.deepEqual(
    describeValues(refusal.values, (id) => (id === 'p1' ? 'Home' : undefined)),
    [
      'Title: Buy oat milk',
      'Project: A project that no longer exists',
      'Priority: P2',
      'Due date: None',
      'Due time: 09:30:00',
    ],
  );
  assert.deepEqual(
    describeValues({ project_id: 'p1', status: 'completed', deleted_at: 'x' }, () => 'Home'),
    ['Project: Home', 'Status: Completed', 'Trash: Moved to Trash'],
  );
  assert.deepEqual(draftValues(refusal.values), {
    title: 'Buy oat milk',
    priority: '2',
    projectId: 'p-gone',
    dueDate: '',
    dueTime: '09:30',
  });
  // Fields the task's page has no input for give no draft (nothing to edit again).
  assert.deepEqual(draftValues({ status: 'completed', position: '3' }), {});
  // A refused new task keeps its own fields (not ids or timestamps).
  const created = refusalOf(quickAdd(row('n', { title: 'New', priority: 1 })), 'No.', undefined, 1);
  assert.equal(created.title, 'New');
  assert.deepEqual(created.values, { title: 'New', priority: 1 });
});

test('a refused queued label set keeps its title and the labels as chosen', () => {
  const home = { id: 'l-home', name: 'home' };
  const refusal = refusalOf(
    labels('a', ['l-home'], [home], row('a', { title: 'Labelled', labels: [home] })),
    'No.',
    undefined,
    1,
  );
  assert.equal(refusal.title, 'Labelled');
  assert.deepEqual(describeValues(refusal.values), ['Labels: @home']);
  // Labels are not a field the task page fills in again.
  assert.deepEqual(draftValues(refusal.values), {});
});
