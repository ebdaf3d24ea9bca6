// Fires one reminder. Enqueued by the triggers on task_reminders and tasks
// (private.schedule_reminder) with job_key reminder:<id> and run_at = the instant it fires, so
// an edit replaces the job and completing the task removes it. The payload names the instant
// the job was scheduled for; private.fire_reminder re-reads the reminder and its task and does
// nothing when the task is done, trashed or gone or the instant has moved, else notifies the
// reminder's owner once (private.notify dedupes on reminder:<id>:<instant>). Running the job
// twice therefore notifies once.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

export const reminderPayload = z.object({
  workspace_id: z.uuid(),
  reminder_id: z.uuid(),
  fire_at: z.iso.datetime({ offset: true }),
});

export const reminders__fire: Task = async (raw, helpers) => {
  const payload = reminderPayload.parse(raw);
  const { rows } = await helpers.query<{ outcome: string }>(
    'select private.fire_reminder($1, $2, $3::timestamptz) as outcome',
    [payload.workspace_id, payload.reminder_id, payload.fire_at],
  );
  helpers.logger.debug(`reminder ${payload.reminder_id}: ${rows[0]?.outcome ?? 'no answer'}`);
};
