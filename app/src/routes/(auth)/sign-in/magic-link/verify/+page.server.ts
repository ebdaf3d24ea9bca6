// Where a magic link lands. Opening it signs nobody in: the person presses "Sign in" (a
// POST), so a mail scanner that prefetches links cannot use the link up, or use it.
import { fail, redirect } from '@sveltejs/kit';
import { verifyMagicLink } from '#lib/server/auth/email-flows.ts';
import { tokenSchema } from '#lib/server/auth/email-schemas.ts';
import { formFields } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => {
  const token = tokenSchema.safeParse(url.searchParams.get('token') ?? '');
  return { token: token.success ? token.data : null };
};

export const actions = {
  default: async ({ request, cookies, locals }) => {
    const token = tokenSchema.safeParse(formFields(await request.formData()).token ?? '');
    if (!token.success) return fail(400, { state: 'invalid' as const });
    const state = await verifyMagicLink(token.data, { headers: request.headers, cookies });
    if (state !== 'ok') return fail(400, { state });
    locals.log.info('signed in with a magic link');
    redirect(303, '/app');
  },
} satisfies Actions;
