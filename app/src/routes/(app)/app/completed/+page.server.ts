import { fail } from '@sveltejs/kit';
import { formFields } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { getSettings } from '#lib/server/settings/get-settings.ts';
import { toTaskActionError } from '#lib/server/tasks/action-errors.ts';
import { listCompleted } from '#lib/server/tasks/list-completed.ts';
import { taskKey } from '#lib/server/tasks/schemas.ts';
import { setTaskStatus } from '#lib/server/tasks/set-task-status.ts';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'That task no longer exists. It may have been deleted elsewhere.';

type Group = {
  day: string;
  label: string;
  tasks: { workspaceId: string; id: string; title: string; completedAt: string }[];
};

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
function dayIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
}

export const load: PageServerLoad = async ({ locals, parent }) => {
  const { claims } = requireCaller(locals);
  // Days in the shell's zone (the person's setting, else the browser's); dates in their locale.
  const [tasks, settings, { timeZone }] = await Promise.all([
    listCompleted({ claims }),
    getSettings({ claims }),
    parent(),
  ]);
  const { locale } = settings;
  const now = new Date();
  const today = dayIn(now, timeZone);
  const yesterday = dayIn(new Date(now.getTime() - 86_400_000), timeZone);
  const long = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  const groups: Group[] = [];
  for (const task of tasks) {
    if (!task.completedAt) continue;
    const day = dayIn(task.completedAt, timeZone);
    let group = groups.at(-1);
    if (!group || group.day !== day) {
      const label = day === today ? 'Today' : day === yesterday ? 'Yesterday' : long.format(task.completedAt);
      group = { day, label, tasks: [] };
      groups.push(group);
    }
    group.tasks.push({
      workspaceId: task.workspaceId,
      id: task.id,
      title: task.title,
      completedAt: task.completedAt.toISOString(),
    });
  }
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' });
  return {
    groups: groups.map((g) => ({
      ...g,
      tasks: g.tasks.map((t) => ({ ...t, time: time.format(new Date(t.completedAt)) })),
    })),
    count: tasks.length,
  };
};

export const actions = {
  uncomplete: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return fail(400, { taskId: fields.id ?? null, message: GONE });
    try {
      const task = await setTaskStatus({ claims, input: { ...parsed.data, status: 'open' } });
      if (!task) return fail(404, { taskId: parsed.data.id, message: GONE });
      // No redirect: the page announces "Reopened …" from this result (the load runs again).
      return { reopened: { id: task.id, title: task.title } };
    } catch (caught) {
      const refused = toTaskActionError(caught);
      if (!refused) throw caught;
      return fail(refused.status, { taskId: parsed.data.id, message: refused.message });
    }
  },
} satisfies Actions;
