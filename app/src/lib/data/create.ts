// Creating a task from typed text (quick add and the Inbox's add field): parse it with the
// shared quick-add parser (the same module the server's no-JavaScript form uses), show it
// at once in the cache under a client-generated id, and send it through
// public.quick_add_task; a refusal removes it again and says why. The id is the write's
// identity too, so a retry cannot create a second task.
import { invalidateAll } from '$app/navigation';
import type { QuickAdd } from '$shared/quick-add/parse.ts';
import { tasks } from './tasks.svelte.ts';
import type { ProjectRef, TaskRow } from './types.ts';

/** The parser pulls in chrono-node: loaded when first needed, not with the page. */
export function loadParser() {
  return import('$shared/quick-add/parse.ts');
}

export type CreateRequest = {
  text: string;
  /** An explicit date from a date field (wins over one in the text). */
  dueDate?: string | null;
  timeZone: string;
  workspaceId: string;
  projects: ProjectRef[];
  /** The project of the list the task is added from (a #project in the text wins). */
  projectId?: string | null;
  /** Already parsed (the quick-add dialog parses as you type). */
  parsed?: QuickAdd;
};

export async function createFromText(req: CreateRequest): Promise<boolean> {
  const parsed =
    req.parsed ?? (await loadParser()).parseQuickAdd(req.text, { now: new Date(), timeZone: req.timeZone });
  const id = crypto.randomUUID();
  const title = parsed.title.trim() || req.text.trim();
  const projectName = parsed.project;
  const known = projectName ? req.projects.find((p) => p.name.toLowerCase() === projectName.toLowerCase()) : undefined;
  const fallbackProject = req.projectId ? req.projects.find((p) => p.id === req.projectId) : undefined;
  const dueDate = req.dueDate || parsed.due?.date || null;
  const dueTime = req.dueDate ? null : (parsed.due?.time ?? null);
  const row: TaskRow = {
    workspace_id: req.workspaceId,
    id,
    project_id: known?.id ?? (projectName ? null : (req.projectId ?? null)),
    title,
    status: 'open',
    priority: parsed.priority ?? 4,
    due_date: dueDate,
    due_time: dueTime,
    due_tz: dueTime ? req.timeZone : null,
    due_at: null,
    recurrence: parsed.recurrence,
    position: String(Date.now()),
    completed_at: null,
    created_at: new Date().toISOString(),
    labels: parsed.labels.map((name) => ({ id: `new:${name}`, name })),
  };
  const ok = await tasks.quickAdd(row, projectName ?? fallbackProject?.name ?? null);
  // A #project that did not exist yet was created: the shell's project list is stale.
  if (ok && projectName && !known) await invalidateAll();
  return ok;
}
