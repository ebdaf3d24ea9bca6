// What the projects page accepts, and a project as the app sees it. The database checks
// the same rules (projects_* constraints); these give the earlier, kinder message.
import { z } from 'zod';
import { PROJECT_COLOR_NAMES } from '#lib/projects/palette.ts';

export type Project = {
  workspaceId: string;
  id: string;
  name: string;
  color: string;
  archivedAt: Date | null;
  openCount: number;
};

export const PROJECT_COLUMNS = `p.workspace_id as "workspaceId", p.id, p.name, p.color, p.archived_at as "archivedAt",
  (select count(*)::int from public.tasks t
    where t.workspace_id = p.workspace_id and t.project_id = p.id
      and t.deleted_at is null and t.status = 'open') as "openCount"`;

export const projectName = z
  .string()
  .trim()
  .min(1, 'Enter a project name.')
  .max(120, 'Project names are at most 120 characters.');

export const projectColor = z
  .string()
  .refine((c) => PROJECT_COLOR_NAMES.includes(c), 'Choose a colour from the palette.');

export const projectKey = z.object({
  workspaceId: z.uuid('That project does not exist.'),
  id: z.uuid('That project does not exist.'),
});
export type ProjectKey = z.infer<typeof projectKey>;

export const createProjectInput = z.object({ name: projectName, color: projectColor.default('slate') });
export type CreateProjectInput = z.infer<typeof createProjectInput>;

export const renameProjectInput = projectKey.extend({ name: projectName });
export type RenameProjectInput = z.infer<typeof renameProjectInput>;

export const recolorProjectInput = projectKey.extend({ color: projectColor });
export type RecolorProjectInput = z.infer<typeof recolorProjectInput>;

export const archiveProjectInput = projectKey.extend({
  archived: z.enum(['true', 'false']).transform((v) => v === 'true'),
});
export type ArchiveProjectInput = z.infer<typeof archiveProjectInput>;
