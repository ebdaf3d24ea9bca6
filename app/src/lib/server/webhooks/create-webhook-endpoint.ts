import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { CreateWebhookInput, RevealedSecret } from './schemas.ts';

export type CreateWebhookEndpointOptions = { claims: Claims; input: CreateWebhookInput };

/**
 * Registers an endpoint through public.create_webhook_endpoint(), which checks that the
 * person is an owner/admin, refuses unsafe URLs and returns the signing secret this once.
 */
export async function createWebhookEndpoint({ claims, input }: CreateWebhookEndpointOptions): Promise<RevealedSecret> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ id: string; url: string; secret: string }>(
      `select id, url, secret from public.create_webhook_endpoint($1, $2, $3, $4)`,
      [input.workspaceId, input.url, input.eventTypes, input.description],
    );
    const created = rows[0];
    if (!created) throw new Error('public.create_webhook_endpoint returned no row');
    return { endpointId: created.id, url: created.url, secret: created.secret, rotated: false };
  });
}
