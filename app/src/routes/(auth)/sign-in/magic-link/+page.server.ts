// Asking for a sign-in link by email. Same answer for every address: only an account
// gets an email (lib/auth/email-flows.ts magicLinkSender), so nothing tells who has one.
import { redirect } from '@sveltejs/kit';
import { requestMagicLink } from '#lib/server/auth/email-flows.ts';
import { requestEmailLink } from '#lib/server/auth/email-link-request.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/app');
};

export const actions = {
  default: async ({ request, locals }) => {
    const result = await requestEmailLink(request, requestMagicLink);
    if ('sentTo' in result) locals.log.info('magic link requested');
    return result;
  },
} satisfies Actions;
