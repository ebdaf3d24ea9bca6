// The official @supabase/supabase-js client pointed at an in-process gateway, exactly as
// an app would use it against hosted Supabase: the base URL (the client itself appends
// /rest/v1), the publishable key, and either a user's access JWT or nothing (anon).
import assert from 'node:assert/strict';
import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import WebSocket from 'ws';
import { services } from '../../lib/services.ts';
import { accessToken, cookiesFrom, signUp, uniqueEmail } from './gateway.ts';

/**
 * A client for `baseUrl` (the gateway origin). With a token, every request carries
 * `Authorization: Bearer <token>`; without one, the client sends the publishable key as the
 * Bearer token, which the gateway serves as the anon role.
 */
export function supabaseClient(baseUrl: string, token?: string): SupabaseClient {
  const key = services().config.API_PUBLISHABLE_KEY;
  return createClient(baseUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(token ? { accessToken: async () => token } : {}),
    // Realtime is not served yet; the transport is set so the client never depends on a
    // browser global if a test subscribes later.
    realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
  });
}

export type TestUser = {
  email: string;
  userId: string;
  token: string;
  /** The user's personal workspace, read through the client. */
  workspaceId: string;
  db: SupabaseClient;
};

/** Signs a new user up over HTTP and returns a client acting as them. */
export async function signUpClient(baseUrl: string, prefix = 'supa'): Promise<TestUser> {
  const email = uniqueEmail(prefix);
  const res = await signUp(baseUrl, email);
  assert.equal(res.status, 200, `sign-up failed: ${await res.clone().text()}`);
  const token = await accessToken(baseUrl, cookiesFrom(res));
  const userId = decodeJwt(token).sub;
  assert.ok(userId, 'the access token has a sub');
  const db = supabaseClient(baseUrl, token);
  const { data, error } = await db.from('workspaces').select('id').eq('kind', 'personal');
  assert.equal(error, null, `reading the personal workspace failed: ${JSON.stringify(error)}`);
  assert.equal(data?.length, 1, 'exactly one personal workspace is visible');
  return { email, userId, token, workspaceId: (data[0] as { id: string }).id, db };
}
