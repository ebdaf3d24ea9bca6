// One write through the data API (supabase-js, the person's token) for pages whose rows
// are not in the task cache: Trash, Projects, Settings. Like the cache's writes it carries
// an Idempotency-Key, and a request the network lost is sent again under the same key, so
// it lands once. A refusal comes back as the server's reason, for the page to show by the
// field it is about after it has taken its optimistic change back.
import type { SupabaseClient } from '@supabase/supabase-js';
import { isNetworkFailure } from '../offline/outbox.ts';
import { idempotencyKey, supabase } from './client.ts';
import { reasonOf } from './tasks.svelte.ts';

type Answer = {
  data?: unknown;
  error: { message: string; details?: string | null; code?: string } | null;
  status?: number;
};

export type WriteOutcome<T> = { ok: true; data: T } | { ok: false; reason: string; status: number };

const ATTEMPTS = 3;

/**
 * Sends `request` (which must put `key` in its Idempotency-Key header) and reads the answer.
 * Example: `write(pk, (db, key) => db.from('projects').insert(row).select().setHeader('Idempotency-Key', key))`.
 */
export async function write<T = unknown>(
  publishableKey: string,
  request: (db: SupabaseClient, key: string) => PromiseLike<Answer>,
): Promise<WriteOutcome<T>> {
  const key = idempotencyKey();
  let last: Answer = { error: { message: 'The server did not answer. Check your connection and try again.' } };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      last = await request(await supabase(publishableKey), key);
      if (!isNetworkFailure(last)) break;
    } catch {
      // A failed fetch: the same request under the same key once more.
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, 250 * attempt));
  }
  if (isNetworkFailure(last))
    return { ok: false, reason: 'The server did not answer. Check your connection and try again.', status: 0 };
  if (last.error) return { ok: false, reason: reasonOf(last.error), status: last.status ?? 0 };
  return { ok: true, data: last.data as T };
}
