import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { TaskRow } from '#lib/data/types.ts';
import { TASK_DETAIL_COLUMNS, type TaskDetail } from './detail-schemas.ts';
import { TASK_ROW_COLUMNS, toTaskRow } from './list-view.ts';

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

/** The same task in the browser cache's shape (TaskRow), so the page can seed the cache it writes through. */
export async function getTaskRow({ claims, id }: GetTaskDetailOptions): Promise<TaskRow | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Parameters<typeof toTaskRow>[0]>(
      `select ${TASK_ROW_COLUMNS} from public.tasks t where t.id = $1 and t.deleted_at is null`,
      [id],
    );
    return rows[0] ? toTaskRow(rows[0]) : null;
  });
}
