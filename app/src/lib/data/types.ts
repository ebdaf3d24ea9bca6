// A task as the browser holds it: the REST row (snake_case, as /rest/v1/tasks returns it),
// with `position` as a decimal string (selected as position::text) and its labels embedded.
// The SSR loaders produce exactly this shape so the cache can be seeded from them.

export type LabelRef = { id: string; name: string };

export type TaskRow = {
  workspace_id: string;
  id: string;
  project_id: string | null;
  title: string;
  status: 'open' | 'completed';
  priority: 1 | 2 | 3 | 4;
  due_date: string | null;
  due_time: string | null;
  due_tz: string | null;
  due_at: string | null;
  recurrence: string | null;
  position: string;
  completed_at: string | null;
  created_at: string;
  labels: LabelRef[];
};

export type ProjectRef = { id: string; name: string; color: string };

/** The REST select list that yields a TaskRow. */
export const TASK_SELECT =
  'workspace_id,id,project_id,title,status,priority,due_date,due_time,due_tz,due_at,recurrence,position:position::text,completed_at,created_at,labels(id,name)';

export type SortKey = 'manual' | 'due' | 'priority' | 'created';
export const SORT_KEYS: readonly SortKey[] = ['manual', 'due', 'priority', 'created'];

/** What a list shows: the view plus the URL's sort and filters. */
export type ViewQuery = {
  view: 'inbox' | 'today' | 'upcoming' | 'project';
  projectId?: string | undefined;
  sort: SortKey;
  label?: string | undefined;
  project?: string | undefined;
  priority?: number | undefined;
};
