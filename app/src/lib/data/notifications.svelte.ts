// The unread-notification count the header's bell shows, shared with the notifications
// page (marking read there updates the bell at once). Read through the data API as the
// person (public.notifications; RLS: only their own), counted by the server: a HEAD
// request with `Prefer: count=exact` (what supabase-js sends for `{ count: 'exact', head:
// true }`), so no rows travel. It uses the data layer's token provider and 401 retry but
// not the supabase-js module itself: the bell is on every page, and loading supabase-js
// for it would put that library into every page's initial JavaScript.
import { accessTokens, retryingFetch } from './client.ts';

export const unread = $state<{ count: number | null }>({ count: null });

const UNREAD_URL = '/rest/v1/notifications?select=id&read_at=is.null';

/** The total from a `Content-Range: 0-9/42` or `*\/42` header, or null. */
export function countFrom(contentRange: string | null): number | null {
  const match = /\/(\d+)$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : null;
}

let inflight: Promise<void> | null = null;

/** Re-counts the unread notifications; a failure keeps the last count (the bell is not critical). */
export function refreshUnread(publishableKey: string): Promise<void> {
  inflight ??= (async () => {
    try {
      const tokens = accessTokens();
      const res = await retryingFetch(tokens)(UNREAD_URL, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${await tokens.get()}`, apikey: publishableKey, prefer: 'count=exact' },
      });
      const count = res.ok ? countFrom(res.headers.get('content-range')) : null;
      if (count !== null) unread.count = count;
    } catch {
      // Offline or signed out: try again on the next focus or tick.
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}
