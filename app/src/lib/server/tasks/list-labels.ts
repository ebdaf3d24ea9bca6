import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { TaskLabel } from './detail-schemas.ts';

export type ListLabelsOptions = { claims: Claims; workspaceId: string };

/** Every label of a workspace, by name. */
export async function listLabels({ claims, workspaceId }: ListLabelsOptions): Promise<TaskLabel[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<TaskLabel>(
      `select id, name from public.labels where workspace_id = $1 order by lower(name), id`,
      [workspaceId],
    );
    return rows;
  });
}
