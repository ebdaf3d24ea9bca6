import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task } from './schemas.ts';

export type GetTaskOptions = { claims: Claims; id: string };

/** One live task by id, or null when it does not exist or RLS hides it. */
export async function getTask({ claims, id }: GetTaskOptions): Promise<Task | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `select ${TASK_COLUMNS} from public.tasks where id = $1 and deleted_at is null`,
      [id],
    );
    return rows[0] ?? null;
  });
}
