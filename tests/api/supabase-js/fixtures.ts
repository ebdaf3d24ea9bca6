// A small, known workspace built through the client itself (inserts as the signed-up
// user), so every read test can assert exact rows: three projects, five tasks, three
// labels and four task↔label links. Ids are chosen here so tests can name rows.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestUser } from '../../support/supabase.ts';

export type Seed = {
  projects: { home: string; work: string; empty: string };
  tasks: { milk: string; rent: string; report: string; plumber: string; review: string };
  labels: { urgent: string; errand: string; someday: string };
};

/** Task rows as inserted; the order of this list is the order of `position`. */
export function seedTasks(seed: Seed) {
  return [
    {
      id: seed.tasks.milk,
      title: 'Buy milk',
      notes: 'two litres of oat milk',
      project_id: seed.projects.home,
      priority: 1,
      due_date: '2026-12-01',
      status: 'open',
      position: 1,
      deleted_at: null,
    },
    {
      id: seed.tasks.rent,
      title: 'Pay rent',
      notes: '',
      project_id: seed.projects.home,
      priority: 2,
      due_date: '2026-12-05',
      status: 'open',
      position: 2,
      deleted_at: null,
    },
    {
      id: seed.tasks.report,
      title: 'Write quarterly report',
      notes: 'numbers for the board meeting',
      project_id: seed.projects.work,
      priority: 1,
      due_date: null,
      status: 'completed',
      position: 3,
      deleted_at: null,
    },
    {
      id: seed.tasks.plumber,
      title: 'Call the plumber',
      notes: 'kitchen sink is leaking',
      project_id: null,
      priority: 4,
      due_date: '2026-11-30',
      status: 'open',
      position: 4,
      deleted_at: null,
    },
    {
      id: seed.tasks.review,
      title: 'Review pull request (50%)',
      notes: 'the parser, comma, and parens',
      project_id: seed.projects.work,
      priority: 3,
      due_date: null,
      status: 'open',
      position: 5,
      deleted_at: '2026-11-20T10:00:00+00:00',
    },
  ];
}

export async function seedWorkspace(user: TestUser): Promise<Seed> {
  const seed: Seed = {
    projects: { home: randomUUID(), work: randomUUID(), empty: randomUUID() },
    tasks: {
      milk: randomUUID(),
      rent: randomUUID(),
      report: randomUUID(),
      plumber: randomUUID(),
      review: randomUUID(),
    },
    labels: { urgent: randomUUID(), errand: randomUUID(), someday: randomUUID() },
  };
  const ws = user.workspaceId;
  const projects = await user.db.from('projects').insert([
    { workspace_id: ws, id: seed.projects.home, name: 'Home', color: 'blue', position: 1 },
    { workspace_id: ws, id: seed.projects.work, name: 'Work', color: 'red', position: 2 },
    { workspace_id: ws, id: seed.projects.empty, name: 'Empty', color: 'slate', position: 3 },
  ]);
  assert.equal(projects.error, null, `seeding projects: ${JSON.stringify(projects.error)}`);

  const tasks = await user.db.from('tasks').insert(seedTasks(seed).map((t) => ({ workspace_id: ws, ...t })));
  assert.equal(tasks.error, null, `seeding tasks: ${JSON.stringify(tasks.error)}`);

  const labels = await user.db.from('labels').insert([
    { workspace_id: ws, id: seed.labels.urgent, name: 'urgent', color: 'red' },
    { workspace_id: ws, id: seed.labels.errand, name: 'errand', color: 'green' },
    { workspace_id: ws, id: seed.labels.someday, name: 'someday', color: 'slate' },
  ]);
  assert.equal(labels.error, null, `seeding labels: ${JSON.stringify(labels.error)}`);

  const links = await user.db.from('task_labels').insert([
    { workspace_id: ws, task_id: seed.tasks.milk, label_id: seed.labels.urgent },
    { workspace_id: ws, task_id: seed.tasks.milk, label_id: seed.labels.errand },
    { workspace_id: ws, task_id: seed.tasks.rent, label_id: seed.labels.urgent },
    { workspace_id: ws, task_id: seed.tasks.plumber, label_id: seed.labels.errand },
  ]);
  assert.equal(links.error, null, `seeding task_labels: ${JSON.stringify(links.error)}`);
  return seed;
}

/** Sorts by a key so set-like results compare independently of order. */
export function byKey<T>(key: keyof T) {
  return (a: T, b: T) => String(a[key]).localeCompare(String(b[key]));
}

type Outcome = {
  error: { code?: string; message?: string; details?: unknown; hint?: unknown } | null;
  status: number;
  data: unknown;
};

/** Asserts a PostgREST error response: HTTP status, error code, no data; returns the error. */
export function assertPgrstError(res: Outcome, status: number, code: string) {
  assert.ok(res.error, `expected error ${code}, got status ${res.status} with data ${JSON.stringify(res.data)}`);
  assert.deepEqual(
    { status: res.status, code: res.error.code },
    { status, code },
    `error was ${JSON.stringify(res.error)}`,
  );
  assert.equal(res.data, null);
  assert.equal(typeof res.error.message, 'string');
  assert.ok(res.error.message && res.error.message.length > 0, 'the error has a message');
  return res.error as { code: string; message: string; details: unknown; hint: unknown };
}

/** Asserts success: no error and the expected HTTP status. */
export function assertOk(res: Outcome, status = 200) {
  assert.equal(res.error, null, `unexpected error (status ${res.status}): ${JSON.stringify(res.error)}`);
  assert.equal(res.status, status);
}
