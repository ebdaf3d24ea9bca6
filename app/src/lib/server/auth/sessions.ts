// The person's own sessions for settings → Sessions: listed through Better Auth
// (listSessions), revoked through it (revokeSession / revokeOtherSessions), so its hooks
// run (lib/auth/sessions.ts audits each revocation as session.revoked). Session tokens
// are credentials: they never leave this module; the page names a session by its id.
import { describeDevice, type DeviceSummary } from '$server/auth/devices.ts';
import { services } from '$server/services.ts';

export type ListedSession = DeviceSummary & {
  id: string;
  ip: string | null;
  place: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  current: boolean;
};

type Raw = {
  id: string;
  token: string;
  ipAddress?: string | null;
  userAgent?: string | null;
  place?: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
};

async function rawSessions(headers: Headers): Promise<Raw[]> {
  return (await services().auth.api.listSessions({ headers })) as unknown as Raw[];
}

/** Every live session of the caller, the current one first, then the most recently active. */
export async function listMySessions(headers: Headers, currentId: string): Promise<ListedSession[]> {
  const listed = (await rawSessions(headers)).map((s) => ({
    id: s.id,
    ...describeDevice(s.userAgent),
    ip: s.ipAddress || null,
    place: s.place ?? null,
    createdAt: new Date(s.createdAt),
    lastActiveAt: new Date(s.updatedAt),
    current: s.id === currentId,
  }));
  return listed.sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastActiveAt.getTime() - a.lastActiveAt.getTime(),
  );
}

/** Revokes one of the caller's other sessions; false when there is no such session. */
export async function revokeMySession(headers: Headers, id: string, currentId: string): Promise<boolean> {
  if (id === currentId) return false;
  const target = (await rawSessions(headers)).find((s) => s.id === id);
  if (!target) return false;
  await services().auth.api.revokeSession({ body: { token: target.token }, headers });
  return true;
}

/** Revokes every session of the caller except this one. */
export async function revokeMyOtherSessions(headers: Headers): Promise<void> {
  await services().auth.api.revokeOtherSessions({ headers });
}
