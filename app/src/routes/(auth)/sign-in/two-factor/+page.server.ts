// The second step of signing in for someone with two-factor authentication: a code from
// their authenticator app, or one of their backup codes. Plain forms, no JavaScript
// needed. The pending sign-in lives in Better Auth's signed two_factor cookie (10 minutes).
import { fail, redirect } from '@sveltejs/kit';
import { backupCodeSchema, callAuth, codeSchema, normalizeBackupCode, type MfaField } from '#lib/server/auth/mfa.ts';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { services } from '$server/services.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const redirectTo = redirectTarget(url.searchParams.get('redirectTo'));
  if (locals.user) redirect(303, redirectTo);
  return { redirectTo, method: url.searchParams.get('method') === 'backup' ? 'backup' : 'totp' } as const;
};

type Method = 'totp' | 'backup';

async function verify(method: Method, event: RequestEvent) {
  const { request, cookies, locals } = event;
  const fields = formFields(await request.formData());
  const parsed = (method === 'totp' ? codeSchema : backupCodeSchema).safeParse(fields);
  if (!parsed.success) {
    return fail(400, { method, errors: fieldErrors<MfaField>(parsed.error), restart: false });
  }
  const { auth } = services();
  const code = method === 'totp' ? parsed.data.code : normalizeBackupCode(parsed.data.code);
  const result = await callAuth(cookies, () =>
    method === 'totp'
      ? auth.api.verifyTOTP({ body: { code }, headers: request.headers, returnHeaders: true })
      : auth.api.verifyBackupCode({ body: { code }, headers: request.headers, returnHeaders: true }),
  );
  if (!result.ok) {
    const { failure } = result;
    const errors: FieldErrors<MfaField> = { [failure.field]: [failure.message] };
    return fail(failure.status, { method, errors, restart: failure.restart ?? false });
  }
  locals.log.info({ method }, 'second factor verified at sign-in');
  redirect(303, redirectTarget(fields.redirectTo));
}

export const actions = {
  totp: (event) => verify('totp', event),
  backup: (event) => verify('backup', event),
} satisfies Actions;
