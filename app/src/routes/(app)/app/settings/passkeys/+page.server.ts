import { fail, redirect } from '@sveltejs/kit';
import { hasFreshSecondFactor } from '$server/auth/assurance.ts';
import { removePasskey, renamePasskey } from '#lib/server/passkeys/change-passkey.ts';
import { listPasskeys } from '#lib/server/passkeys/list-passkeys.ts';
import { passkeyRef, renamePasskeyInput } from '#lib/server/passkeys/schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/passkeys';
type Field = 'name' | 'id';
const GONE = 'That passkey does not exist or is not yours.';

/** Removing a passkey needs a fresh second factor: /step-up brings the person back here. */
function stepUp(id: string): never {
  redirect(303, `/step-up?${new URLSearchParams({ redirectTo: `${PAGE}?remove=${id}` })}`);
}

export const load: PageServerLoad = async ({ locals, request, url }) => {
  requireCaller(locals);
  const passkeys = await listPasskeys({ headers: request.headers });
  // ?rename=<id> and ?remove=<id> are pages of their own, so both work without JavaScript.
  const renaming = passkeys.find((p) => p.id === url.searchParams.get('rename')) ?? null;
  const removing = passkeys.find((p) => p.id === url.searchParams.get('remove')) ?? null;
  const done = url.searchParams.get('done');
  return {
    passkeys,
    renaming,
    removing,
    // Removal is a step-up action: offer a passkey right on the confirmation.
    freshSecondFactor: hasFreshSecondFactor(locals.session),
    notice: done === 'removed' ? 'Passkey removed.' : done === 'renamed' ? 'Passkey renamed.' : null,
  };
};

export const actions = {
  rename: async ({ request, locals }) => {
    requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { id: fields.id ?? '', name: fields.name ?? '' };
    const parsed = renamePasskeyInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'rename' as const, errors: fieldErrors<Field>(parsed.error), values });
    }
    const result = await renamePasskey({ input: parsed.data, headers: request.headers });
    if (!result.ok) {
      return fail(404, { action: 'rename' as const, errors: { form: [GONE] } as FieldErrors<Field>, values });
    }
    locals.log.info({ passkey_id: parsed.data.id }, 'passkey renamed');
    redirect(303, `${PAGE}?done=renamed`);
  },

  remove: async ({ request, locals }) => {
    requireCaller(locals);
    const parsed = passkeyRef.safeParse(formFields(await request.formData()));
    if (!parsed.success) {
      return fail(400, { action: 'remove' as const, errors: { form: [GONE] } as FieldErrors<Field> });
    }
    const result = await removePasskey({ id: parsed.data.id, headers: request.headers });
    if (!result.ok && result.reason === 'step_up') stepUp(parsed.data.id);
    if (!result.ok) return fail(404, { action: 'remove' as const, errors: { form: [GONE] } as FieldErrors<Field> });
    locals.log.info({ passkey_id: parsed.data.id }, 'passkey removed');
    redirect(303, `${PAGE}?done=removed`);
  },
} satisfies Actions;
