import { fail } from '@sveltejs/kit';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { toProjectActionError, type ProjectField } from '#lib/server/projects/action-errors.ts';
import { createProject } from '#lib/server/projects/create-project.ts';
import { listProjects } from '#lib/server/projects/list-projects.ts';
import {
  archiveProjectInput,
  createProjectInput,
  recolorProjectInput,
  renameProjectInput,
} from '#lib/server/projects/schemas.ts';
import { updateProject, type ProjectChange } from '#lib/server/projects/update-project.ts';
import type { Actions, PageServerLoad } from './$types';
import type { z } from 'zod';

const GONE = 'That project no longer exists. It may have been deleted elsewhere.';

export const load: PageServerLoad = async ({ locals }) => {
  const { claims } = requireCaller(locals);
  const projects = await listProjects({ claims });
  const view = projects.map((p) => ({
    workspaceId: p.workspaceId,
    id: p.id,
    name: p.name,
    color: p.color,
    openCount: p.openCount,
    archived: p.archivedAt !== null,
  }));
  return { active: view.filter((p) => !p.archived), archived: view.filter((p) => p.archived) };
};

type Failure = {
  action: string;
  projectId: string | null;
  errors: FieldErrors<ProjectField>;
  values?: Record<string, string>;
};

function refusal(status: number, failure: Failure) {
  return fail(status, failure);
}

/** Validates one change to an existing project and applies it. */
async function change<S extends z.ZodType>(
  action: string,
  schema: S,
  toChange: (input: z.infer<S>) => ProjectChange,
  done: (input: z.infer<S>) => string,
  { request, locals }: { request: Request; locals: App.Locals },
) {
  const { claims } = requireCaller(locals);
  const fields = formFields(await request.formData());
  const projectId = fields.id ?? null;
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    return refusal(400, { action, projectId, errors: fieldErrors<ProjectField>(parsed.error), values: fields });
  }
  const input = parsed.data as z.infer<S> & { workspaceId: string; id: string };
  try {
    const ok = await updateProject({ claims, key: input, change: toChange(input) });
    if (!ok) return refusal(404, { action, projectId, errors: { form: [GONE] } });
  } catch (caught) {
    const refused = toProjectActionError(caught);
    if (!refused) throw caught;
    return refusal(refused.status, {
      action,
      projectId,
      errors: { [refused.field]: [refused.message] },
      values: fields,
    });
  }
  return { action, projectId, done: done(input) };
}

export const actions = {
  create: async ({ request, locals }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const parsed = createProjectInput.safeParse(fields);
    if (!parsed.success) {
      return refusal(400, {
        action: 'create',
        projectId: null,
        errors: fieldErrors<ProjectField>(parsed.error),
        values: fields,
      });
    }
    try {
      const project = await createProject({ claims, input: parsed.data });
      return { action: 'create', projectId: project.id, done: `Created “${project.name}”.` };
    } catch (caught) {
      const refused = toProjectActionError(caught);
      if (!refused) throw caught;
      return refusal(refused.status, {
        action: 'create',
        projectId: null,
        errors: { [refused.field]: [refused.message] },
        values: fields,
      });
    }
  },

  rename: (event) =>
    change(
      'rename',
      renameProjectInput,
      (i) => ({ name: i.name }),
      (i) => `Renamed to “${i.name}”.`,
      event,
    ),

  recolor: (event) =>
    change(
      'recolor',
      recolorProjectInput,
      (i) => ({ color: i.color }),
      () => 'Colour changed.',
      event,
    ),

  archive: (event) =>
    change(
      'archive',
      archiveProjectInput,
      (i) => ({ archived: i.archived }),
      (i) => (i.archived ? 'Project archived.' : 'Project restored from the archive.'),
      event,
    ),
} satisfies Actions;
