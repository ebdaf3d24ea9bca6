// Refresh tokens for API clients (mobile, CLI) that cannot keep a session cookie, with
// reuse detection (docs/adr: key rotation and refresh-token families).
//
//   POST /auth/token/refresh-token   (needs a session)  → { refresh_token, expires_at }
//   POST /auth/token/refresh  { refresh_token }         → { access_token, refresh_token, … }
//
// A family is one session: every refresh token descends from a sign-in and dies with it.
// Each refresh spends the token presented (used_at) and hands out its successor. A spent
// token presented again means two parties hold the chain (a stolen copy, or a replay): we
// cannot tell which is legitimate, so the whole family ends — the session is deleted (its
// refresh tokens go with it, ON DELETE CASCADE) and session.revoked is audited with
// reason token_reuse. Only SHA-256 hashes are stored; the tokens are 256-bit random.
import { createHash, randomBytes } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthEndpoint, sessionMiddleware } from 'better-auth/api';
import { getJwtToken } from 'better-auth/plugins/jwt';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { recordAudit, requestMeta } from './audit.ts';

const TOKEN_PREFIX = 'tmr_';

const refreshBody = z.object({
  refresh_token: z
    .string({ error: 'refresh_token is required' })
    .min(1, 'refresh_token is required')
    .max(200, 'refresh_token is not a refresh token'),
});

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

type RefreshConfig = Pick<
  Config,
  'REFRESH_TOKEN_TTL_SECONDS' | 'ACCESS_TOKEN_TTL_SECONDS' | 'SESSION_NO_REMEMBER_SECONDS'
>;

type Issued = { refresh_token: string; expires_at: string };

async function issue(
  db: Kysely<unknown>,
  config: RefreshConfig,
  session: { id: string; userId: string; expiresAt: Date },
): Promise<Issued> {
  const token = newToken();
  const { rows } = await sql<{ expires_at: Date }>`
    insert into identity.refresh_tokens (session_id, user_id, token_hash, expires_at)
    values (${session.id}, ${session.userId}, ${hashRefreshToken(token)},
            least(now() + make_interval(secs => ${config.REFRESH_TOKEN_TTL_SECONDS}), ${session.expiresAt}::timestamptz))
    returning expires_at`.execute(db);
  return { refresh_token: token, expires_at: rows[0]!.expires_at.toISOString() };
}

const invalidGrant = (message: string) =>
  new APIError(
    'UNAUTHORIZED',
    { code: 'INVALID_REFRESH_TOKEN', message },
    { 'www-authenticate': 'Bearer error="invalid_token"' },
  );

type Ctx = {
  headers?: Headers;
  request?: Request;
  context: {
    session: unknown;
    internalAdapter: {
      findSession: (
        token: string,
      ) => Promise<{ session: { id: string; userId: string; expiresAt: Date; createdAt: Date }; user: object } | null>;
      updateSession: (token: string, data: Record<string, unknown>) => Promise<{ expiresAt: Date } | null>;
    };
    sessionConfig: { expiresIn: number; updateAge: number };
    getPlugin: (id: string) => { options?: unknown } | null;
  };
};

export function refreshTokens({ config, db }: { config: RefreshConfig; db: Kysely<unknown> }) {
  return {
    id: 'taskmaster-refresh-tokens',
    endpoints: {
      createRefreshToken: createAuthEndpoint(
        '/token/refresh-token',
        { method: 'POST', requireHeaders: true, use: [sessionMiddleware] },
        async (ctx) => {
          const { session } = ctx.context.session;
          const issued = await issue(db, config, session);
          ctx.setHeader('cache-control', 'no-store');
          return ctx.json(issued);
        },
      ),
      refreshAccessToken: createAuthEndpoint(
        '/token/refresh',
        { method: 'POST', body: z.record(z.string(), z.unknown()), requireHeaders: true },
        async (raw) => {
          const ctx = raw as unknown as Ctx & typeof raw;
          const parsed = refreshBody.safeParse(raw.body);
          if (!parsed.success) {
            throw new APIError('BAD_REQUEST', {
              code: 'INVALID_REQUEST',
              message: parsed.error.issues[0]?.message ?? 'invalid body',
            });
          }
          const presented = parsed.data.refresh_token;
          const outcome = await db.transaction().execute(async (trx) => {
            const { rows } = await sql<{
              id: string;
              session_id: string;
              user_id: string;
              used_at: Date | null;
              expired: boolean;
              session_token: string | null;
            }>`
              select r.id, r.session_id, r.user_id, r.used_at, r.expires_at <= now() as expired, s.token as session_token
                from identity.refresh_tokens r
                left join identity.sessions s on s.id = r.session_id
               where r.token_hash = ${hashRefreshToken(presented)}
               for update of r`.execute(trx);
            const row = rows[0];
            if (!row) return { kind: 'unknown' as const };
            if (row.used_at) {
              // Reuse: end the family. The cascade removes every refresh token of the session.
              await sql`delete from identity.sessions where id = ${row.session_id}`.execute(trx);
              return { kind: 'reused' as const, row };
            }
            if (row.expired || !row.session_token) return { kind: 'expired' as const };
            await sql`update identity.refresh_tokens set used_at = now() where id = ${row.id}`.execute(trx);
            return { kind: 'valid' as const, row, sessionToken: row.session_token };
          });
          if (outcome.kind === 'reused') {
            await recordAudit(db, {
              event: 'session.revoked',
              outcome: 'success',
              subjectId: outcome.row.user_id,
              ...requestMeta(raw),
              reason: 'token_reuse',
              data: { session_id: outcome.row.session_id, refresh_token_id: outcome.row.id },
            });
            throw invalidGrant('This refresh token was already used; the session has been ended. Sign in again.');
          }
          if (outcome.kind !== 'valid') throw invalidGrant('The refresh token is invalid or expired. Sign in again.');

          const found = await ctx.context.internalAdapter.findSession(outcome.sessionToken);
          if (!found || found.session.expiresAt <= new Date()) {
            throw invalidGrant('The session of this refresh token has ended. Sign in again.');
          }
          // Using the API counts as activity: slide the session like a cookie request would
          // (the absolute lifetime still caps it, lib/auth/sessions.ts reads context.session).
          // A "don't remember me" session (its whole life no longer than
          // SESSION_NO_REMEMBER_SECONDS) never slides, as Better Auth does for its cookie.
          ctx.context.session = found as never;
          const life = found.session.expiresAt.getTime() - new Date(found.session.createdAt).getTime();
          const remembered = life > config.SESSION_NO_REMEMBER_SECONDS * 1000 + 60_000;
          const updated = remembered
            ? await ctx.context.internalAdapter.updateSession(outcome.sessionToken, {
                expiresAt: new Date(Date.now() + ctx.context.sessionConfig.expiresIn * 1000),
                updatedAt: new Date(),
              })
            : null;
          const session = { ...found.session, expiresAt: updated?.expiresAt ?? found.session.expiresAt };
          ctx.context.session = { session, user: found.user } as never;
          const jwtOptions = ctx.context.getPlugin('jwt')?.options;
          const accessToken = await getJwtToken(raw as never, jwtOptions as never);
          const next = await issue(db, config, session);
          raw.setHeader('cache-control', 'no-store');
          return raw.json({
            access_token: accessToken,
            token_type: 'Bearer',
            expires_in: config.ACCESS_TOKEN_TTL_SECONDS,
            refresh_token: next.refresh_token,
            refresh_token_expires_at: next.expires_at,
          });
        },
      ),
    },
  } satisfies BetterAuthPlugin;
}
