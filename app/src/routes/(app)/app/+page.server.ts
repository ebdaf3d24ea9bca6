import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, formFields, type FieldErrors } from '#lib/server/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { toTaskActionError, type TaskField } from '#lib/server/tasks/action-errors.ts';
import { createTask } from '#lib/server/tasks/create-task.ts';
import { deleteTask } from '#lib/server/tasks/delete-task.ts';
import { listTasks } from '#lib/server/tasks/list-tasks.ts';
import { restoreTask } from '#lib/server/tasks/restore-task.ts';
import { createTaskInput, setStatusInput, taskKey } from '#lib/server/tasks/schemas.ts';
import { setTaskStatus } from '#lib/server/tasks/set-task-status.ts';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

export const load: PageServerLoad = async ({ locals }) => {
  const { claims } = requireCaller(locals);
  const tasks = await listTasks({ claims });
  // "Today" for overdue hints. Due dates are calendar days kept in UTC until tasks carry a time zone.
  return { ...tasks, today: new Date().toISOString().slice(0, 10) };
};

/** A refused mutation of one existing task (toggle, delete, restore). */
function taskFailure(action: string, taskId: string | undefined, status: number, message: string) {
  return fail(status, { action, taskId: taskId ?? null, errors: { form: [message] } as FieldErrors<TaskField> });
}

export const actions = {
  create: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { title: fields.title ?? '', dueDate: fields.dueDate ?? '' };
    const parsed = createTaskInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'create', errors: fieldErrors<TaskField>(parsed.error), values });
    }
    try {
      await createTask({ claims, input: parsed.data });
    } catch (error) {
      const refused = toTaskActionError(error);
      if (!refused) throw error;
      const errors: FieldErrors<TaskField> = { [refused.field]: [refused.message] };
      return fail(refused.status, { action: 'create', errors, values });
    }
    redirect(303, '/app');
  },

  toggle: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = setStatusInput.safeParse(fields);
    if (!parsed.success) return taskFailure('toggle', fields.id, 400, GONE);
    try {
      const task = await setTaskStatus({ claims, input: parsed.data });
      if (!task) return taskFailure('toggle', fields.id, 404, GONE);
    } catch (error) {
      const refused = toTaskActionError(error);
      if (!refused) throw error;
      return taskFailure('toggle', fields.id, refused.status, refused.message);
    }
    redirect(303, '/app');
  },

  delete: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return taskFailure('delete', fields.id, 400, GONE);
    const task = await deleteTask({ claims, key: parsed.data });
    if (!task) return taskFailure('delete', fields.id, 404, GONE);
    locals.log.info({ task_id: task.id }, 'task moved to trash');
    // No redirect: the page shows "Deleted … Undo" from this result.
    return { action: 'delete', deleted: { workspaceId: task.workspaceId, id: task.id, title: task.title } };
  },

  restore: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return taskFailure('restore', fields.id, 400, GONE);
    const task = await restoreTask({ claims, key: parsed.data });
    if (!task) return taskFailure('restore', fields.id, 404, 'That task can no longer be restored.');
    redirect(303, '/app');
  },
} satisfies Actions;
