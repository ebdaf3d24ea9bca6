import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { ProjectKey } from './schemas.ts';

/** One change to a project: its name, its colour, or whether it is archived. */
export type ProjectChange = { name: string } | { color: string } | { archived: boolean };

export type UpdateProjectOptions = { claims: Claims; key: ProjectKey; change: ProjectChange };

/** Applies one change; false when the project is gone or not the caller's to change. */
export async function updateProject({ claims, key, change }: UpdateProjectOptions): Promise<boolean> {
  const [assignment, value] =
    'name' in change
      ? ['name = $3', change.name]
      : 'color' in change
        ? ['color = $3', change.color]
        : // Archiving keeps the first archive time; unarchiving clears it.
          ['archived_at = case when $3::boolean then coalesce(archived_at, now()) end', change.archived];
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rowCount } = await client.query(
      `update public.projects set ${assignment} where workspace_id = $1 and id = $2`,
      [key.workspaceId, key.id, value],
    );
    return (rowCount ?? 0) > 0;
  });
}
