// The page a verification (or change-email) link opens. Opening it changes nothing: the
// person presses "Confirm" (a POST), so a mail scanner that prefetches the link cannot
// use it up. Also the target of the banner's "Send a new link" form (?/resend).
import { fail } from '@sveltejs/kit';
import { resendVerification, verifyEmail } from '#lib/server/auth/email-flows.ts';
import { tokenSchema } from '#lib/server/auth/email-schemas.ts';
import { formFields } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url, locals }) => {
  const token = tokenSchema.safeParse(url.searchParams.get('token') ?? '');
  return {
    token: token.success ? token.data : null,
    signedInEmail: locals.user?.email ?? null,
    verified: locals.user?.emailVerified ?? false,
  };
};

export const actions = {
  verify: async ({ request, cookies, locals }) => {
    const token = tokenSchema.safeParse(formFields(await request.formData()).token ?? '');
    if (!token.success) return fail(400, { action: 'verify' as const, state: 'invalid' as const });
    const state = await verifyEmail(token.data, { headers: request.headers, cookies });
    if (state !== 'ok') return fail(400, { action: 'verify' as const, state });
    locals.log.info('email verified');
    return { action: 'verify' as const, state };
  },
  resend: async ({ request, locals }) => {
    if (!locals.user) {
      return fail(401, { action: 'resend' as const, errors: { form: ['Sign in to get a new link.'] } });
    }
    if (locals.user.emailVerified) {
      return fail(400, { action: 'resend' as const, errors: { form: ['Your email address is already confirmed.'] } });
    }
    const failure = await resendVerification(locals.user.email, { headers: request.headers });
    if (failure) return fail(failure.status, { action: 'resend' as const, errors: { form: [failure.message] } });
    return { action: 'resend' as const, resentTo: locals.user.email };
  },
} satisfies Actions;
