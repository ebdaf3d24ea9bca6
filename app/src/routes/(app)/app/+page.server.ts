import { requireCaller } from '#lib/server/guard.ts';
import { listActions } from '#lib/server/tasks/list-actions.ts';
import { listRecentlyCompleted } from '#lib/server/tasks/list-view.ts';
import { loadViewSeed } from '#lib/server/tasks/load-view.ts';
import type { Actions, PageServerLoad } from './$types';

// The Inbox: open tasks without a project, then the recently completed ones.
export const load: PageServerLoad = async ({ locals, parent, isDataRequest }) => {
  const { claims } = requireCaller(locals);
  const timeZone = async () => (await parent()).timeZone;
  const [seed, completed] = await Promise.all([
    loadViewSeed({ claims, spec: { kind: 'inbox' }, timeZone, isDataRequest }),
    isDataRequest ? Promise.resolve(null) : listRecentlyCompleted({ claims }),
  ]);
  return { seed, completed };
};

export const actions = listActions satisfies Actions;
