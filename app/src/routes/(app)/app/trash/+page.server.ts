import { fail } from '@sveltejs/kit';
import { formFields } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { getSettings } from '#lib/server/settings/get-settings.ts';
import { listTrash } from '#lib/server/tasks/list-trash.ts';
import { emptyTrash, purgeTask } from '#lib/server/tasks/purge-task.ts';
import { restoreTask } from '#lib/server/tasks/restore-task.ts';
import { taskKey } from '#lib/server/tasks/schemas.ts';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'That task is no longer in the trash.';

export const load: PageServerLoad = async ({ locals, parent }) => {
  const { claims } = requireCaller(locals);
  const [tasks, settings, { timeZone }] = await Promise.all([listTrash({ claims }), getSettings({ claims }), parent()]);
  const when = new Intl.DateTimeFormat(settings.locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });
  return {
    tasks: tasks.map((t) => ({
      workspaceId: t.workspaceId,
      id: t.id,
      title: t.title,
      deletedAt: t.deletedAt.toISOString(),
      deletedLabel: when.format(t.deletedAt),
    })),
  };
};

/** A destructive action runs only with confirmed=yes; without it the page asks first (works without JS). */
const confirmed = (fields: Record<string, string>) => fields.confirmed === 'yes';

export const actions = {
  restore: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return fail(400, { taskId: fields.id ?? null, message: GONE });
    const task = await restoreTask({ claims, key: parsed.data });
    if (!task) return fail(404, { taskId: parsed.data.id, message: GONE });
    locals.log.info({ task_id: task.id }, 'task restored from trash');
    return { done: `Restored “${task.title}”.` };
  },

  purge: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = taskKey.safeParse(fields);
    if (!parsed.success) return fail(400, { taskId: fields.id ?? null, message: GONE });
    if (!confirmed(fields)) {
      return { confirm: { action: 'purge' as const, ...parsed.data, title: fields.title ?? 'this task' } };
    }
    const purged = await purgeTask({ claims, key: parsed.data });
    if (!purged) return fail(404, { taskId: parsed.data.id, message: GONE });
    locals.log.info({ task_id: parsed.data.id }, 'task deleted forever');
    return { done: `Deleted “${fields.title ?? 'the task'}” forever.` };
  },

  empty: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    if (!confirmed(fields)) return { confirm: { action: 'empty' as const } };
    const count = await emptyTrash({ claims });
    locals.log.info({ count }, 'trash emptied');
    return { done: count === 1 ? 'Deleted 1 task forever.' : `Deleted ${count} tasks forever.` };
  },
} satisfies Actions;
