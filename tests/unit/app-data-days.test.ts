// Day grouping in the person's time zone (app/src/lib/data/days.ts, view.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, dayIn, dayLabel, groupByDay, isDueByToday, taskDay } from '../../app/src/lib/data/days.ts';
import type { TaskRow } from '../../app/src/lib/data/types.ts';
import { applyFilters, inView, listOptions, sortTasks } from '../../app/src/lib/data/view.ts';

function task(over: Partial<TaskRow>): TaskRow {
  return {
    workspace_id: 'w',
    id: over.id ?? Math.random().toString(36).slice(2),
    project_id: null,
    title: 't',
    status: 'open',
    priority: 4,
    due_date: null,
    due_time: null,
    due_tz: null,
    due_at: null,
    recurrence: null,
    position: '1',
    completed_at: null,
    created_at: '2026-11-01T00:00:00Z',
    labels: [],
    ...over,
  };
}

test('the same instant is a different day in Auckland, London and Los Angeles', () => {
  const instant = new Date('2026-11-23T20:30:00Z');
  assert.equal(dayIn(instant, 'Pacific/Auckland'), '2026-11-24');
  assert.equal(dayIn(instant, 'Europe/London'), '2026-11-23');
  assert.equal(dayIn(new Date('2026-11-24T03:00:00Z'), 'America/Los_Angeles'), '2026-11-23');
  assert.equal(dayIn(instant, 'Not/AZone'), '2026-11-23'); // unknown zones read as UTC
});

test('calendar arithmetic crosses months, years and DST without drifting', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(addDays('2026-03-28', 2), '2026-03-30'); // over Europe's DST switch
});

test('a timed task belongs to the day its instant falls on in the person zone', () => {
  // Due 2026-11-24 08:00 in Auckland = 2026-11-23 19:00 UTC.
  const t = task({
    due_date: '2026-11-24',
    due_time: '08:00:00',
    due_tz: 'Pacific/Auckland',
    due_at: '2026-11-23T19:00:00Z',
  });
  assert.equal(taskDay(t, 'Pacific/Auckland'), '2026-11-24');
  assert.equal(taskDay(t, 'Europe/London'), '2026-11-23');
  // A date-only task is that calendar day everywhere.
  assert.equal(taskDay(task({ due_date: '2026-11-24' }), 'America/Los_Angeles'), '2026-11-24');
  assert.equal(taskDay(task({}), 'UTC'), null);
});

test('Upcoming: 14 labelled days from today, empty ones included, tasks in their day', () => {
  const a = task({ id: 'a', due_date: '2026-11-23' });
  const b = task({ id: 'b', due_date: '2026-11-25' });
  const c = task({ id: 'c', due_date: '2026-12-07' }); // day 15: outside
  const d = task({ id: 'd', due_date: '2026-11-22' }); // yesterday: outside
  const groups = groupByDay([a, b, c, d], '2026-11-23', 'UTC', 14);
  assert.equal(groups.length, 14);
  assert.equal(groups[0]!.day, '2026-11-23');
  assert.equal(groups[13]!.day, '2026-12-06');
  assert.deepEqual(
    groups.map((g) => g.tasks.map((t) => t.id).join('')),
    ['a', '', 'b', '', '', '', '', '', '', '', '', '', '', ''],
  );
  assert.equal(dayLabel('2026-11-23', '2026-11-23'), 'Today');
  assert.equal(dayLabel('2026-11-24', '2026-11-23'), 'Tomorrow');
  assert.equal(dayLabel('2026-11-27', '2026-11-23'), 'Fri, Nov 27');
});

test('Today holds overdue and today, seen from the person zone', () => {
  const ctx = { workspaceId: 'w', timeZone: 'Pacific/Auckland', today: '2026-11-24' };
  assert.ok(inView(task({ due_date: '2026-11-20' }), { kind: 'today' }, ctx));
  assert.ok(inView(task({ due_date: '2026-11-24' }), { kind: 'today' }, ctx));
  assert.ok(!inView(task({ due_date: '2026-11-25' }), { kind: 'today' }, ctx));
  assert.ok(!inView(task({ due_date: '2026-11-24', status: 'completed' }), { kind: 'today' }, ctx));
  assert.ok(isDueByToday(task({ due_date: '2026-11-24' }), '2026-11-24', 'UTC'));
});

test('sort and filters from the URL', () => {
  const opts = listOptions(new URLSearchParams('sort=priority&priority=1&label=Home&project=none'));
  assert.deepEqual(opts, { sort: 'priority', priority: 1, label: 'home', project: 'none' });
  assert.deepEqual(listOptions(new URLSearchParams('sort=bogus&priority=9')), {
    sort: 'manual',
    priority: undefined,
    label: undefined,
    project: undefined,
  });
  const rows = [
    task({ id: 'x', position: '3', priority: 2, labels: [{ id: 'l', name: 'home' }] }),
    task({ id: 'y', position: '1', priority: 1 }),
    task({ id: 'z', position: '2', priority: 1, project_id: 'p' }),
  ];
  assert.deepEqual(
    sortTasks([...rows], 'manual').map((t) => t.id),
    ['y', 'z', 'x'],
  );
  assert.deepEqual(
    sortTasks([...rows], 'priority').map((t) => t.id),
    ['y', 'z', 'x'],
  );
  assert.deepEqual(
    applyFilters(rows, { label: 'home' }).map((t) => t.id),
    ['x'],
  );
  assert.deepEqual(
    applyFilters(rows, { project: 'none', priority: 1 }).map((t) => t.id),
    ['y'],
  );
  // Positions too close for doubles still sort exactly.
  const p = [
    task({ id: 'b', position: '1763900000000.00000000000000000002' }),
    task({ id: 'a', position: '1763900000000.00000000000000000001' }),
  ];
  assert.deepEqual(
    sortTasks(p, 'manual').map((t) => t.id),
    ['a', 'b'],
  );
});
