import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { TaskKey } from './schemas.ts';

export type PurgeTaskOptions = { claims: Claims; key: TaskKey };

/** Deletes a task in the trash for good. Only trashed tasks: a live one is never purged by mistake. */
export async function purgeTask({ claims, key }: PurgeTaskOptions): Promise<boolean> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rowCount } = await client.query(
      `delete from public.tasks where workspace_id = $1 and id = $2 and deleted_at is not null`,
      [key.workspaceId, key.id],
    );
    return (rowCount ?? 0) > 0;
  });
}

export type EmptyTrashOptions = { claims: Claims };

/** Deletes every trashed task of the caller's personal workspace; returns how many. */
export async function emptyTrash({ claims }: EmptyTrashOptions): Promise<number> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rowCount } = await client.query(
      `delete from public.tasks
        where workspace_id = (select public.my_personal_workspace_id()) and deleted_at is not null`,
    );
    return rowCount ?? 0;
  });
}
