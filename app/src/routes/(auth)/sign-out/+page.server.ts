import { redirect } from '@sveltejs/kit';
import { signOut } from '#lib/server/auth/sign-out.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.user) redirect(303, '/');
};

export const actions = {
  signOut: async ({ request, cookies, locals }) => {
    await signOut({ headers: request.headers, cookies });
    locals.log.info('signed out');
    redirect(303, '/');
  },
} satisfies Actions;
