import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task } from './schemas.ts';

export type ListCompletedOptions = { claims: Claims; limit?: number };

/** Completed live tasks of the caller's personal workspace, newest completion first. */
export async function listCompleted({ claims, limit = 200 }: ListCompletedOptions): Promise<Task[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<Task>(
      `select ${TASK_COLUMNS} from public.tasks
        where workspace_id = (select public.my_personal_workspace_id())
          and deleted_at is null and status = 'completed'
        order by completed_at desc, id
        limit $1`,
      [limit],
    );
    return rows;
  });
}
