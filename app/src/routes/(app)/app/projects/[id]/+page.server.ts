import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { requireCaller } from '#lib/server/guard.ts';
import { getProject } from '#lib/server/tasks/list-view.ts';
import { listActions } from '#lib/server/tasks/list-actions.ts';
import { loadViewSeed } from '#lib/server/tasks/load-view.ts';
import type { Actions, PageServerLoad } from './$types';

// A project's open tasks. RLS decides visibility: someone else's project is a 404.
export const load: PageServerLoad = async ({ locals, params, parent, isDataRequest }) => {
  const { claims } = requireCaller(locals);
  const id = z.uuid().safeParse(params.id);
  if (!id.success) error(404, 'Not found');
  const project = await getProject({ claims, id: id.data });
  if (!project) error(404, 'Not found');
  const timeZone = async () => (await parent()).timeZone;
  const seed = await loadViewSeed({
    claims,
    spec: { kind: 'project', projectId: project.id },
    timeZone,
    isDataRequest,
  });
  return { project, seed };
};

export const actions = listActions satisfies Actions;
