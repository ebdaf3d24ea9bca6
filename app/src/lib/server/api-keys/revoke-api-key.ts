import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { ApiKeyRef } from './schemas.ts';

export type RevokeApiKeyOptions = { claims: Claims; key: ApiKeyRef };

/**
 * Revokes a key (RLS: its creator or an owner/admin of its workspace). Null when there is
 * no such live key the person may revoke. The gateway stops accepting it within
 * API_KEY_CACHE_MS.
 */
export async function revokeApiKey({ claims, key }: RevokeApiKeyOptions): Promise<{ id: string; name: string } | null> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ id: string; name: string }>(
      `update public.api_keys set revoked_at = now()
        where workspace_id = $1 and id = $2 and revoked_at is null
        returning id, name`,
      [key.workspaceId, key.id],
    );
    return rows[0] ?? null;
  });
}
