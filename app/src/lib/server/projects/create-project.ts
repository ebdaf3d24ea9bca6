import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { PROJECT_COLUMNS, type CreateProjectInput, type Project } from './schemas.ts';

export type CreateProjectOptions = { claims: Claims; input: CreateProjectInput };

/** Adds a project at the end of the caller's personal workspace (position defaults to now). */
export async function createProject({ claims, input }: CreateProjectOptions): Promise<Project> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<Project>(
      `with p as (
         insert into public.projects (workspace_id, name, color)
         values ((select public.my_personal_workspace_id()), $1, $2)
         returning *)
       select ${PROJECT_COLUMNS} from p`,
      [input.name, input.color],
    );
    const project = rows[0];
    if (!project) throw new Error('insert into public.projects returned no row');
    return project;
  });
}
