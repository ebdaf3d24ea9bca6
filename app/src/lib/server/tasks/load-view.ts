// The SSR half of a list page. The first request renders the view from the database as
// the signed-in person and hands the rows to the browser cache (ViewSeed). Later
// client-side navigations (data requests) skip the read: the browser cache already holds
// the view or fetches it from REST itself, so switching views does not refetch what is fresh.
import type { Claims } from '$server/db/as-user.ts';
import { todayIn } from '#lib/data/days.ts';
import type { ViewSeed } from '#lib/data/tasks.svelte.ts';
import { viewKey, type ViewSpec } from '#lib/data/view.ts';
import { listView } from './list-view.ts';

export async function loadViewSeed(options: {
  claims: Claims;
  spec: ViewSpec;
  /** The layout's zone (a function: a data request never needs it). */
  timeZone: () => Promise<string>;
  isDataRequest: boolean;
}): Promise<ViewSeed | null> {
  if (options.isDataRequest) return null;
  const timeZone = await options.timeZone();
  const fetchedAt = Date.now();
  const page = await listView({
    claims: options.claims,
    spec: options.spec,
    today: todayIn(timeZone, fetchedAt),
  });
  return { key: viewKey(options.spec), tasks: page.tasks, complete: page.complete, fetchedAt };
}
