import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { describeReminder, reminderInstant } from '$shared/recurrence/reminders.ts';
import type { OffsetUnit, ReminderKind } from '$shared/recurrence/reminders.ts';
import type { ReminderView } from '#lib/components/tasks/schedule.ts';

export type TaskSchedule = {
  workspaceId: string;
  taskId: string;
  dueDate: string | null;
  dueTime: string | null;
  dueTz: string | null;
  recurrence: string | null;
  reminders: ReminderView[];
};

type Row = {
  workspace_id: string;
  task_id: string;
  due_date: string | null;
  due_time: string | null;
  due_tz: string | null;
  recurrence: string | null;
  id: string | null;
  kind: ReminderKind | null;
  offset_amount: number | null;
  offset_unit: OffsetUnit | null;
  remind_at: Date | null;
};

/** "Sat 13 Mar 2027, 09:00 (America/New_York)": the instant on the zone's wall clock. */
export function formatInstant(at: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  for (const part of format.formatToParts(at)) parts[part.type] = part.value;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} (${timeZone})`;
}

/** A task's due fields, rule and reminders (with when each fires), or null when not visible. */
export async function listSchedule({
  claims,
  taskId,
  now = new Date(),
}: {
  claims: Claims;
  taskId: string;
  now?: Date;
}): Promise<TaskSchedule | null> {
  const rows = await asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const result = await client.query<Row>(
      `select t.workspace_id, t.id as task_id, t.due_date::text as due_date, to_char(t.due_time, 'HH24:MI') as due_time,
              t.due_tz, t.recurrence, r.id, r.kind, r.offset_amount, r.offset_unit, r.remind_at
       from public.tasks t
       left join public.task_reminders r on r.workspace_id = t.workspace_id and r.task_id = t.id
       where t.id = $1
       order by r.created_at, r.id`,
      [taskId],
    );
    return result.rows;
  });
  const first = rows[0];
  if (!first) return null;
  const due = { dueDate: first.due_date, dueTime: first.due_time, dueTz: first.due_tz };
  const zone = first.due_tz ?? 'UTC';
  const reminders = rows.flatMap((r): ReminderView[] => {
    if (!r.id || !r.kind) return [];
    const spec = { kind: r.kind, amount: r.offset_amount, unit: r.offset_unit, remindAt: r.remind_at };
    const at = reminderInstant(spec, due);
    return [
      {
        id: r.id,
        kind: r.kind,
        label: describeReminder(spec),
        firesAt: at?.toISOString() ?? null,
        firesLabel: at ? formatInstant(at, zone) : null,
        past: at !== null && at.getTime() <= now.getTime(),
      },
    ];
  });
  return {
    workspaceId: first.workspace_id,
    taskId: first.task_id,
    ...due,
    recurrence: first.recurrence,
    reminders,
  };
}
