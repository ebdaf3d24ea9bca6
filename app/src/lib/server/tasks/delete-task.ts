import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task, type TaskKey } from './schemas.ts';

export type DeleteTaskOptions = { claims: Claims; key: TaskKey };

/** Moves a task to the trash (soft delete: deleted_at is set, the row stays restorable). */
export async function deleteTask({ claims, key }: DeleteTaskOptions): Promise<Task | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `update public.tasks set deleted_at = now()
        where workspace_id = $1 and id = $2 and deleted_at is null
        returning ${TASK_COLUMNS}`,
      [key.workspaceId, key.id],
    );
    return rows[0] ?? null;
  });
}
