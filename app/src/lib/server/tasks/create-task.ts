import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_COLUMNS, type CreateTaskInput, type Task } from './schemas.ts';

export type CreateTaskOptions = { claims: Claims; input: CreateTaskInput };

/** Adds a task at the end of the caller's Inbox (position defaults to the insert time). */
export async function createTask({ claims, input }: CreateTaskOptions): Promise<Task> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Task>(
      `insert into public.tasks (workspace_id, title, due_date)
       values ((select public.my_personal_workspace_id()), $1, $2)
       returning ${TASK_COLUMNS}`,
      [input.title, input.dueDate],
    );
    const task = rows[0];
    if (!task) throw new Error('insert into public.tasks returned no row');
    return task;
  });
}
