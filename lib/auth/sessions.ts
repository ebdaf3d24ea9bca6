// Session lifetimes, the place a session signed in from, and the audit of revocations:
// one small Better Auth plugin (added to authOptions' plugins).
//
// Idle timeout: Better Auth's own sliding expiry (session.expiresIn = the idle timeout; a
// use more than updateAge after the last refresh pushes expires_at out again).
// Absolute lifetime: every write of a session's expires_at (creation, each sliding refresh)
// is capped at created_at + SESSION_ABSOLUTE_LIFETIME_SECONDS, so Better Auth itself finds
// the session expired (and deletes it) once that moment passes, however active it was.
// Enforced in the database hooks, it holds on every path that reads a session (cookie,
// /auth/token, the gateway), not only on the endpoints a hook matches.
// "Remember me" off: Better Auth sets a browser-session cookie and skips the sliding
// refresh; the server-side expiry is shortened here to SESSION_NO_REMEMBER_SECONDS.
import type { BetterAuthOptions, BetterAuthPlugin } from 'better-auth';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { recordAudit, requestMeta } from './audit.ts';

type SessionsConfig = Pick<
  Config,
  | 'SESSION_IDLE_TIMEOUT_SECONDS'
  | 'SESSION_ABSOLUTE_LIFETIME_SECONDS'
  | 'SESSION_NO_REMEMBER_SECONDS'
  | 'SESSION_PLACE_HEADER'
>;

/** Better Auth's session options for the configured idle timeout. */
export function sessionLifetimes(config: SessionsConfig) {
  const idle = config.SESSION_IDLE_TIMEOUT_SECONDS;
  // Refresh at most once a day, and at least ten times per idle period, so a session idle
  // for longer than `idle` (give or take a tenth) is over.
  return { expiresIn: idle, updateAge: Math.max(60, Math.min(86_400, Math.floor(idle / 10))) };
}

/** The endpoints whose session deletions are revocations (not sign-out, not expiry). */
const REVOKING_PATHS: Readonly<Record<string, string>> = {
  '/revoke-session': 'revoked_one',
  '/revoke-other-sessions': 'revoked_others',
  '/revoke-sessions': 'revoked_all',
};

type EndpointContext = {
  path?: string;
  headers?: Headers;
  request?: Request;
  body?: unknown;
  context?: {
    session?: { session?: { id?: string; createdAt?: Date | string }; user?: { id?: string } } | null;
    options?: BetterAuthOptions;
  };
};

type SessionRow = {
  id?: string;
  userId?: string;
  createdAt?: Date;
  expiresAt?: Date;
  ipAddress?: string | null;
  userAgent?: string | null;
};

/** A place header's value as we keep it: printable, trimmed, at most 100 characters. */
export function placeFrom(headers: Headers | undefined, header: string | undefined): string | null {
  if (!headers || !header) return null;
  const raw = headers.get(header);
  if (!raw) return null;
  const clean = [...raw]
    .filter((ch) => ch >= ' ' && ch !== '\u007f')
    .join('')
    .trim()
    .slice(0, 100);
  return clean.length > 0 ? clean : null;
}

function earliest(...dates: Date[]): Date {
  return new Date(Math.min(...dates.map((d) => d.getTime())));
}

/** Better Auth's server-side expiry of a session whose owner said "don't remember me". */
const BETTER_AUTH_NO_REMEMBER_MS = 86_400_000;

/**
 * The expiry a new session gets: Better Auth's proposal, never past the absolute lifetime,
 * and at most SESSION_NO_REMEMBER_SECONDS for a "don't remember me" session. That case is
 * seen in the request body (sign-in, sign-up) or, where Better Auth carries it in a cookie
 * (the second step of a two-factor sign-in), by the fixed one-day expiry it proposes then.
 */
export function initialExpiry(
  config: SessionsConfig,
  s: { createdAt: Date; expiresAt: Date; rememberMe: boolean },
): Date {
  const created = s.createdAt.getTime();
  const proposed = s.expiresAt.getTime() - created;
  const idleMs = config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
  const looksUnremembered =
    Math.abs(proposed - BETTER_AUTH_NO_REMEMBER_MS) < 60_000 && Math.abs(proposed - idleMs) >= 60_000;
  let expires = earliest(s.expiresAt, new Date(created + config.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000));
  if (!s.rememberMe || looksUnremembered) {
    expires = earliest(expires, new Date(created + config.SESSION_NO_REMEMBER_SECONDS * 1000));
  }
  return expires;
}

export function sessionPolicy({ config, db }: { config: SessionsConfig; db: Kysely<unknown> }) {
  const absoluteMs = config.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000;
  return {
    id: 'taskmaster-sessions',
    schema: {
      session: {
        fields: {
          // The caller's place as the edge proxy reported it at sign-in (SESSION_PLACE_HEADER).
          place: { type: 'string', required: false, input: false, fieldName: 'place' },
        },
      },
    },
    init() {
      return {
        options: {
          databaseHooks: {
            session: {
              create: {
                before: async (session: SessionRow, ctx: EndpointContext | null) => {
                  const createdAt = new Date(session.createdAt ?? Date.now());
                  const body = ctx?.body as { rememberMe?: unknown } | undefined;
                  const expiresAt = initialExpiry(config, {
                    createdAt,
                    expiresAt: new Date(session.expiresAt ?? createdAt.getTime() + absoluteMs),
                    rememberMe: body?.rememberMe !== false,
                  });
                  const place = placeFrom(ctx?.headers ?? ctx?.request?.headers, config.SESSION_PLACE_HEADER);
                  return { data: { ...session, expiresAt, place } };
                },
              },
              update: {
                before: async (data: SessionRow, ctx: EndpointContext | null) => {
                  if (!data.expiresAt) return;
                  const createdAt = ctx?.context?.session?.session?.createdAt;
                  if (!createdAt) return;
                  const cap = new Date(new Date(createdAt).getTime() + absoluteMs);
                  return { data: { ...data, expiresAt: earliest(new Date(data.expiresAt), cap) } };
                },
              },
              delete: {
                after: async (session: SessionRow, ctx: EndpointContext | null) => {
                  const reason = ctx?.path ? REVOKING_PATHS[ctx.path] : undefined;
                  if (!reason) return;
                  await recordAudit(db, {
                    event: 'session.revoked',
                    outcome: 'success',
                    actorId: ctx?.context?.session?.user?.id ?? null,
                    subjectId: session.userId ?? null,
                    ...requestMeta(ctx),
                    reason,
                    data: { session_id: session.id },
                  });
                },
              },
            },
          },
        },
      };
    },
  } satisfies BetterAuthPlugin;
}
