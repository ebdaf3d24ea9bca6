// The unread-notification count the header's bell shows, shared with the notifications
// page (marking read there updates the bell at once). Read through the data API as the
// person (public.notifications; RLS: only their own), counted by the server
// (Prefer: count=exact on a HEAD request: no rows travel).
import { supabase } from './client.ts';

export const unread = $state<{ count: number | null }>({ count: null });

let inflight: Promise<void> | null = null;

/** Re-counts the unread notifications; a failure keeps the last count (the bell is not critical). */
export function refreshUnread(publishableKey: string): Promise<void> {
  inflight ??= (async () => {
    try {
      const client = await supabase(publishableKey);
      const { count, error } = await client
        .from('notifications')
        .select('id', { count: 'exact', head: true })
        .is('read_at', null);
      if (!error && typeof count === 'number') unread.count = count;
    } catch {
      // Offline or signed out: try again on the next focus or tick.
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}
