import { requireCaller } from '#lib/server/guard.ts';
import { findTasks } from '#lib/server/tasks/find-tasks.ts';
import type { PageServerLoad } from './$types';

const MAX_QUERY = 200;

// A direct load (or a submission without JavaScript) renders the results on the server;
// with JavaScript the page searches as you type through the data API instead.
export const load: PageServerLoad = async ({ locals, url }) => {
  const { claims } = requireCaller(locals);
  const query = (url.searchParams.get('q') ?? '').trim().slice(0, MAX_QUERY);
  if (!query) return { query, results: [] };
  const results = await findTasks({ claims, query, maxResults: 50 });
  return { query, results };
};
