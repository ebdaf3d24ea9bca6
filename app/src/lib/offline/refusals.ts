// Changes made offline that the server refused on replay (a project deleted meanwhile, a
// value a constraint rejects, a task removed by another session). The outbox drops the
// request, but the person's values are kept here, with the server's reason, until they put
// them back into the task ("Edit again") or discard them. Pure, unit-tested
// (tests/unit/offline-outbox.test.ts); sync.svelte.ts keeps the list in IndexedDB.
import type { TaskRow } from '../data/types.ts';
import type { Mutation, TaskPatch } from './outbox.ts';

export type Refusal = {
  /** The outbox entry's id. */
  id: string;
  taskId: string;
  kind: Mutation['kind'];
  /** The task's title as the person last saw it (for the message). */
  title: string | null;
  reason: string;
  /** The fields the person set (a patch, or the new task's fields). */
  values: TaskPatch;
  /** Whether the task still exists on the server, so its page can take the values again. */
  editable: boolean;
  at: number;
};

/** The fields of a new task worth showing and restoring (not ids, positions, timestamps). */
const CREATED_FIELDS = ['title', 'priority', 'due_date', 'due_time', 'recurrence'] as const;

/** The refusal of queued entry `m`, keeping what the person typed. */
export function refusalOf(m: Mutation, reason: string, current: TaskRow | undefined, at: number): Refusal {
  const title =
    m.kind === 'update' || m.kind === 'labels'
      ? (m.payload.after?.title ?? current?.title ?? null)
      : m.payload.row.title;
  let values: TaskPatch;
  if (m.kind === 'update') values = { ...m.payload.patch };
  // A refused label set keeps the labels as chosen (shown; not a field the task page refills).
  else if (m.kind === 'labels') values = { labels: (m.payload.after?.labels ?? []).map((l) => `@${l.name}`).join(' ') };
  else {
    values = {};
    const row = m.payload.row as unknown as Record<string, unknown>;
    for (const field of CREATED_FIELDS) if (row[field] !== null && row[field] !== undefined) values[field] = row[field];
  }
  return { id: m.id, taskId: m.taskId, kind: m.kind, title, reason, values, editable: false, at };
}

const LABELS: Record<string, string> = {
  title: 'Title',
  notes: 'Notes',
  priority: 'Priority',
  project_id: 'Project',
  due_date: 'Due date',
  due_time: 'Due time',
  recurrence: 'Repeats',
  status: 'Status',
  deleted_at: 'Trash',
  position: 'Order',
  labels: 'Labels',
};

/** The person's values as "Label: value" lines (what the refusal list shows). */
export function describeValues(values: TaskPatch, projectName?: (id: string) => string | undefined): string[] {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    const label = LABELS[field];
    if (!label || field === 'due_tz' || field === 'completed_at') continue;
    let shown: string;
    if (field === 'priority') shown = value === 4 ? 'None' : `P${String(value)}`;
    else if (field === 'status') shown = value === 'completed' ? 'Completed' : 'Open';
    else if (field === 'deleted_at') shown = value ? 'Moved to Trash' : 'Restored';
    else if (field === 'position') shown = 'Moved';
    else if (field === 'project_id')
      shown = value ? (projectName?.(String(value)) ?? 'A project that no longer exists') : 'Inbox';
    else if (value === null || value === '') shown = 'None';
    else shown = String(value);
    lines.push(`${label}: ${shown}`);
  }
  return lines;
}

/** The task page's form fields a refused change fills in again. */
export type DraftValues = Partial<{
  title: string;
  notes: string;
  priority: string;
  projectId: string;
  dueDate: string;
  dueTime: string;
}>;

export function draftValues(values: TaskPatch): DraftValues {
  const draft: DraftValues = {};
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  if ('title' in values) draft.title = text(values.title);
  if ('notes' in values) draft.notes = text(values.notes);
  if ('priority' in values) draft.priority = text(values.priority);
  if ('project_id' in values) draft.projectId = text(values.project_id);
  if ('due_date' in values) draft.dueDate = text(values.due_date);
  if ('due_time' in values) draft.dueTime = text(values.due_time).slice(0, 5);
  return draft;
}
