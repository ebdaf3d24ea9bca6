// What the task forms accept, and the shape of a task as the app sees it. The database
// checks the same rules again (tasks_* constraints); these give the earlier, kinder message.
import { z } from 'zod';

export const taskTitle = z.string().trim().min(1, 'Enter a title.').max(500, 'Titles are at most 500 characters.');

/** An optional calendar day from <input type="date">: empty means "no due date". */
export const dueDate = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null))
  .pipe(z.iso.date('Enter a date like 2026-12-31.').nullable());

export const notes = z.string().max(20_000, 'Notes are at most 20,000 characters.');

/** A task's primary key. RLS decides whether the caller may touch it. */
export const taskKey = z.object({
  workspaceId: z.uuid('That task does not exist.'),
  id: z.uuid('That task does not exist.'),
});
export type TaskKey = z.infer<typeof taskKey>;

export const createTaskInput = z.object({ title: taskTitle, dueDate });
export type CreateTaskInput = z.infer<typeof createTaskInput>;

export const updateTaskInput = taskKey.extend({ title: taskTitle, dueDate, notes: notes.default('') });
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;

export const taskStatus = z.enum(['open', 'completed']);
export type TaskStatus = z.infer<typeof taskStatus>;

export const setStatusInput = taskKey.extend({ status: taskStatus });
export type SetStatusInput = z.infer<typeof setStatusInput>;

export type Task = {
  workspaceId: string;
  id: string;
  title: string;
  notes: string;
  status: TaskStatus;
  /** YYYY-MM-DD, a calendar day (never shifted by a time zone). */
  dueDate: string | null;
  completedAt: Date | null;
};

/** The select list that produces a Task; kept in one place so every query agrees. */
export const TASK_COLUMNS = `workspace_id as "workspaceId", id, title, notes, status,
  due_date as "dueDate", completed_at as "completedAt"`;
