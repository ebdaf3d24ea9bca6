// Settings → Connections: the ways a person signs in (password, OAuth providers), and
// unlinking a provider. Better Auth refuses to remove the last one (no lock-out), and
// requires a fresh session (signed in within a day) to remove any.
import { isAPIError } from 'better-auth/api';
import { z } from 'zod';
import { services } from '$server/services.ts';
import { oauthProviders, providerName, type OAuthProviderInfo } from './oauth.ts';

export type Connection = {
  /** Better Auth's account id (what unlinking names). */
  id: string;
  providerId: string;
  name: string;
  connectedAt: Date;
  canUnlink: boolean;
};

export type Connections = { connections: Connection[]; available: OAuthProviderInfo[] };

export async function listConnections(headers: Headers): Promise<Connections> {
  const accounts = await services().auth.api.listUserAccounts({ headers });
  const connections = accounts.map((a) => ({
    id: a.id,
    providerId: a.providerId,
    name: providerName(a.providerId),
    connectedAt: new Date(a.createdAt),
    // The password is changed, not unlinked; a provider only while another way in remains.
    canUnlink: a.providerId !== 'credential' && accounts.length > 1,
  }));
  const linked = new Set(accounts.map((a) => a.providerId));
  return { connections, available: oauthProviders().filter((p) => !linked.has(p.id)) };
}

export const unlinkInput = z.object({ accountId: z.uuid('Choose a connection to remove.') });

export type UnlinkResult = { ok: true; providerId: string } | { ok: false; status: number; message: string };

const LAST = 'This is your only way to sign in, so it cannot be removed. Add a password or another provider first.';

export async function unlinkConnection(headers: Headers, accountId: string): Promise<UnlinkResult> {
  const { connections } = await listConnections(headers);
  const target = connections.find((c) => c.id === accountId && c.providerId !== 'credential');
  if (!target) return { ok: false, status: 404, message: 'That connection does not exist or is already removed.' };
  if (!target.canUnlink) return { ok: false, status: 400, message: LAST };
  try {
    await services().auth.api.unlinkAccount({ body: { accountId }, headers });
    return { ok: true, providerId: target.providerId };
  } catch (error) {
    if (!isAPIError(error) || error.statusCode >= 500) throw error;
    const code = typeof error.body?.code === 'string' ? error.body.code : '';
    if (code === 'SESSION_NOT_FRESH') {
      return {
        ok: false,
        status: 403,
        message: 'For your security, sign out and sign in again before removing a way to sign in.',
      };
    }
    if (code === 'FAILED_TO_UNLINK_LAST_ACCOUNT') return { ok: false, status: 400, message: LAST };
    return { ok: false, status: 400, message: 'That connection could not be removed. Please try again.' };
  }
}
