// Choosing a new password with a reset link (30 minutes, single use — Better Auth). On
// success every session of the account ends, so the person signs in again.
import { fail } from '@sveltejs/kit';
import { resetPassword } from '#lib/server/auth/email-flows.ts';
import { resetPasswordSchema, tokenSchema } from '#lib/server/auth/email-schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

type Field = 'password';

export const load: PageServerLoad = ({ url }) => {
  const token = tokenSchema.safeParse(url.searchParams.get('token') ?? '');
  return { token: token.success ? token.data : null };
};

export const actions = {
  default: async ({ request, locals }) => {
    const fields = formFields(await request.formData());
    const parsed = resetPasswordSchema.safeParse(fields);
    if (!parsed.success) {
      const errors = fieldErrors<Field | 'token'>(parsed.error);
      if (errors.token) return fail(400, { invalidLink: true as const });
      return fail(400, { errors: errors as FieldErrors<Field> });
    }
    const result = await resetPassword(parsed.data.token, parsed.data.password, { headers: request.headers });
    if (result === 'invalid-link') return fail(400, { invalidLink: true as const });
    if (result) {
      const errors: FieldErrors<Field> = { [result.field === 'password' ? 'password' : 'form']: [result.message] };
      return fail(result.status, { errors });
    }
    locals.log.info('password reset');
    return { done: true as const };
  },
} satisfies Actions;
