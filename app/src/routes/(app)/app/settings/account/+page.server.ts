// Account settings: change password (signs out every other session) and change email (a
// link to the new address; the email changes when it is used). Both are sensitive: when
// the step-up hook (helper C, lib/auth/assurance.ts) asks for a fresh second factor, the
// person is sent to /step-up and comes back here.
import { fail, redirect } from '@sveltejs/kit';
import { changeEmail, changePassword } from '#lib/server/auth/email-flows.ts';
import { changeEmailSchema, changePasswordSchema } from '#lib/server/auth/email-schemas.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const STEP_UP = `/step-up?redirectTo=${encodeURIComponent('/app/settings/account')}`;

export const load: PageServerLoad = ({ locals }) => {
  const { user } = requireCaller(locals);
  return { email: user.email, emailVerified: user.emailVerified };
};

export const actions = {
  changePassword: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = changePasswordSchema.safeParse(fields);
    type Field = 'currentPassword' | 'newPassword';
    if (!parsed.success) {
      return fail(400, { action: 'changePassword' as const, errors: fieldErrors<Field>(parsed.error) });
    }
    const result = await changePassword(parsed.data.currentPassword, parsed.data.newPassword, {
      headers: request.headers,
      cookies,
    });
    if (result === 'step-up') redirect(303, STEP_UP);
    if (result) {
      const field: Field | 'form' =
        result.field === 'password' ? (result.message.includes('current') ? 'currentPassword' : 'newPassword') : 'form';
      const errors: FieldErrors<Field> = { [field]: [result.message] };
      return fail(result.status, { action: 'changePassword' as const, errors });
    }
    locals.log.info('password changed');
    return { action: 'changePassword' as const, done: true as const };
  },
  changeEmail: async ({ request, locals }) => {
    requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { email: fields.email ?? '' };
    const parsed = changeEmailSchema.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'changeEmail' as const, errors: fieldErrors<'email'>(parsed.error), values });
    }
    const result = await changeEmail(parsed.data.email, { headers: request.headers });
    if (result === 'step-up') redirect(303, STEP_UP);
    if (result) {
      const errors: FieldErrors<'email'> = { [result.field === 'email' ? 'email' : 'form']: [result.message] };
      return fail(result.status, { action: 'changeEmail' as const, errors, values });
    }
    locals.log.info('email change requested');
    return { action: 'changeEmail' as const, sentTo: parsed.data.email };
  },
} satisfies Actions;
