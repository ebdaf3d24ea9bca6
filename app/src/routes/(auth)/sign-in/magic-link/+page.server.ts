// Asking for a sign-in link by email. Same answer for every address: only an account
// gets an email (lib/auth/email-flows.ts magicLinkSender), so nothing tells who has one.
import { fail, redirect } from '@sveltejs/kit';
import { requestMagicLink } from '#lib/server/auth/email-flows.ts';
import { emailOnlySchema } from '#lib/server/auth/email-schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/app');
};

export const actions = {
  default: async ({ request, locals }) => {
    const fields = formFields(await request.formData());
    const values = { email: fields.email ?? '' };
    const parsed = emailOnlySchema.safeParse(fields);
    if (!parsed.success) return fail(400, { errors: fieldErrors<'email'>(parsed.error), values });
    const failure = await requestMagicLink(parsed.data.email, { headers: request.headers });
    if (failure) {
      const errors: FieldErrors<'email'> = { [failure.field === 'email' ? 'email' : 'form']: [failure.message] };
      return fail(failure.status, { errors, values });
    }
    locals.log.info('magic link requested');
    return { sentTo: parsed.data.email };
  },
} satisfies Actions;
