import { fail, redirect } from '@sveltejs/kit';
import { oauthChoices } from '#lib/server/auth/oauth.ts';
import { signUpSchema } from '#lib/server/auth/schemas.ts';
import { signUp } from '#lib/server/auth/sign-up.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

type Field = 'name' | 'email' | 'password';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, '/app');
  return { oauth: oauthChoices(url) };
};

export const actions = {
  signUp: async ({ request, cookies, locals }) => {
    const fields = formFields(await request.formData());
    // Echoed back so the form keeps what was typed; never the password.
    const values = { name: fields.name ?? '', email: fields.email ?? '' };
    const parsed = signUpSchema.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { errors: fieldErrors<Field>(parsed.error), values });
    }
    const failure = await signUp({ input: parsed.data, headers: request.headers, cookies });
    if (failure) {
      const errors: FieldErrors<Field> = { [failure.field]: [failure.message] };
      return fail(failure.status, { errors, values });
    }
    locals.log.info('account created');
    redirect(303, '/app');
  },
} satisfies Actions;
