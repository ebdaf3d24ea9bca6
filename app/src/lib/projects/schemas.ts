// What a project's fields accept, shared by the projects page's form actions (the
// no-JavaScript fallback) and the browser, which checks the same rules before it writes
// through the data API. The database checks them again (projects_* constraints).
import { z } from 'zod';
import { PROJECT_COLOR_NAMES } from './palette.ts';

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
