import { requireCaller } from '#lib/server/guard.ts';
import { listActions } from '#lib/server/tasks/list-actions.ts';
import { loadViewSeed } from '#lib/server/tasks/load-view.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, isDataRequest }) => {
  const { claims } = requireCaller(locals);
  const timeZone = async () => (await parent()).timeZone;
  return { seed: await loadViewSeed({ claims, spec: { kind: 'upcoming' }, timeZone, isDataRequest }) };
};

export const actions = listActions satisfies Actions;
