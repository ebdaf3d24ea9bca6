import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';

/** Deletes a reminder of the task as the caller (its trigger removes the job). */
export async function removeReminder({
  claims,
  task,
  reminderId,
}: {
  claims: Claims;
  task: { workspaceId: string; id: string };
  reminderId: string;
}): Promise<boolean> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rowCount } = await client.query(
      `delete from public.task_reminders where workspace_id = $1 and task_id = $2 and id = $3`,
      [task.workspaceId, task.id, reminderId],
    );
    return rowCount === 1;
  });
}
