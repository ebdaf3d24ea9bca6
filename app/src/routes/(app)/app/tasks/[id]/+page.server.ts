import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { listProjects } from '#lib/server/projects/list-projects.ts';
import { toTaskActionError } from '#lib/server/tasks/action-errors.ts';
import { deleteTask } from '#lib/server/tasks/delete-task.ts';
import { updateTaskDetailInput } from '#lib/server/tasks/detail-schemas.ts';
import { getTaskDetail, getTaskRow } from '#lib/server/tasks/get-task-detail.ts';
import { listLabels } from '#lib/server/tasks/list-labels.ts';
import { recurrenceText } from '#lib/server/tasks/recurrence-text.ts';
import { taskKey } from '#lib/server/tasks/schemas.ts';
import { updateTaskDetail } from '#lib/server/tasks/update-task-detail.ts';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

type DetailField = 'title' | 'notes' | 'dueDate' | 'dueTime' | 'priority' | 'projectId' | 'labelIds' | 'newLabels';

export const load: PageServerLoad = async ({ locals, params, parent }) => {
  const { claims } = requireCaller(locals);
  // A malformed id would be a 22P02 from Postgres; it is simply "not found".
  if (!z.uuid().safeParse(params.id).success) error(404, 'That task does not exist.');
  const task = await getTaskDetail({ claims, id: params.id });
  if (!task) error(404, 'That task does not exist.');
  // The shell's zone: the person's setting, else the browser's (tz cookie), else UTC.
  const [row, labels, projects, { timeZone }] = await Promise.all([
    getTaskRow({ claims, id: task.id }),
    listLabels({ claims, workspaceId: task.workspaceId }),
    listProjects({ claims }),
    parent(),
  ]);
  return {
    task,
    /** The task as the browser cache holds it: with JavaScript, saves go through the cache. */
    row,
    labels,
    // Archived projects are not offered, except the one the task is already in.
    projects: projects
      .filter((p) => p.workspaceId === task.workspaceId && (!p.archivedAt || p.id === task.projectId))
      .map((p) => ({ id: p.id, name: p.name, color: p.color, archived: p.archivedAt !== null })),
    recurrence: recurrenceText(task.recurrence),
    timeZone,
  };
};

export const actions = {
  update: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const data = await request.formData();
    const fields = formFields(data);
    const labelIds = data.getAll('labelIds').filter((v): v is string => typeof v === 'string');
    const values = {
      title: fields.title ?? '',
      notes: fields.notes ?? '',
      dueDate: fields.dueDate ?? '',
      dueTime: fields.dueTime ?? '',
      priority: fields.priority ?? '4',
      projectId: fields.projectId ?? '',
      labelIds,
      newLabels: fields.newLabels ?? '',
    };
    const parsed = updateTaskDetailInput.safeParse({ ...fields, labelIds, id: params.id });
    if (!parsed.success) return fail(400, { errors: fieldErrors<DetailField>(parsed.error), values });
    try {
      const task = await updateTaskDetail({ claims, input: parsed.data });
      if (!task) return fail(404, { errors: { form: [GONE] } as FieldErrors<DetailField>, values });
    } catch (caught) {
      const refused = toTaskActionError(caught);
      if (!refused) throw caught;
      const field: DetailField | 'form' =
        refused.field === 'dueDate' && /time/i.test(refused.message) ? 'dueTime' : refused.field;
      const errors: FieldErrors<DetailField> = { [field]: [refused.message] };
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
