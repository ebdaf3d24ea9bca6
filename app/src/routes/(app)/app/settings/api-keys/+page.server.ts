import { fail, redirect } from '@sveltejs/kit';
import { STEP_UP_REFUSAL, toApiKeyActionError, type ApiKeyField } from '#lib/server/api-keys/action-errors.ts';
import { stepUpUrl } from '#lib/server/auth/mfa.ts';
import { aalOf } from '$server/auth/assurance.ts';
import { secondFactorEnrolled } from '$server/auth/step-up.ts';
import { services } from '$server/services.ts';
import { createApiKey } from '#lib/server/api-keys/create-api-key.ts';
import { listApiKeys } from '#lib/server/api-keys/list-api-keys.ts';
import { revokeApiKey } from '#lib/server/api-keys/revoke-api-key.ts';
import { apiKeyRef, createApiKeyInput, DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES } from '#lib/server/api-keys/schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/api-keys';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { claims, user } = requireCaller(locals);
  const { workspaces, keys } = await listApiKeys({ claims });
  // With a second factor, keys are created from an aal2 session only (create_api_key).
  const stepUp =
    aalOf(locals.session) !== 'aal2' && (await secondFactorEnrolled(services().serviceDb, user.id))
      ? stepUpUrl(PAGE)
      : null;
  const now = Date.now();
  const listed = keys.map((k) => ({
    ...k,
    status: k.revokedAt
      ? ('revoked' as const)
      : k.expiresAt.getTime() <= now
        ? ('expired' as const)
        : ('active' as const),
  }));
  // ?revoke=<id> asks for confirmation (a page of its own, so it works without JavaScript).
  const revokeId = url.searchParams.get('revoke');
  const confirming = listed.find((k) => k.id === revokeId && k.canRevoke && k.status === 'active') ?? null;
  const revokedId = url.searchParams.get('revoked');
  const revoked = listed.find((k) => k.id === revokedId && k.status === 'revoked') ?? null;
  return {
    workspaces,
    keys: listed,
    confirming,
    revokedName: revoked?.name ?? null,
    expiryChoices: EXPIRY_CHOICES,
    defaultExpiryDays: DEFAULT_EXPIRY_DAYS,
    stepUp,
  };
};

export const actions = {
  create: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = {
      name: fields.name ?? '',
      workspaceId: fields.workspaceId ?? '',
      role: fields.role ?? 'read',
      expiresInDays: fields.expiresInDays ?? String(DEFAULT_EXPIRY_DAYS),
    };
    const parsed = createApiKeyInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'create' as const, errors: fieldErrors<ApiKeyField>(parsed.error), values });
    }
    let created;
    try {
      created = await createApiKey({ claims, input: parsed.data });
    } catch (error) {
      const refused = toApiKeyActionError(error);
      if (!refused) throw error;
      if (refused.message === STEP_UP_REFUSAL) redirect(303, stepUpUrl(PAGE));
      const errors: FieldErrors<ApiKeyField> = { [refused.field]: [refused.message] };
      return fail(refused.status, { action: 'create' as const, errors, values });
    }
    // The id and workspace only: the key itself never reaches a log.
    locals.log.info({ api_key_id: created.id, workspace_id: parsed.data.workspaceId }, 'API key created');
    // No redirect: this response is the only place the plaintext key is ever shown.
    return { action: 'create' as const, created };
  },

  revoke: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = apiKeyRef.safeParse(formFields(await request.formData()));
    const gone = 'That key does not exist, is already revoked, or you may not revoke it.';
    if (!parsed.success) {
      return fail(400, { action: 'revoke' as const, errors: { form: [gone] } as FieldErrors<ApiKeyField> });
    }
    const revoked = await revokeApiKey({ claims, key: parsed.data });
    if (!revoked) return fail(404, { action: 'revoke' as const, errors: { form: [gone] } as FieldErrors<ApiKeyField> });
    locals.log.info({ api_key_id: revoked.id, workspace_id: parsed.data.workspaceId }, 'API key revoked');
    redirect(303, `${PAGE}?revoked=${revoked.id}`);
  },
} satisfies Actions;
