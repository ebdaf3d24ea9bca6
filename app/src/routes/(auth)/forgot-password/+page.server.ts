// Asking for a password reset link. The answer is the same whether or not the address
// has an account (no enumeration); only an account gets an email (Better Auth).
import { fail } from '@sveltejs/kit';
import { requestPasswordReset } from '#lib/server/auth/email-flows.ts';
import { emailOnlySchema } from '#lib/server/auth/email-schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions } from './$types';

export const actions = {
  default: async ({ request, locals }) => {
    const fields = formFields(await request.formData());
    const values = { email: fields.email ?? '' };
    const parsed = emailOnlySchema.safeParse(fields);
    if (!parsed.success) return fail(400, { errors: fieldErrors<'email'>(parsed.error), values });
    const failure = await requestPasswordReset(parsed.data.email, { headers: request.headers });
    if (failure) {
      const errors: FieldErrors<'email'> = { [failure.field === 'email' ? 'email' : 'form']: [failure.message] };
      return fail(failure.status, { errors, values });
    }
    locals.log.info('password reset requested');
    return { sentTo: parsed.data.email };
  },
} satisfies Actions;
