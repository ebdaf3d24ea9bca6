// The browser's supabase-js client, pointed at the gateway's own origin (REST at
// /rest/v1). It authenticates every request with the person's access JWT from
// AccessTokenProvider (supabase-js' `accessToken` option; its own auth module stays
// off: no session storage, no refresh timers). A 401 is retried once with a fresh token.
// supabase-js is loaded on first use (a dynamic import), so it stays out of the initial
// JavaScript of a page whose first view came from the server.
import type { SupabaseClient } from '@supabase/supabase-js';
import { AccessTokenProvider } from './token.ts';

let tokens: AccessTokenProvider | null = null;
let client: Promise<SupabaseClient> | null = null;

export function accessTokens(): AccessTokenProvider {
  tokens ??= new AccessTokenProvider();
  return tokens;
}

/**
 * A fetch that retries once after a 401 with a newly issued token. supabase-js has already
 * put `Authorization: Bearer <token>` on the request; the retry replaces it.
 */
export function retryingFetch(provider: AccessTokenProvider, base: typeof fetch = fetch): typeof fetch {
  return async (input, rawInit) => {
    // A write in flight survives the page being left (a reload, signing out): keepalive.
    const method = (rawInit?.method ?? 'GET').toUpperCase();
    const init = method === 'GET' || method === 'HEAD' ? rawInit : { ...rawInit, keepalive: true };
    const first = await base(input, init);
    if (first.status !== 401) return first;
    const token = await provider.refresh();
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return base(input, { ...init, headers });
  };
}

/** The one client of this page (browser only). */
export function supabase(publishableKey: string): Promise<SupabaseClient> {
  client ??= import('@supabase/supabase-js').then(({ createClient }) => {
    const provider = accessTokens();
    return createClient(location.origin, publishableKey, {
      accessToken: () => provider.get(),
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: { fetch: retryingFetch(provider, (...args) => fetch(...args)) },
    });
  });
  // A failed load (the chunk did not arrive offline) is tried again on the next use.
  client.catch(() => (client = null));
  return client;
}

/** A fresh idempotency key for one logical write; a retry of that write reuses it. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
