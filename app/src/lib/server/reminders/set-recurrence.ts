import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';

/** Sets (or, with null, clears) a task's repeat rule as the caller; false when not there. */
export async function setRecurrence({
  claims,
  task,
  rrule,
}: {
  claims: Claims;
  task: { workspaceId: string; id: string };
  rrule: string | null;
}): Promise<boolean> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rowCount } = await client.query(
      `update public.tasks set recurrence = $3 where workspace_id = $1 and id = $2 and deleted_at is null`,
      [task.workspaceId, task.id, rrule],
    );
    return rowCount === 1;
  });
}
