import { fail } from '@sveltejs/kit';
import { toWebhookActionError, type WebhookField } from '#lib/server/webhooks/action-errors.ts';
import { createWebhookEndpoint } from '#lib/server/webhooks/create-webhook-endpoint.ts';
import { listWebhooks } from '#lib/server/webhooks/list-webhooks.ts';
import {
  deleteWebhookEndpoint,
  redeliverWebhook,
  rotateWebhookSecret,
  setWebhookEnabled,
} from '#lib/server/webhooks/manage-webhooks.ts';
import {
  createWebhookInput,
  deliveryRef,
  endpointRef,
  EVENT_TYPE_CHOICES,
  setEnabledInput,
} from '#lib/server/webhooks/schemas.ts';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const { claims } = requireCaller(locals);
  const overview = await listWebhooks({ claims });
  return { ...overview, eventTypeChoices: EVENT_TYPE_CHOICES };
};

/** A refusal of one of the row actions, as a form-level message. */
function refused(action: string, error: unknown) {
  const known = toWebhookActionError(error);
  if (!known) throw error;
  return fail(known.status, { action, errors: { form: [known.message] } as FieldErrors<WebhookField> });
}

const gone = (action: string) =>
  fail(404, { action, errors: { form: ['That endpoint or delivery no longer exists.'] } as FieldErrors<WebhookField> });

export const actions = {
  create: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const data = await request.formData();
    const fields = formFields(data);
    const eventTypes = data.getAll('eventTypes').filter((v): v is string => typeof v === 'string');
    const values = {
      workspaceId: fields.workspaceId ?? '',
      url: fields.url ?? '',
      description: fields.description ?? '',
      eventTypes,
    };
    const parsed = createWebhookInput.safeParse({ ...fields, eventTypes });
    if (!parsed.success) {
      return fail(400, { action: 'create' as const, errors: fieldErrors<WebhookField>(parsed.error), values });
    }
    try {
      const revealed = await createWebhookEndpoint({ claims, input: parsed.data });
      // Ids only: neither the secret nor the URL (it may carry the receiver's token) is logged.
      locals.log.info(
        { webhook_endpoint_id: revealed.endpointId, workspace_id: parsed.data.workspaceId },
        'webhook endpoint created',
      );
      // No redirect: this response is the only place the secret is ever shown.
      return { action: 'create' as const, revealed };
    } catch (error) {
      const known = toWebhookActionError(error);
      if (!known) throw error;
      const errors: FieldErrors<WebhookField> = { [known.field]: [known.message] };
      return fail(known.status, { action: 'create' as const, errors, values });
    }
  },

  rotate: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = endpointRef.safeParse(formFields(await request.formData()));
    if (!parsed.success) return gone('rotate');
    try {
      const revealed = await rotateWebhookSecret({ claims, endpointId: parsed.data.endpointId });
      locals.log.info({ webhook_endpoint_id: revealed.endpointId }, 'webhook secret rotated');
      return { action: 'rotate' as const, revealed };
    } catch (error) {
      return refused('rotate', error);
    }
  },

  setEnabled: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = setEnabledInput.safeParse(formFields(await request.formData()));
    if (!parsed.success) return gone('setEnabled');
    if (!(await setWebhookEnabled({ claims, ...parsed.data }))) return gone('setEnabled');
    return { action: 'setEnabled' as const, notice: parsed.data.enabled ? 'Endpoint enabled.' : 'Endpoint paused.' };
  },

  delete: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = endpointRef.safeParse(formFields(await request.formData()));
    if (!parsed.success) return gone('delete');
    if (!(await deleteWebhookEndpoint({ claims, endpointId: parsed.data.endpointId }))) return gone('delete');
    locals.log.info({ webhook_endpoint_id: parsed.data.endpointId }, 'webhook endpoint deleted');
    return { action: 'delete' as const, notice: 'Endpoint deleted.' };
  },

  redeliver: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const parsed = deliveryRef.safeParse(formFields(await request.formData()));
    if (!parsed.success) return gone('redeliver');
    try {
      await redeliverWebhook({ claims, deliveryId: parsed.data.deliveryId });
    } catch (error) {
      return refused('redeliver', error);
    }
    return { action: 'redeliver' as const, notice: 'Delivery queued again.' };
  },
} satisfies Actions;
