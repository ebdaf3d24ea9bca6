import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type Task } from './schemas.ts';

export type ListTasksOptions = { claims: Claims; completedLimit?: number };
export type TaskLists = { open: Task[]; completed: Task[] };

const OPEN_LIMIT = 500;

/**
 * The Inbox: live tasks of the caller's personal workspace. Open tasks in manual order,
 * then the most recently completed ones. Both reads share one transaction (one snapshot).
 */
export async function listTasks({ claims, completedLimit = 50 }: ListTasksOptions): Promise<TaskLists> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const open = await client.query<Task>(
      `select ${TASK_COLUMNS} from public.tasks
        where workspace_id = (select public.my_personal_workspace_id())
          and deleted_at is null and status = 'open'
        order by position, created_at, id
        limit $1`,
      [OPEN_LIMIT],
    );
    const completed = await client.query<Task>(
      `select ${TASK_COLUMNS} from public.tasks
        where workspace_id = (select public.my_personal_workspace_id())
          and deleted_at is null and status = 'completed'
        order by completed_at desc, id
        limit $1`,
      [completedLimit],
    );
    return { open: open.rows, completed: completed.rows };
  });
}
