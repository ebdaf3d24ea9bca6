// The small webhook operations of the settings page, each one statement under the
// person's rights (RLS and the RPCs' own checks decide; a row they may not touch looks absent).
import { asUser, asUserQuery, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { RevealedSecret } from './schemas.ts';

type Caller = { claims: Claims };

/** A new signing secret (public.rotate_webhook_secret), shown once. */
export async function rotateWebhookSecret({
  claims,
  endpointId,
}: Caller & { endpointId: string }): Promise<RevealedSecret> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ url: string; secret: string }>(
      `select e.url, public.rotate_webhook_secret(e.id) as secret
         from public.webhook_endpoints e where e.id = $1`,
      [endpointId],
    );
    const row = rows[0];
    if (!row) throw Object.assign(new Error('No webhook endpoint with this id.'), { code: 'PT404' });
    return { endpointId, url: row.url, secret: row.secret, rotated: true };
  });
}

/** Pauses or resumes an endpoint; false when it is not the person's to change. */
export async function setWebhookEnabled({
  claims,
  endpointId,
  enabled,
}: Caller & { endpointId: string; enabled: boolean }): Promise<boolean> {
  const { rowCount } = await asUserQuery(
    services().apiPool,
    { claims },
    { text: `update public.webhook_endpoints set enabled = $2 where id = $1`, values: [endpointId, enabled] },
  );
  return rowCount === 1;
}

/** Deletes an endpoint and its delivery log; false when it is not the person's to delete. */
export async function deleteWebhookEndpoint({ claims, endpointId }: Caller & { endpointId: string }): Promise<boolean> {
  const { rowCount } = await asUserQuery(
    services().apiPool,
    { claims },
    { text: `delete from public.webhook_endpoints where id = $1`, values: [endpointId] },
  );
  return rowCount === 1;
}

/** Queues a delivery again (public.redeliver_webhook). */
export async function redeliverWebhook({ claims, deliveryId }: Caller & { deliveryId: string }): Promise<void> {
  await asUserQuery(
    services().apiPool,
    { claims },
    { text: `select 1 from public.redeliver_webhook($1)`, values: [deliveryId] },
  );
}
