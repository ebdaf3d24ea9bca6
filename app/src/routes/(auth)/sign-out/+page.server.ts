import { redirect } from '@sveltejs/kit';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { signOut } from '#lib/server/auth/sign-out.ts';
import { formFields } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/');
};

export const actions = {
  signOut: async ({ request, cookies, locals }) => {
    const { signInTo } = formFields(await request.formData());
    await signOut({ headers: request.headers, cookies });
    locals.log.info('signed out');
    // "Sign in again" (e.g. to prove a recent sign-in before deleting the account).
    if (signInTo) redirect(303, `/sign-in?redirectTo=${encodeURIComponent(redirectTarget(signInTo))}`);
    redirect(303, '/');
  },
} satisfies Actions;
