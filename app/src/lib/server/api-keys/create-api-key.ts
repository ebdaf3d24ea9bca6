import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { CreateApiKeyInput, NewApiKey } from './schemas.ts';

export type CreateApiKeyOptions = { claims: Claims; input: CreateApiKeyInput };

/**
 * Creates a key through public.create_api_key(), which checks the person's membership
 * and returns the plaintext this once. The caller shows it and forgets it.
 */
export async function createApiKey({ claims, input }: CreateApiKeyOptions): Promise<NewApiKey> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<NewApiKey>(
      `select id, name, prefix, role, expires_at as "expiresAt", key
         from public.create_api_key($1, $2, $3, now() + make_interval(days => $4))`,
      [input.workspaceId, input.name, input.role, input.expiresInDays],
    );
    const created = rows[0];
    if (!created) throw new Error('public.create_api_key returned no row');
    return created;
  });
}
