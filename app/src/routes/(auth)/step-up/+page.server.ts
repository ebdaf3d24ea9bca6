// Step-up: prove it is you again before a sensitive action (change email or password, turn
// off two-factor, delete the account, remove a passkey, create API keys). With a second
// factor: a code from the authenticator app or a backup code, verified for this session,
// which makes it aal2 with a fresh second factor for 10 minutes. Without one: the password,
// which signs you in afresh (the old session is revoked). docs/adr (C: step-up rules).
import { fail, redirect } from '@sveltejs/kit';
import {
  backupCodeSchema,
  callAuth,
  codeSchema,
  normalizeBackupCode,
  passwordSchema,
  twoFactorStatus,
  type MfaField,
} from '#lib/server/auth/mfa.ts';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { services } from '$server/services.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const redirectTo = redirectTarget(url.searchParams.get('redirectTo'));
  if (!locals.user) redirect(303, `/sign-in?redirectTo=${encodeURIComponent(`/step-up?redirectTo=${redirectTo}`)}`);
  const status = await twoFactorStatus(locals.user.id);
  const method = url.searchParams.get('method') === 'backup' ? 'backup' : 'totp';
  return {
    redirectTo,
    totp: status.enabled,
    passkeys: status.passkeys,
    method: status.enabled ? method : ('password' as const),
  };
};

type Method = 'totp' | 'backup' | 'password';

async function confirm(method: Method, event: RequestEvent) {
  const { request, cookies, locals } = event;
  if (!locals.user || !locals.session) redirect(303, '/sign-in');
  const fields = formFields(await request.formData());
  const schema = method === 'totp' ? codeSchema : method === 'backup' ? backupCodeSchema : passwordSchema;
  const parsed = schema.safeParse(fields);
  if (!parsed.success) return fail(400, { method, errors: fieldErrors<MfaField>(parsed.error) });
  const { auth } = services();
  const headers = request.headers;
  let result;
  if (method === 'password') {
    const { password } = parsed.data as { password: string };
    const status = await twoFactorStatus(locals.user.id);
    // A password never stands in for an enrolled second factor.
    if (status.enabled || status.passkeys > 0) {
      const errors: FieldErrors<MfaField> = { form: ['Use your second factor.'] };
      return fail(400, { method, errors });
    }
    const oldToken = locals.session.token;
    result = await callAuth(cookies, async () => {
      const signedIn = await auth.api.signInEmail({
        body: { email: locals.user!.email, password },
        headers,
        returnHeaders: true,
      });
      await auth.api.revokeSession({ body: { token: oldToken }, headers });
      return signedIn;
    });
  } else {
    const code = (parsed.data as { code: string }).code;
    result = await callAuth(cookies, () =>
      method === 'totp'
        ? auth.api.verifyTOTP({ body: { code }, headers, returnHeaders: true })
        : auth.api.verifyBackupCode({ body: { code: normalizeBackupCode(code) }, headers, returnHeaders: true }),
    );
  }
  if (!result.ok) {
    const { failure } = result;
    const errors: FieldErrors<MfaField> = { [failure.field]: [failure.message] };
    return fail(failure.status, { method, errors });
  }
  locals.log.info({ method }, 'stepped up');
  redirect(303, redirectTarget(fields.redirectTo));
}

export const actions = {
  totp: (event) => confirm('totp', event),
  backup: (event) => confirm('backup', event),
  password: (event) => confirm('password', event),
} satisfies Actions;
