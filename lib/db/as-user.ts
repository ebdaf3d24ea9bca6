// The one place a request's database identity is set up. Every data access on behalf of
// a caller (REST, GraphQL, SSR, realtime) goes through here, so tenancy is decided by RLS
// and cannot be forgotten by a code path. Under Citus the same SET LOCALs travel to the
// shards because `citus.propagate_set_commands = 'local'` is set when Citus is present.
import type pg from 'pg';

export type DbRole = 'anon' | 'authenticated' | 'service_role';

export type Claims = {
  sub?: string;
  role: DbRole;
  aal?: 'aal1' | 'aal2';
  session_id?: string;
  exp?: number;
  [key: string]: unknown;
};

export type AsUserOptions = {
  claims: Claims;
  /** Extra transaction-local settings, e.g. request.headers for PostgREST parity. */
  settings?: Record<string, string>;
  /**
   * A READ ONLY transaction (GET/HEAD, as PostgREST does): writes are refused by Postgres.
   * Its COMMIT cannot change anything, so the connection goes back to the pool with the
   * COMMIT queued on it instead of awaited: the next caller's BEGIN runs after it on the
   * same connection, and this request answers one round trip sooner.
   */
  readOnly?: boolean;
  /**
   * Waited for after the transaction is set up and before `fn` runs: lets a caller overlap
   * its own check (the gateway's rate limiter) with BEGIN + set_config. A rejection rolls
   * back and is rethrown.
   */
  admitted?: Promise<unknown>;
};

const ROLES: ReadonlySet<DbRole> = new Set(['anon', 'authenticated', 'service_role']);

/**
 * The transaction-local settings that make a transaction the caller's: the role, the
 * claims (whole and the two PostgREST-style shortcuts), then `settings`. Exported so the
 * benchmark's pgbench script sets exactly what a request sets.
 */
export function transactionSettings(
  claims: Claims,
  settings: Record<string, string> = {},
): { names: string[]; values: string[] } {
  return {
    names: ['role', 'request.jwt.claims', 'request.jwt.claim.sub', 'request.jwt.claim.role', ...Object.keys(settings)],
    values: [claims.role, JSON.stringify(claims), claims.sub ?? '', claims.role, ...Object.values(settings)],
  };
}

/**
 * Run `fn` in one transaction as the caller: SET LOCAL ROLE plus request.jwt.claims, both
 * transaction-scoped so a pooled connection never carries one caller's identity into the
 * next. One round trip sets everything up.
 */
export async function asUser<T>(
  pool: pg.Pool,
  { claims, settings = {}, readOnly = false, admitted }: AsUserOptions,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  if (!ROLES.has(claims.role)) throw new Error(`refusing unknown database role ${String(claims.role)}`);
  const client = await pool.connect();
  let released = false;
  try {
    const { names, values } = transactionSettings(claims, settings);
    await client.query(readOnly ? 'begin read only' : 'begin');
    // set_config('role', …, true) is SET LOCAL ROLE; the claims are transaction-local too.
    await client.query('select set_config(n, v, true) from unnest($1::text[], $2::text[]) as s(n, v)', [names, values]);
    if (admitted) await admitted;
    const result = await fn(client);
    if (readOnly) {
      // Queued, not awaited (see readOnly). A failure here can only be a broken connection,
      // which pg-pool discards on its 'error' event.
      client.query('commit').catch(() => undefined);
      released = true;
      client.release();
      return result;
    }
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    if (!released) client.release();
  }
}
