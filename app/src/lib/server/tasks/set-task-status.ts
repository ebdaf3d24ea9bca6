import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type SetStatusInput, type Task } from './schemas.ts';

export type SetTaskStatusOptions = { claims: Claims; input: SetStatusInput };

/** Completes or reopens a task; a trigger keeps completed_at in step with status. */
export async function setTaskStatus({ claims, input }: SetTaskStatusOptions): Promise<Task | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `update public.tasks set status = $3
        where workspace_id = $1 and id = $2 and deleted_at is null
        returning ${TASK_COLUMNS}`,
      [input.workspaceId, input.id, input.status],
    );
    return rows[0] ?? null;
  });
}
