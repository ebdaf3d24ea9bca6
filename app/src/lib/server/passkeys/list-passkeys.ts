// The signed-in person's passkeys, through Better Auth's own endpoint (it filters by the
// session's user), shaped for the settings page: never the public key or counter.
import { getAuthenticatorName } from '@better-auth/passkey';
import { services } from '$server/services.ts';

export type ListedPasskey = {
  id: string;
  name: string;
  provider: string | null;
  createdAt: Date | null;
  deviceType: 'singleDevice' | 'multiDevice' | string;
  backedUp: boolean;
};

export async function listPasskeys({ headers }: { headers: Headers }): Promise<ListedPasskey[]> {
  const passkeys = await services().auth.api.listPasskeys({ headers });
  return passkeys
    .map((p) => ({
      id: p.id,
      name: p.name?.trim() || getAuthenticatorName(p.aaguid ?? undefined) || 'Passkey',
      provider: getAuthenticatorName(p.aaguid ?? undefined) ?? null,
      createdAt: p.createdAt ? new Date(p.createdAt) : null,
      deviceType: p.deviceType,
      backedUp: Boolean(p.backedUp),
    }))
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}
