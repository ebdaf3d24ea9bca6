import { redirect } from '@sveltejs/kit';
import { config } from '$server/config.ts';
import { isValidTimeZone, TZ_COOKIE } from '#lib/data/days.ts';
import { countUnread } from '#lib/server/notifications/notifications.ts';
import { loadShellData } from '#lib/server/tasks/shell-data.ts';
import type { LayoutServerLoad } from './$types';

// The guard for every page under (app). Form actions do not run this load, so each
// action checks the caller itself (requireCaller in #lib/server/guard.ts).
//
// Time zone: the person's setting (public.user_settings) when there is one; otherwise the
// zone the browser reported in the `tz` cookie on an earlier visit; otherwise UTC for
// this first render, and the browser corrects it after hydration (and sets the cookie).
export const load: LayoutServerLoad = async ({ locals, url, cookies, depends }) => {
  if (!locals.user || !locals.claims) {
    const back = `${url.pathname}${url.search}`;
    redirect(303, `/sign-in?redirectTo=${encodeURIComponent(back)}`);
  }
  // The bell's count: read with every server render; in the browser this load is not re-run by
  // a client-side navigation (it reads no url or params when signed in), so the bell re-reads it
  // with invalidate('app:notifications'), and an enhanced form's invalidateAll() does too.
  depends('app:notifications');
  const [shell, unreadNotifications] = await Promise.all([loadShellData(locals.claims), countUnread(locals.claims)]);
  const cookieZone = cookies.get(TZ_COOKIE);
  const browserZone = cookieZone && isValidTimeZone(cookieZone) ? cookieZone : null;
  const timeZone = shell.timeZone && isValidTimeZone(shell.timeZone) ? shell.timeZone : (browserZone ?? 'UTC');
  return {
    user: { id: locals.user.id, name: locals.user.name, emailVerified: locals.user.emailVerified },
    projects: shell.projects,
    workspaceId: shell.workspaceId,
    timeZone,
    /** Whether the zone is the person's choice (else the browser's own zone may replace it). */
    timeZoneChosen: shell.timeZone !== null && isValidTimeZone(shell.timeZone),
    publishableKey: config().API_PUBLISHABLE_KEY,
    unreadNotifications,
  };
};
