// What the projects page accepts, and a project as the app sees it. The database checks
// the same rules (projects_* constraints); these give the earlier, kinder message.

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

// The field rules are shared with the browser, which checks them before it writes
// through the data API: one definition (#lib/projects/schemas.ts).
export {
  archiveProjectInput,
  createProjectInput,
  projectColor,
  projectKey,
  projectName,
  recolorProjectInput,
  renameProjectInput,
} from '#lib/projects/schemas.ts';
export type {
  ArchiveProjectInput,
  CreateProjectInput,
  ProjectKey,
  RecolorProjectInput,
  RenameProjectInput,
} from '#lib/projects/schemas.ts';
