import { fail, redirect } from '@sveltejs/kit';
import { oauthChoices } from '#lib/server/auth/oauth.ts';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { signInSchema } from '#lib/server/auth/schemas.ts';
import { signIn } from '#lib/server/auth/sign-in.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad } from './$types';

type Field = 'email' | 'password';

export const load: PageServerLoad = ({ locals, url }) => {
  const redirectTo = redirectTarget(url.searchParams.get('redirectTo'));
  if (locals.user) redirect(303, redirectTo);
  return { redirectTo, oauth: oauthChoices(url) };
};

export const actions = {
  signIn: async ({ request, cookies, locals }) => {
    const fields = formFields(await request.formData());
    const values = {
      email: fields.email ?? '',
      rememberMe: fields.rememberMe === 'on',
      redirectTo: redirectTarget(fields.redirectTo),
    };
    const parsed = signInSchema.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { errors: fieldErrors<Field>(parsed.error), values });
    }
    const failure = await signIn({ input: parsed.data, headers: request.headers, cookies });
    if (failure === 'two-factor') {
      redirect(303, `/sign-in/two-factor?redirectTo=${encodeURIComponent(redirectTarget(fields.redirectTo))}`);
    }
    if (failure) {
      const errors: FieldErrors<Field> = { [failure.field]: [failure.message] };
      return fail(failure.status, { errors, values });
    }
    locals.log.info('signed in');
    redirect(303, redirectTarget(fields.redirectTo));
  },
} satisfies Actions;
