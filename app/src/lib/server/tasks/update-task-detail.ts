import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { TASK_DETAIL_COLUMNS, type TaskDetail, type UpdateTaskDetailInput } from './detail-schemas.ts';

export type UpdateTaskDetailOptions = { claims: Claims; input: UpdateTaskDetailInput };

/**
 * Saves every field of the task detail form in one transaction: labels named for the first
 * time are created, the task row is updated, and its labels become exactly the chosen ones.
 * Null when the task is gone or not the caller's (nothing is written then).
 */
export async function updateTaskDetail({ claims, input }: UpdateTaskDetailOptions): Promise<TaskDetail | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const updated = await client.query<{ id: string }>(
      `update public.tasks
          set title = $3, notes = $4, due_date = $5, due_time = $6, due_tz = $7, priority = $8, project_id = $9
        where workspace_id = $1 and id = $2 and deleted_at is null
        returning id`,
      [
        input.workspaceId,
        input.id,
        input.title,
        input.notes,
        input.dueDate,
        input.dueDate ? input.dueTime : null,
        input.dueDate ? input.dueTz : null,
        input.priority,
        input.projectId,
      ],
    );
    if (updated.rowCount === 0) return null;

    let labelIds = input.labelIds;
    if (input.newLabels.length > 0) {
      // Names are unique per workspace ignoring case: reuse an existing label of that name.
      await client.query(
        `insert into public.labels (workspace_id, name)
         select $1, name from unnest($2::text[]) as n(name)
         on conflict (workspace_id, lower(name)) do nothing`,
        [input.workspaceId, input.newLabels],
      );
      const { rows } = await client.query<{ id: string }>(
        `select id from public.labels where workspace_id = $1 and lower(name) = any (select lower(n) from unnest($2::text[]) as n)`,
        [input.workspaceId, input.newLabels],
      );
      labelIds = [...new Set([...labelIds, ...rows.map((r) => r.id)])];
    }
    await client.query(
      `delete from public.task_labels where workspace_id = $1 and task_id = $2 and label_id <> all ($3::uuid[])`,
      [input.workspaceId, input.id, labelIds],
    );
    if (labelIds.length > 0) {
      // Only labels of the task's own workspace can be attached (the foreign key says so too).
      await client.query(
        `insert into public.task_labels (workspace_id, task_id, label_id)
         select $1, $2, l.id from public.labels l where l.workspace_id = $1 and l.id = any ($3::uuid[])
         on conflict do nothing`,
        [input.workspaceId, input.id, labelIds],
      );
    }
    const { rows } = await client.query<TaskDetail>(
      `select ${TASK_DETAIL_COLUMNS} from public.tasks t where t.workspace_id = $1 and t.id = $2`,
      [input.workspaceId, input.id],
    );
    return rows[0] ?? null;
  });
}
