// The form actions every task list shares (Inbox, Today, Upcoming, a project). With
// JavaScript the lists write through the browser cache and REST; these are the plain-HTML
// path: each row's complete/reopen and delete buttons are small forms posting here, and
// the Inbox's add form posts to `create`. After a change the list is shown again (303 to
// the same URL) or, for delete, the page shows "Deleted … Undo" from the result.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { TZ_COOKIE } from '#lib/data/days.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { toTaskActionError, type TaskField } from './action-errors.ts';
import { quickAddTask } from './quick-add-task.ts';
import { requestTimeZone } from './shell-data.ts';
import { deleteTask } from './delete-task.ts';
import { restoreTask } from './restore-task.ts';
import { createTaskInput, setStatusInput, taskKey } from './schemas.ts';
import { setTaskStatus } from './set-task-status.ts';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

/** A refused mutation of one existing task (toggle, delete, restore). */
function taskFailure(action: string, taskId: string | undefined, status: number, message: string) {
  return fail(status, { action, taskId: taskId ?? null, errors: { form: [message] } as FieldErrors<TaskField> });
}

/** Back to the list the form was posted from (same path and filters, no action query). */
function backTo(url: URL): string {
  const search = new URLSearchParams(url.search);
  for (const key of [...search.keys()]) if (key.startsWith('/')) search.delete(key);
  const query = search.toString();
  return `${url.pathname}${query ? `?${query}` : ''}`;
}

export const listActions = {
  create: async ({ request, locals, url, cookies }: RequestEvent) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { title: fields.title ?? '', dueDate: fields.dueDate ?? '' };
    const parsed = createTaskInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'create', errors: fieldErrors<TaskField>(parsed.error), values });
    }
    try {
      const timeZone = await requestTimeZone(claims, cookies.get(TZ_COOKIE));
      await quickAddTask({ claims, input: { text: parsed.data.title, dueDate: parsed.data.dueDate, timeZone } });
    } catch (error) {
      const refused = toTaskActionError(error);
      if (!refused) throw error;
      const errors: FieldErrors<TaskField> = { [refused.field]: [refused.message] };
      return fail(refused.status, { action: 'create', errors, values });
    }
    redirect(303, backTo(url));
  },

  toggle: async ({ request, locals, url }: RequestEvent) => {
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
    redirect(303, backTo(url));
  },

  delete: async ({ request, locals }: RequestEvent) => {
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

  restore: async ({ request, locals, url }: RequestEvent) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return taskFailure('restore', fields.id, 400, GONE);
    const task = await restoreTask({ claims, key: parsed.data });
    if (!task) return taskFailure('restore', fields.id, 404, 'That task can no longer be restored.');
    redirect(303, backTo(url));
  },
};
