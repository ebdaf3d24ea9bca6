// Settings → Delete account: type your email to confirm, enter your password (people
// without one: a sign-in within 10 minutes); with a second factor, a fresh one too (the step-up hook; the page sends you to /step-up first).
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

const email = z.string().trim().min(1, 'Type your email address to confirm.').max(320);
const withPassword = z.object({
  email,
  password: z.string().min(1, 'Enter your password.').max(128, 'Passwords are at most 128 characters.'),
});
// People who sign in only with a provider or a passkey have no password to confirm with:
// a sign-in within the last 10 minutes (or a fresh second factor) is their proof.
const withoutPassword = z.object({ email });

async function hasPassword(userId: string): Promise<boolean> {
  const { rows } = await services().servicePool.query(
    `select 1 from identity.accounts where user_id = $1 and provider_id = 'credential' and password is not null`,
    [userId],
  );
  return rows.length > 0;
}

export const load: PageServerLoad = async ({ locals }) => {
  const { user } = requireCaller(locals);
  const enrolled = await secondFactorEnrolled(services().serviceDb, user.id);
  const password = await hasPassword(user.id);
  // Without a second factor or a password, only a recent sign-in proves it is them.
  const fresh = enrolled || !password ? stepUpFresh(locals.session, enrolled) : true;
  return {
    email: user.email,
    erasureDays: services().config.ACCOUNT_ERASURE_DELAY_DAYS,
    hasPassword: password,
    stepUp: fresh ? null : enrolled ? stepUpUrl(PAGE) : null,
    signInAgain: !fresh && !enrolled,
  };
};

export const actions = {
  delete: async ({ request, cookies, locals }) => {
    const { user } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { email: fields.email ?? '' };
    const password = await hasPassword(user.id);
    const parsed = password ? withPassword.safeParse(fields) : withoutPassword.safeParse(fields);
    if (!parsed.success) return fail(400, { errors: fieldErrors<MfaField>(parsed.error), values, signInAgain: false });
    if (parsed.data.email.toLowerCase() !== user.email.toLowerCase()) {
      const errors: FieldErrors<MfaField> = { email: [`Type ${user.email} exactly, to confirm it is this account.`] };
      return fail(400, { errors, values, signInAgain: false });
    }
    const result = await callAuth(cookies, () =>
      services().auth.api.deleteUser({
        body: 'password' in parsed.data ? { password: String(parsed.data.password) } : {},
        headers: request.headers,
        returnHeaders: true,
      }),
    );
    if (!result.ok) {
      if (result.failure.stepUp) {
        if (password || (await secondFactorEnrolled(services().serviceDb, user.id))) redirect(303, stepUpUrl(PAGE));
        const errors: FieldErrors<MfaField> = {
          form: ['For your safety, sign in again, then delete your account within 10 minutes.'],
        };
        return fail(403, { errors, values, signInAgain: true });
      }
      const errors: FieldErrors<MfaField> = { [result.failure.field]: [result.failure.message] };
      return fail(result.failure.status, { errors, values, signInAgain: false });
    }
    locals.log.info('account deleted');
    redirect(303, '/account-deleted');
  },
} satisfies Actions;
