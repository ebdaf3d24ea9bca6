// Completing a recurring task creates its next occurrence (consumer of task.completed, see
// supabase/migrations/20261123221120_core-tasks-next-occurrence-consumer.sql). The completed
// task stays as history; the new one copies title, notes, priority, project, labels,
// recurrence and reminders, due at the next occurrence from lib/shared/recurrence/engine.ts:
// after the due date, or — for X-TM-FROM=COMPLETION ("every!") rules — after the completion
// day in the task's zone. Idempotent: the new task's recurrence_parent_id is unique, so a job
// run twice, or a task reopened and completed again, creates one next task.
import type { JobHelpers, Task } from 'graphile-worker';
import type { PoolClient } from 'pg';
import { formatDate } from '../../../lib/shared/quick-add/civil-date.ts';
import { nextOccurrence, RecurrenceError } from '../../../lib/shared/recurrence/engine.ts';
import { instantToWall } from '../../../lib/shared/recurrence/zoned-time.ts';
import { loadEvent } from '../events.ts';
import { inTransaction } from '../transaction.ts';

type TaskRow = {
  id: string;
  workspace_id: string;
  status: string;
  deleted_at: Date | null;
  recurrence: string | null;
  due_date: string | null;
  due_time: string | null;
  due_tz: string | null;
  completed_at: Date | null;
  user_tz: string | null;
};

async function createNext(client: PoolClient, workspaceId: string, taskId: string, helpers: JobHelpers) {
  const { rows } = await client.query<TaskRow>(
    `select t.id, t.workspace_id, t.status, t.deleted_at, t.recurrence, t.due_date::text as due_date,
            to_char(t.due_time, 'HH24:MI') as due_time, t.due_tz, t.completed_at, s.time_zone as user_tz
     from public.tasks t
     left join account.user_settings s on s.user_id = t.created_by
     where t.workspace_id = $1 and t.id = $2
     for update of t`,
    [workspaceId, taskId],
  );
  const task = rows[0];
  // Reopened, trashed, purged or no longer recurring since the event: nothing to continue.
  if (!task || task.status !== 'completed' || task.deleted_at || !task.recurrence || !task.completed_at) return;

  // The zone due_at uses (UTC when unset); an undated task counts from its completion day in
  // its creator's zone.
  const dated = task.due_date !== null;
  const timeZone = dated ? (task.due_tz ?? 'UTC') : (task.user_tz ?? 'UTC');
  const completed = task.completed_at;
  const due = dated
    ? { date: task.due_date ?? '', time: task.due_time }
    : { date: formatDate(instantToWall(completed.getTime(), timeZone).date), time: null };
  let next;
  try {
    next = nextOccurrence({ recurrence: task.recurrence, due, timeZone, completedAt: completed });
  } catch (error) {
    // A rule the engine refuses will never become valid by retrying.
    if (error instanceof RecurrenceError) {
      helpers.logger.warn(`task ${task.id}: recurrence not usable (${error.message}); no next occurrence`);
      return;
    }
    throw error;
  }
  if (!next) return; // the series has ended (COUNT or UNTIL)

  const inserted = await client.query<{ id: string }>(
    `insert into public.tasks (workspace_id, project_id, title, notes, priority, due_date, due_time, due_tz,
                               recurrence, created_by, recurrence_parent_id)
     select t.workspace_id, t.project_id, t.title, t.notes, t.priority, $3::date, $4::time,
            coalesce(t.due_tz, $5), $6, t.created_by, t.id
     from public.tasks t where t.workspace_id = $1 and t.id = $2
     on conflict (workspace_id, recurrence_parent_id) where recurrence_parent_id is not null do nothing
     returning id`,
    [workspaceId, taskId, next.occurrence.date, next.occurrence.time, dated ? null : timeZone, next.recurrence],
  );
  const child = inserted.rows[0]?.id;
  if (!child) return; // created by an earlier run
  await client.query(
    `insert into public.task_labels (workspace_id, task_id, label_id)
     select workspace_id, $3, label_id from public.task_labels where workspace_id = $1 and task_id = $2`,
    [workspaceId, taskId, child],
  );
  // Relative reminders carry over as they are; an absolute one keeps its distance to the due time.
  await client.query(
    `insert into public.task_reminders (workspace_id, task_id, kind, offset_amount, offset_unit, remind_at, created_by)
     select r.workspace_id, c.id, r.kind, r.offset_amount, r.offset_unit,
            r.remind_at + (c.due_at - p.due_at), r.created_by
     from public.task_reminders r
     join public.tasks p on p.workspace_id = r.workspace_id and p.id = r.task_id
     join public.tasks c on c.workspace_id = r.workspace_id and c.id = $3
     where r.workspace_id = $1 and r.task_id = $2
     order by r.created_at`,
    [workspaceId, taskId, child],
  );
}

export const tasks__next_occurrence: Task = async (raw, helpers) => {
  const event = await loadEvent(raw, helpers);
  if (!event || event.type !== 'task.completed') return;
  await inTransaction(helpers, (client) => createNext(client, event.workspace_id, event.subject_id, helpers));
};
