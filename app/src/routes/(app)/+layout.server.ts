import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

// The guard for every page under (app). Form actions do not run this load, so each
// action checks the caller itself (requireCaller in #lib/server/guard.ts).
export const load: LayoutServerLoad = ({ locals, url }) => {
  if (!locals.user) {
    const back = `${url.pathname}${url.search}`;
    redirect(303, `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  }
  return { user: { name: locals.user.name } };
};
