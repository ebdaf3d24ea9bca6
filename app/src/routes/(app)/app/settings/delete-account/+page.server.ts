// Settings → Delete account: type your email to confirm, enter your password; with a
// second factor, a fresh one too (the step-up hook; the page sends you to /step-up first).
// Better Auth's deleteUser removes the identity and its sessions; the account-deletion hook
// (lib/auth/account-deletion.ts) schedules the workspaces only you belong to for erasure.
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { callAuth, stepUpFresh, stepUpUrl, type MfaField } from '#lib/server/auth/mfa.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { secondFactorEnrolled } from '$server/auth/step-up.ts';
import { services } from '$server/services.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/delete-account';

const deleteSchema = z.object({
  email: z.string().trim().min(1, 'Type your email address to confirm.').max(320),
  password: z.string().min(1, 'Enter your password.').max(128, 'Passwords are at most 128 characters.'),
});

export const load: PageServerLoad = async ({ locals }) => {
  const { user } = requireCaller(locals);
  const enrolled = await secondFactorEnrolled(services().serviceDb, user.id);
  const fresh = enrolled ? await stepUpFresh(locals.session, user.id) : true;
  return {
    email: user.email,
    erasureDays: services().config.ACCOUNT_ERASURE_DELAY_DAYS,
    stepUp: fresh ? null : stepUpUrl(PAGE),
  };
};

export const actions = {
  delete: async ({ request, cookies, locals }) => {
    const { user } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { email: fields.email ?? '' };
    const parsed = deleteSchema.safeParse(fields);
    if (!parsed.success) return fail(400, { errors: fieldErrors<MfaField>(parsed.error), values });
    if (parsed.data.email.toLowerCase() !== user.email.toLowerCase()) {
      const errors: FieldErrors<MfaField> = { email: [`Type ${user.email} exactly, to confirm it is this account.`] };
      return fail(400, { errors, values });
    }
    const result = await callAuth(cookies, () =>
      services().auth.api.deleteUser({
        body: { password: parsed.data.password },
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) {
      if (result.failure.stepUp) redirect(303, stepUpUrl(PAGE));
      const errors: FieldErrors<MfaField> = { [result.failure.field]: [result.failure.message] };
      return fail(result.failure.status, { errors, values });
    }
    locals.log.info('account deleted');
    redirect(303, '/account-deleted');
  },
} satisfies Actions;
