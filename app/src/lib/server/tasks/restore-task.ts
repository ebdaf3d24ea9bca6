import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task, type TaskKey } from './schemas.ts';

export type RestoreTaskOptions = { claims: Claims; key: TaskKey };

/** Takes a task back out of the trash (the "Undo" after a delete). */
export async function restoreTask({ claims, key }: RestoreTaskOptions): Promise<Task | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `update public.tasks set deleted_at = null
        where workspace_id = $1 and id = $2 and deleted_at is not null
        returning ${TASK_COLUMNS}`,
      [key.workspaceId, key.id],
    );
    return rows[0] ?? null;
  });
}
