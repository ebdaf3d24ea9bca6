// The task detail page's view of a task (every field a person edits there) and what its
// form accepts. Kept apart from schemas.ts, which serves the Inbox's smaller forms.
import type { TaskStatus } from './schemas.ts';

export type TaskLabel = { id: string; name: string };

export type TaskDetail = {
  workspaceId: string;
  id: string;
  title: string;
  notes: string;
  status: TaskStatus;
  /** 1 (highest) to 4 (none). */
  priority: number;
  /** YYYY-MM-DD in dueTz. */
  dueDate: string | null;
  /** HH:MM in dueTz, or null for a date-only task. */
  dueTime: string | null;
  dueTz: string | null;
  recurrence: string | null;
  projectId: string | null;
  completedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  labels: TaskLabel[];
};

/** The select list producing a TaskDetail from `public.tasks t`; labels come as JSON. */
export const TASK_DETAIL_COLUMNS = `t.workspace_id as "workspaceId", t.id, t.title, t.notes, t.status,
  t.priority, t.due_date::text as "dueDate", to_char(t.due_time, 'HH24:MI') as "dueTime", t.due_tz as "dueTz",
  t.recurrence, t.project_id as "projectId", t.completed_at as "completedAt", t.deleted_at as "deletedAt",
  t.created_at as "createdAt",
  coalesce((select json_agg(json_build_object('id', l.id, 'name', l.name) order by lower(l.name))
              from public.task_labels tl
              join public.labels l on l.workspace_id = tl.workspace_id and l.id = tl.label_id
             where tl.workspace_id = t.workspace_id and tl.task_id = t.id), '[]'::json) as labels`;

export { labelName, newLabelNames, priority, timeZone, updateTaskDetailInput } from '#lib/tasks/fields.ts';
export type { UpdateTaskDetailInput } from '#lib/tasks/fields.ts';
