// Which tasks a list shows and in what order: pure functions shared by the SSR loaders and
// the browser cache, so the first render and every later one agree.
import { addDays, isDueByToday, taskDay } from './days.ts';
import type { SortKey, TaskRow } from './types.ts';
import { SORT_KEYS } from './types.ts';

export type ViewKind = 'inbox' | 'today' | 'upcoming' | 'project';
export type ViewSpec = { kind: ViewKind; projectId?: string | undefined };

/** Upcoming shows this many days, today included. */
export const UPCOMING_DAYS = 14;

export type ViewContext = { workspaceId: string; timeZone: string; today: string };

export function viewKey(spec: ViewSpec): string {
  return spec.kind === 'project' ? `project:${spec.projectId}` : spec.kind;
}

/** Whether a (live) task belongs to the view. */
export function inView(task: TaskRow, spec: ViewSpec, ctx: ViewContext): boolean {
  if (task.status !== 'open') return false;
  switch (spec.kind) {
    case 'inbox':
      return task.project_id === null && (ctx.workspaceId === '' || task.workspace_id === ctx.workspaceId);
    case 'today':
      return isDueByToday(task, ctx.today, ctx.timeZone);
    case 'upcoming': {
      const day = taskDay(task, ctx.timeZone);
      return day !== null && day >= ctx.today && day <= addDays(ctx.today, UPCOMING_DAYS - 1);
    }
    case 'project':
      return task.project_id === spec.projectId;
  }
}

/** The due-date window (inclusive) the server fetches for a dated view, one day wider each way for zones. */
export function fetchWindow(spec: ViewSpec, today: string): { from: string | null; to: string } | null {
  if (spec.kind === 'today') return { from: null, to: addDays(today, 1) };
  if (spec.kind === 'upcoming') return { from: addDays(today, -1), to: addDays(today, UPCOMING_DAYS) };
  return null;
}

export type ListFilters = { label?: string | undefined; project?: string | undefined; priority?: number | undefined };
export type ListOptions = ListFilters & { sort: SortKey };

/** Sort and filters from a URL's search params (unknown values are ignored). */
export function listOptions(params: { get(name: string): string | null }): ListOptions {
  const sort = params.get('sort');
  const priority = Number(params.get('priority'));
  return {
    sort: SORT_KEYS.includes(sort as SortKey) ? (sort as SortKey) : 'manual',
    label: params.get('label')?.trim().toLowerCase() || undefined,
    project: params.get('project') || undefined,
    priority: Number.isInteger(priority) && priority >= 1 && priority <= 4 ? priority : undefined,
  };
}

export function applyFilters(tasks: readonly TaskRow[], f: ListFilters): TaskRow[] {
  if (!f.label && !f.project && !f.priority) return [...tasks];
  return tasks.filter(
    (t) =>
      (!f.priority || t.priority === f.priority) &&
      (!f.project || (f.project === 'none' ? t.project_id === null : t.project_id === f.project)) &&
      (!f.label || t.labels.some((l) => l.name.toLowerCase() === f.label)),
  );
}

/** Manual order: numeric position; doubles settle almost every pair, exact strings the rest. */
export function byPosition(a: TaskRow, b: TaskRow): number {
  const x = Number(a.position);
  const y = Number(b.position);
  if (x !== y) return x < y ? -1 : 1;
  if (a.position !== b.position) return exactCompare(a.position, b.position);
  return Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function exactCompare(a: string, b: string): number {
  // Same sign and integer part (the doubles were equal): compare digit strings.
  const [ai = '', af = ''] = a.replace('-', '').split('.');
  const [bi = '', bf = ''] = b.replace('-', '').split('.');
  const negative = a.startsWith('-');
  let c = ai.length !== bi.length ? ai.length - bi.length : ai < bi ? -1 : ai > bi ? 1 : 0;
  if (c === 0) {
    const len = Math.max(af.length, bf.length);
    const x = af.padEnd(len, '0');
    const y = bf.padEnd(len, '0');
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  return negative ? -c : c;
}

function dueKey(t: TaskRow): number {
  if (t.due_at) return Date.parse(t.due_at);
  return t.due_date ? Date.parse(`${t.due_date}T23:59:59Z`) : Number.POSITIVE_INFINITY;
}

export function sortTasks(tasks: TaskRow[], sort: SortKey): TaskRow[] {
  switch (sort) {
    case 'manual':
      return tasks.sort(byPosition);
    case 'due':
      return tasks.sort((a, b) => {
        const x = dueKey(a);
        const y = dueKey(b);
        return x === y ? byPosition(a, b) : x < y ? -1 : 1;
      });
    case 'priority':
      return tasks.sort((a, b) => a.priority - b.priority || byPosition(a, b));
    case 'created':
      return tasks.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || byPosition(a, b));
  }
}

/** Everything a list shows, in order. */
export function visibleTasks(
  all: Iterable<TaskRow>,
  spec: ViewSpec,
  ctx: ViewContext,
  options: ListOptions,
): TaskRow[] {
  const members: TaskRow[] = [];
  for (const t of all) if (inView(t, spec, ctx)) members.push(t);
  return sortTasks(applyFilters(members, options), options.sort);
}
