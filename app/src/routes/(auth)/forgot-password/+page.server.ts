// Asking for a password reset link. The answer is the same whether or not the address
// has an account (no enumeration); only an account gets an email (Better Auth).
import { requestPasswordReset } from '#lib/server/auth/email-flows.ts';
import { requestEmailLink } from '#lib/server/auth/email-link-request.ts';
import type { Actions } from './$types';

export const actions = {
  default: async ({ request, locals }) => {
    const result = await requestEmailLink(request, requestPasswordReset);
    if ('sentTo' in result) locals.log.info('password reset requested');
    return result;
  },
} satisfies Actions;
