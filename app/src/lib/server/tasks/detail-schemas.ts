// The task detail page's view of a task (every field a person edits there) and what its
// form accepts. Kept apart from schemas.ts, which serves the Inbox's smaller forms.
import { z } from 'zod';
import { dueDate, notes, taskKey, taskTitle, type TaskStatus } from './schemas.ts';

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

const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

export const dueTime = z.preprocess(
  emptyToNull,
  z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'Enter a time like 17:30.')
    .transform((v) => v.slice(0, 5))
    .nullable()
    .default(null),
);

export const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'Choose a time zone from the list.');

export const priority = z.coerce
  .number({ error: 'Choose a priority.' })
  .int('Choose a priority.')
  .min(1, 'Choose a priority.')
  .max(4, 'Choose a priority.');

/** A label name as quick add writes it: no spaces, an optional leading @ is dropped. */
export const labelName = z
  .string()
  .trim()
  .transform((v) => v.replace(/^@/, ''))
  .pipe(
    z
      .string()
      .min(1, 'Label names cannot be empty.')
      .max(60, 'Label names are at most 60 characters.')
      .regex(/^\S+$/, 'Label names cannot contain spaces.'),
  );

/** "home, errands @urgent" → ["home", "errands", "urgent"] (commas or spaces separate). */
export const newLabelNames = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : []),
  z.array(labelName).max(20, 'Add at most 20 labels at once.'),
);

export const updateTaskDetailInput = taskKey
  .extend({
    title: taskTitle,
    // A form submits a textarea's line breaks as CRLF; notes keep the \n the API stores.
    notes: z
      .string()
      .default('')
      .transform((v) => v.replace(/\r\n?/g, '\n'))
      .pipe(notes),
    dueDate,
    dueTime,
    dueTz: timeZone,
    priority,
    projectId: z.preprocess(emptyToNull, z.uuid('Choose a project from the list.').nullable().default(null)),
    labelIds: z.array(z.uuid('Choose labels from the list.')).max(100).default([]),
    newLabels: newLabelNames,
  })
  .superRefine((input, ctx) => {
    if (input.dueTime && !input.dueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueTime'], message: 'Pick a due date for this time, or clear the time.' });
    }
  });
export type UpdateTaskDetailInput = z.infer<typeof updateTaskDetailInput>;
