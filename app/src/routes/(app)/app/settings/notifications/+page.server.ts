import { requireCaller } from '#lib/server/guard.ts';
import { CHANNELS, getPreferences, savePreferences } from '#lib/server/notifications/notifications.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const { claims } = requireCaller(locals);
  return { kinds: await getPreferences(claims) };
};

export const actions = {
  /** The whole grid at once: a ticked box is sent as `kind:channel=on`, an unticked one not at all. */
  save: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const form = await request.formData();
    const on = new Set<string>();
    for (const [name] of form) {
      const [kind, channel] = name.split(':');
      if (kind && /^[a-z_]{1,40}$/.test(kind) && (CHANNELS as readonly string[]).includes(channel ?? '')) on.add(name);
    }
    await savePreferences(claims, on);
    return { saved: true };
  },
} satisfies Actions;
