// What the task forms accept, and the shape of a task as the app sees it. The database
// checks the same rules again (tasks_* constraints); these give the earlier, kinder message.
import { z } from 'zod';

// The field rules are shared with the browser (#lib/tasks/fields.ts): one definition.
import { dueDate, notes, taskKey, taskTitle } from '#lib/tasks/fields.ts';
export { dueDate, notes, taskKey, taskTitle };
export type { TaskKey } from '#lib/tasks/fields.ts';

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
