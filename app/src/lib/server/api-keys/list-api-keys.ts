import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { ApiKey, KeyWorkspace } from './schemas.ts';

export type ListApiKeysOptions = { claims: Claims };
export type ApiKeyOverview = { workspaces: KeyWorkspace[]; keys: ApiKey[] };

const KEY_LIMIT = 500;

/**
 * The keys of every workspace the person belongs to (RLS: members see their workspaces'
 * keys) and the workspaces they can create keys for. One transaction, one snapshot.
 */
export async function listApiKeys({ claims }: ListApiKeysOptions): Promise<ApiKeyOverview> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const workspaces = await client.query<KeyWorkspace>(
      `select w.id, w.name, m.role in ('owner', 'admin', 'member') as "canWrite"
         from public.workspaces w
         join public.workspace_members m on m.workspace_id = w.id and m.user_id = (select auth.uid())
        order by w.kind = 'personal' desc, w.name, w.id`,
    );
    const keys = await client.query<ApiKey>(
      `select k.workspace_id as "workspaceId", k.id, k.name, k.role, k.prefix, w.name as "workspaceName",
              k.created_by = (select auth.uid()) as mine,
              (k.created_by = (select auth.uid()) or m.role in ('owner', 'admin')) as "canRevoke",
              k.created_at as "createdAt", k.last_used_at as "lastUsedAt", k.expires_at as "expiresAt",
              k.revoked_at as "revokedAt"
         from public.api_keys k
         join public.workspaces w on w.id = k.workspace_id
         join public.workspace_members m on m.workspace_id = k.workspace_id and m.user_id = (select auth.uid())
        order by (k.revoked_at is null and k.expires_at > now()) desc, k.created_at desc, k.id
        limit $1`,
      [KEY_LIMIT],
    );
    return { workspaces: workspaces.rows, keys: keys.rows };
  });
}
