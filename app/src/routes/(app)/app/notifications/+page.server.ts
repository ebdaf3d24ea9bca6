import { fail } from '@sveltejs/kit';
import { formFields } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { listNotifications, markRead, markReadInput } from '#lib/server/notifications/notifications.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const { claims } = requireCaller(locals);
  // The unread count comes with the (app) layout's data (data.unreadNotifications).
  return { items: await listNotifications(claims) };
};

export const actions = {
  /** One notification (`id`), or every unread one when no id is sent. */
  read: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = markReadInput.safeParse(formFields(await request.formData()));
    if (!parsed.success) return fail(400, { message: parsed.error.issues[0]?.message ?? 'Invalid request.' });
    const changed = await markRead(claims, parsed.data.id);
    return {
      message: parsed.data.id
        ? 'Marked as read.'
        : changed === 0
          ? 'Nothing was unread.'
          : `Marked ${changed} notification${changed === 1 ? '' : 's'} as read.`,
    };
  },
} satisfies Actions;
