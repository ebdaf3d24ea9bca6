import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { parseLocalDate, parseLocalTime } from '$shared/recurrence/engine.ts';
import { wallToInstant } from '$shared/recurrence/zoned-time.ts';
import type { AddReminderInput } from './schemas.ts';

export type AddReminderOptions = {
  claims: Claims;
  task: { workspaceId: string; id: string };
  input: AddReminderInput;
};

/**
 * Adds a reminder as the caller (RLS decides; the trigger schedules its job). An absolute
 * reminder's local date-time is read in the caller's zone. Null when the task is not there.
 */
export async function addReminder({ claims, task, input }: AddReminderOptions): Promise<string | null> {
  let remindAt: Date | null = null;
  if (input.remindAt) {
    const [date = '', time = ''] = input.remindAt.split('T');
    remindAt = wallToInstant(parseLocalDate(date), parseLocalTime(time.slice(0, 5)), input.tz);
  }
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit, remind_at)
       select t.workspace_id, t.id, $3, $4, $5, $6 from public.tasks t
       where t.workspace_id = $1 and t.id = $2
       returning id`,
      [task.workspaceId, task.id, input.kind, input.amount, input.unit, remindAt],
    );
    return rows[0]?.id ?? null;
  });
}
