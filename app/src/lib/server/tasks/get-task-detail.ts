import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_DETAIL_COLUMNS, type TaskDetail } from './detail-schemas.ts';

export type GetTaskDetailOptions = { claims: Claims; id: string };

/** One live task with its labels, or null when it does not exist, is in the trash, or RLS hides it. */
export async function getTaskDetail({ claims, id }: GetTaskDetailOptions): Promise<TaskDetail | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<TaskDetail>(
      `select ${TASK_DETAIL_COLUMNS} from public.tasks t where t.id = $1 and t.deleted_at is null`,
      [id],
    );
    return rows[0] ?? null;
  });
}
