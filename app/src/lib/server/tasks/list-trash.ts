import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task } from './schemas.ts';

export type TrashedTask = Task & { deletedAt: Date };
export type ListTrashOptions = { claims: Claims; limit?: number };

/** Soft-deleted tasks of the caller's personal workspace, most recently deleted first. */
export async function listTrash({ claims, limit = 500 }: ListTrashOptions): Promise<TrashedTask[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<TrashedTask>(
      `select ${TASK_COLUMNS}, deleted_at as "deletedAt" from public.tasks
        where workspace_id = (select public.my_personal_workspace_id()) and deleted_at is not null
        order by deleted_at desc, id
        limit $1`,
      [limit],
    );
    return rows;
  });
}
