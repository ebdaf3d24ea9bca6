// Creating a task from typed text (quick add and the Inbox's add field): parse it, show
// it at once in the cache under a client-generated id, and send it; a refusal removes it
// again and says why. The id doubles as the write's identity, so a retry cannot duplicate.
import { tasks } from './tasks.svelte.ts';
import type { ProjectRef, TaskRow } from './types.ts';

export type CreateRequest = {
  text: string;
  /** An explicit date from a date field (wins over one in the text). */
  dueDate?: string | null;
  timeZone: string;
  workspaceId: string;
  projects: ProjectRef[];
  /** Defaults to the Inbox (no project). */
  projectId?: string | null;
};

export async function createFromText(req: CreateRequest): Promise<boolean> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const title = req.text.trim();
  const row: TaskRow = {
    workspace_id: req.workspaceId,
    id,
    project_id: req.projectId ?? null,
    title,
    status: 'open',
    priority: 4,
    due_date: req.dueDate ?? null,
    due_time: null,
    due_tz: null,
    due_at: null,
    recurrence: null,
    position: String(Date.now()),
    completed_at: null,
    created_at: now,
    labels: [],
  };
  return tasks.create(row, { title, due_date: row.due_date, project_id: row.project_id });
}
