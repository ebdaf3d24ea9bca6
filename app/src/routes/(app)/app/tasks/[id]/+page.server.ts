import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { fieldErrors, formFields, type FieldErrors } from '#lib/server/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { toTaskActionError, type TaskField } from '#lib/server/tasks/action-errors.ts';
import { deleteTask } from '#lib/server/tasks/delete-task.ts';
import { getTask } from '#lib/server/tasks/get-task.ts';
import { taskKey, updateTaskInput } from '#lib/server/tasks/schemas.ts';
import { updateTask } from '#lib/server/tasks/update-task.ts';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

export const load: PageServerLoad = async ({ locals, params }) => {
  const { claims } = requireCaller(locals);
  // A malformed id would be a 22P02 from Postgres; it is simply "not found".
  if (!z.uuid().safeParse(params.id).success) error(404, 'That task does not exist.');
  const task = await getTask({ claims, id: params.id });
  if (!task) error(404, 'That task does not exist.');
  return { task };
};

export const actions = {
  update: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { title: fields.title ?? '', dueDate: fields.dueDate ?? '', notes: fields.notes ?? '' };
    const parsed = updateTaskInput.safeParse({ ...fields, id: params.id });
    if (!parsed.success) return fail(400, { errors: fieldErrors<TaskField>(parsed.error), values });
    try {
      const task = await updateTask({ claims, input: parsed.data });
      if (!task) return fail(404, { errors: { form: [GONE] } as FieldErrors<TaskField>, values });
    } catch (caught) {
      const refused = toTaskActionError(caught);
      if (!refused) throw caught;
      const errors: FieldErrors<TaskField> = { [refused.field]: [refused.message] };
      return fail(refused.status, { errors, values });
    }
    redirect(303, '/app');
  },

  delete: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse({ ...fields, id: params.id });
    if (!parsed.success) error(404, 'That task does not exist.');
    await deleteTask({ claims, key: parsed.data });
    redirect(303, '/app');
  },
} satisfies Actions;
