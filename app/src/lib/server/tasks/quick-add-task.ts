// Quick add on the server (the Inbox's plain form without JavaScript): the text is parsed
// by the same module the browser uses ($shared/quick-add/parse.ts) and the task is created
// by public.quick_add_task as the signed-in person, with its #project and @labels.
import { parseQuickAdd } from '$shared/quick-add/parse.ts';
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';

export type QuickAddInput = { text: string; dueDate: string | null; timeZone: string; now?: Date };

export async function quickAddTask({
  claims,
  input,
}: {
  claims: Claims;
  input: QuickAddInput;
}): Promise<{ id: string }> {
  const parsed = parseQuickAdd(input.text, { now: input.now ?? new Date(), timeZone: input.timeZone });
  const title = parsed.title.trim() || input.text.trim();
  const dueDate = input.dueDate ?? parsed.due?.date ?? null;
  const dueTime = input.dueDate ? null : (parsed.due?.time ?? null);
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `select id from public.quick_add_task(
         title => $1, priority => $2::smallint, due_date => $3::date, due_time => $4::time,
         due_tz => $5, recurrence => $6, project_name => $7, label_names => $8::text[])`,
      [
        title,
        parsed.priority ?? 4,
        dueDate,
        dueTime,
        dueTime ? input.timeZone : null,
        parsed.recurrence,
        parsed.project,
        parsed.labels,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('quick_add_task returned no row');
    return row;
  });
}
