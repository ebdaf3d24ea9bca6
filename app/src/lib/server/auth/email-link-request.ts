// The "enter your email and we send you a link" form action, shared by forgot-password and
// magic-link sign-in. The answer is the same whether or not the address has an account
// (no enumeration): only `send` (Better Auth) decides whether an email goes out.
import { fail } from '@sveltejs/kit';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { emailOnlySchema } from './email-schemas.ts';
import type { AuthFailure } from './errors.ts';

type Send = (email: string, ctx: { headers: Headers }) => Promise<AuthFailure | null>;

/** Validates the email, asks `send` to mail the link; `{ sentTo }` or a 4xx with messages. */
export async function requestEmailLink(request: Request, send: Send) {
  const fields = formFields(await request.formData());
  const values = { email: fields.email ?? '' };
  const parsed = emailOnlySchema.safeParse(fields);
  if (!parsed.success) return fail(400, { errors: fieldErrors<'email'>(parsed.error), values });
  const failure = await send(parsed.data.email, { headers: request.headers });
  if (failure) {
    const errors: FieldErrors<'email'> = { [failure.field === 'email' ? 'email' : 'form']: [failure.message] };
    return fail(failure.status, { errors, values });
  }
  return { sentTo: parsed.data.email };
}
