// Settings → Two-factor authentication (TOTP with backup codes), all plain forms:
//  enable (password) → QR code and manual key, plus the backup codes, shown once →
//  a first code finishes enrolment; then: regenerate backup codes (password), turn off
//  (password and a fresh second factor: the step-up hook sends the person to /step-up).
import { fail, redirect } from '@sveltejs/kit';
import {
  callAuth,
  codeSchema,
  manualKey,
  passwordSchema,
  pendingTotpUri,
  qrDataUrl,
  stepUpUrl,
  twoFactorStatus,
  type MfaField,
} from '#lib/server/auth/mfa.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { services } from '$server/services.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/two-factor';

async function setupFor(uri: string) {
  return { qr: await qrDataUrl(uri), key: manualKey(uri) };
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const { user } = requireCaller(locals);
  const status = await twoFactorStatus(user.id);
  const uri = status.enabled ? null : await pendingTotpUri(user);
  return {
    ...status,
    setup: uri ? await setupFor(uri) : null,
    notice: url.searchParams.get('enabled') ? 'enabled' : url.searchParams.get('disabled') ? 'disabled' : null,
  };
};

type Action = 'enable' | 'verify' | 'regenerate' | 'disable';

function failed(action: Action, failure: { status: number; field: MfaField; message: string }) {
  const errors: FieldErrors<MfaField> = { [failure.field]: [failure.message] };
  return fail(failure.status, { action, errors });
}

export const actions = {
  enable: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const parsed = passwordSchema.safeParse(formFields(await request.formData()));
    if (!parsed.success) return fail(400, { action: 'enable' as const, errors: fieldErrors<MfaField>(parsed.error) });
    const result = await callAuth(cookies, () =>
      services().auth.api.enableTwoFactor({
        body: { password: parsed.data.password },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) return failed('enable', result.failure);
    // The only time these codes exist in plaintext: this answer.
    const backupCodes = 'backupCodes' in result.response ? result.response.backupCodes : [];
    return { action: 'enable' as const, backupCodes };
  },

  verify: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const parsed = codeSchema.safeParse(formFields(await request.formData()));
    if (!parsed.success) return fail(400, { action: 'verify' as const, errors: fieldErrors<MfaField>(parsed.error) });
    const result = await callAuth(cookies, () =>
      services().auth.api.verifyTOTP({
        body: { code: parsed.data.code },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) return failed('verify', result.failure);
    locals.log.info('two-factor enrolled');
    redirect(303, `${PAGE}?enabled=1`);
  },

  regenerate: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const parsed = passwordSchema.safeParse(formFields(await request.formData()));
    if (!parsed.success) {
      return fail(400, { action: 'regenerate' as const, errors: fieldErrors<MfaField>(parsed.error) });
    }
    const result = await callAuth(cookies, () =>
      services().auth.api.generateBackupCodes({
        body: { password: parsed.data.password },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) return failed('regenerate', result.failure);
    return { action: 'regenerate' as const, backupCodes: result.response.backupCodes };
  },

  disable: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const parsed = passwordSchema.safeParse(formFields(await request.formData()));
    if (!parsed.success) return fail(400, { action: 'disable' as const, errors: fieldErrors<MfaField>(parsed.error) });
    const result = await callAuth(cookies, () =>
      services().auth.api.disableTwoFactor({
        body: { password: parsed.data.password },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) {
      if (result.failure.stepUp) redirect(303, stepUpUrl(PAGE));
      return failed('disable', result.failure);
    }
    locals.log.info('two-factor turned off');
    redirect(303, `${PAGE}?disabled=1`);
  },
} satisfies Actions;
