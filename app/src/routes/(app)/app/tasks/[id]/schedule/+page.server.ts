// Form actions for a task's reminders and repeat rule, posted from the task page
// (TaskReminders.svelte, RecurrencePreview.svelte) or from this page. Their own route, so the
// task page's actions stay untouched. Success → 303 back to the task; a refusal renders this
// page with the message (without JavaScript) or is shown in place (with it).
import { error, fail, redirect } from '@sveltejs/kit';
import { toAppError } from '$server/errors.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { addReminder } from '#lib/server/reminders/add-reminder.ts';
import { removeReminder } from '#lib/server/reminders/remove-reminder.ts';
import { addReminderInput, removeReminderInput, setRecurrenceInput, taskRef } from '#lib/server/reminders/schemas.ts';
import { setRecurrence } from '#lib/server/reminders/set-recurrence.ts';
import type { Actions } from './$types';

type ScheduleField = 'kind' | 'amount' | 'unit' | 'remindAt' | 'reminderId' | 'rrule';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

function taskOf(fields: Record<string, string>, id: string) {
  const parsed = taskRef.safeParse({ workspaceId: fields.workspaceId, id });
  if (!parsed.success) error(404, 'That task does not exist.');
  return parsed.data;
}

function refused(caught: unknown, action: string, values: Record<string, string>) {
  const appError = toAppError(caught);
  if (appError.status >= 500) throw caught;
  const errors: FieldErrors<ScheduleField> = { form: [appError.message] };
  return fail(appError.status, { action, errors, values });
}

export const actions = {
  addReminder: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const task = taskOf(fields, params.id);
    const parsed = addReminderInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'addReminder', errors: fieldErrors<ScheduleField>(parsed.error), values: fields });
    }
    try {
      const id = await addReminder({ claims, task, input: parsed.data });
      if (!id) return fail(404, { action: 'addReminder', errors: { form: [GONE] }, values: fields });
    } catch (caught) {
      return refused(caught, 'addReminder', fields);
    }
    redirect(303, `/app/tasks/${task.id}#reminders`);
  },

  removeReminder: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const task = taskOf(fields, params.id);
    const parsed = removeReminderInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'removeReminder', errors: fieldErrors<ScheduleField>(parsed.error), values: fields });
    }
    await removeReminder({ claims, task, reminderId: parsed.data.reminderId });
    redirect(303, `/app/tasks/${task.id}#reminders`);
  },

  setRecurrence: async ({ request, locals, params }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const task = taskOf(fields, params.id);
    // "Stop repeating" submits clear=1 beside the rule field.
    const parsed = setRecurrenceInput.safeParse(fields.clear ? { rrule: '' } : fields);
    if (!parsed.success) {
      return fail(400, { action: 'setRecurrence', errors: fieldErrors<ScheduleField>(parsed.error), values: fields });
    }
    try {
      const saved = await setRecurrence({ claims, task, rrule: parsed.data.rrule || null });
      if (!saved) return fail(404, { action: 'setRecurrence', errors: { form: [GONE] }, values: fields });
    } catch (caught) {
      return refused(caught, 'setRecurrence', fields);
    }
    redirect(303, `/app/tasks/${task.id}#repeats`);
  },
} satisfies Actions;
