// Notifications for the people an event concerns (private.event_consumers: every task.*,
// project.* and member.* event enqueues one job here, in the writer's transaction).
//
//   task.created / task.completed / task.updated, in a workspace with other members
//     → `task_activity` for every member except the actor who can read the task. "Can
//       read" is decided by RLS itself: the check runs AS each recipient, so a guest is
//       included exactly when the tasks policy lets them see the task.
//   member.added → `member_added` for the person added, unless they added themselves
//     (creating a workspace makes you its owner) or it is their personal workspace being
//     created at sign-up.
//
// Events without an actor (system changes: the recurrence worker, maintenance) notify no
// one; a task.updated that only moved the task (position) is not news either. Other event
// types are ignored.
//
// Idempotent: private.notify dedupes per (person, dedupe_key) and the key is the event id,
// so a second run of the job (a retry after a partial failure, or a duplicate) notifies
// nobody twice. All notifications of one event commit together.
import type { PoolClient } from 'pg';
import type { Task } from 'graphile-worker';
import { loadEvent, type DomainEvent } from '../events.ts';
import { inTransaction } from '../transaction.ts';

const TASK_EVENTS = new Set(['task.created', 'task.completed', 'task.updated']);
/** Columns whose change alone is not worth telling anyone about. */
const QUIET_COLUMNS = new Set(['position']);

type TaskRow = { title: string; deleted_at: Date | null; workspace_name: string; actor_name: string | null };
type Recipient = { user_id: string; role: string };

/** At most `max` characters (code points, as Postgres counts them): never half of a surrogate pair. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function describeChanges(changes: string[]): string {
  const names: Record<string, string> = {
    title: 'title',
    notes: 'notes',
    priority: 'priority',
    due_date: 'due date',
    due_time: 'due time',
    due_tz: 'time zone',
    recurrence: 'repeat',
    project_id: 'project',
    labels: 'labels',
    status: 'status',
  };
  return [...new Set(changes.map((c) => names[c] ?? c.replace(/_/g, ' ')))].join(', ');
}

/** Whether `userId` can read the task under RLS (the tasks policy decides, not this code). */
async function canRead(client: PoolClient, userId: string, event: DomainEvent): Promise<boolean> {
  await client.query('savepoint can_read');
  try {
    await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
      JSON.stringify({ sub: userId, role: 'authenticated' }),
    ]);
    const { rowCount } = await client.query(`select 1 from public.tasks where workspace_id = $1 and id = $2`, [
      event.workspace_id,
      event.subject_id,
    ]);
    return rowCount === 1;
  } finally {
    // Back to the worker's own role and claims for what follows.
    await client.query('rollback to savepoint can_read');
  }
}

async function notifyTaskActivity(client: PoolClient, event: DomainEvent): Promise<number> {
  if (!event.actor_id) return 0;
  if (event.type === 'task.updated' && (event.changes ?? []).every((c) => QUIET_COLUMNS.has(c))) return 0;
  const { rows } = await client.query<TaskRow>(
    `select t.title, t.deleted_at, w.name as workspace_name, a.name as actor_name
     from public.tasks t
     join public.workspaces w on w.id = t.workspace_id
     left join identity.users a on a.id = $3
     where t.workspace_id = $1 and t.id = $2`,
    [event.workspace_id, event.subject_id, event.actor_id],
  );
  const task = rows[0];
  if (!task || task.deleted_at) return 0;
  const recipients = await client.query<Recipient>(
    `select user_id, role from public.workspace_members where workspace_id = $1 and user_id <> $2 order by user_id`,
    [event.workspace_id, event.actor_id],
  );
  if (recipients.rows.length === 0) return 0;

  const actor = task.actor_name?.trim() || 'A teammate';
  const quoted = `“${truncate(task.title, 120)}”`;
  const action = event.type === 'task.created' ? 'created' : event.type === 'task.completed' ? 'completed' : 'updated';
  const changes = event.type === 'task.updated' ? (event.changes ?? []) : [];
  const title = truncate(`${actor} ${action} ${quoted}`, 300);
  const body = truncate(
    action === 'updated' && changes.length > 0
      ? `Changed ${describeChanges(changes)} in ${task.workspace_name}.`
      : `In ${task.workspace_name}.`,
    2000,
  );
  let sent = 0;
  for (const recipient of recipients.rows) {
    if (!(await canRead(client, recipient.user_id, event))) continue;
    await client.query(`select private.notify($1, 'task_activity', $2, $3, $4, $5, $6, $7, $8::jsonb)`, [
      recipient.user_id,
      `event:${event.id}`,
      title,
      body,
      `/app/tasks/${event.subject_id}`,
      event.workspace_id,
      event.subject_id,
      JSON.stringify({
        actor_name: actor,
        task_title: truncate(task.title, 500),
        action,
        workspace_name: task.workspace_name,
        changes,
      }),
    ]);
    sent += 1;
  }
  return sent;
}

async function notifyMemberAdded(client: PoolClient, event: DomainEvent): Promise<number> {
  if (event.actor_id === event.subject_id) return 0;
  const { rows } = await client.query<{
    role: string;
    workspace_name: string;
    kind: string;
    created_by: string | null;
    actor_name: string | null;
  }>(
    `select m.role, w.name as workspace_name, w.kind, w.created_by, a.name as actor_name
     from public.workspace_members m
     join public.workspaces w on w.id = m.workspace_id
     left join identity.users a on a.id = $3
     where m.workspace_id = $1 and m.user_id = $2`,
    [event.workspace_id, event.subject_id, event.actor_id],
  );
  const member = rows[0];
  // Gone again (removed since), or their own personal workspace made at sign-up.
  if (!member) return 0;
  if (member.kind === 'personal' && member.created_by === event.subject_id) return 0;
  const actor = member.actor_name?.trim() || null;
  const title = truncate(`You were added to ${member.workspace_name}`, 300);
  const roleText =
    member.role === 'guest' ? 'as a guest' : `as ${member.role === 'admin' ? 'an admin' : `a ${member.role}`}`;
  const body = actor ? `${actor} added you ${roleText}.` : `You were added ${roleText}.`;
  await client.query(`select private.notify($1, 'member_added', $2, $3, $4, $5, $6, $7, $8::jsonb)`, [
    event.subject_id,
    `event:${event.id}`,
    title,
    body,
    '/app',
    event.workspace_id,
    event.workspace_id,
    JSON.stringify({ actor_name: actor, workspace_name: member.workspace_name, role: member.role }),
  ]);
  return 1;
}

export const events__notify: Task = async (raw, helpers) => {
  const event = await loadEvent(raw, helpers);
  if (!event) return;
  const handler = TASK_EVENTS.has(event.type)
    ? notifyTaskActivity
    : event.type === 'member.added'
      ? notifyMemberAdded
      : undefined;
  if (!handler) return;
  const count = await inTransaction(helpers, (client) => handler(client, event));
  if (count > 0) helpers.logger.info(`event ${event.id} (${event.type}): notified ${count}`);
};
