import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { PROJECT_COLUMNS, type Project } from './schemas.ts';

export type ListProjectsOptions = { claims: Claims };

/** Every project of the caller's personal workspace (archived ones too), in manual order. */
export async function listProjects({ claims }: ListProjectsOptions): Promise<Project[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<Project>(
      `select ${PROJECT_COLUMNS} from public.projects p
        where p.workspace_id = (select public.my_personal_workspace_id())
        order by p.position, p.created_at, p.id`,
    );
    return rows;
  });
}
