import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task, type UpdateTaskInput } from './schemas.ts';

export type UpdateTaskOptions = { claims: Claims; input: UpdateTaskInput };

/** Changes a live task's title, due date and notes; null when it is gone or not the caller's. */
export async function updateTask({ claims, input }: UpdateTaskOptions): Promise<Task | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `update public.tasks set title = $3, due_date = $4, notes = $5
        where workspace_id = $1 and id = $2 and deleted_at is null
        returning ${TASK_COLUMNS}`,
      [input.workspaceId, input.id, input.title, input.dueDate, input.notes],
    );
    return rows[0] ?? null;
  });
}
