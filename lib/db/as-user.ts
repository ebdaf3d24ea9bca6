// The one place a request's database identity is set up. Every data access on behalf of
// a caller (REST, GraphQL, SSR, realtime) goes through here, so tenancy is decided by RLS
// and cannot be forgotten by a code path. Under Citus the same SET LOCALs travel to the
// shards because `citus.propagate_set_commands = 'local'` is set when Citus is present.
import type { EventEmitter } from 'node:events';
import pg from 'pg';

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

const SETUP_SQL = 'select set_config(n, v, true) from unnest($1::text[], $2::text[]) as s(n, v)';

/** The parts of pg's connection and Query that CallerQuery builds on (not in @types/pg). */
type Connection = {
  parse(config: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { statement?: string; portal?: string; values: unknown[]; valueMapper?: unknown }): void;
  execute(config: { portal?: string; rows?: number }): void;
  close(config: { type: 'S' | 'P'; name: string }): void;
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
};
type QueryInternals = EventEmitter & {
  name?: string;
  text: string;
  requiresPreparation(): boolean;
  prepare(connection: Connection): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: Connection): void;
  handleError(error: unknown, connection: Connection): void;
};
/** pg's own parameter serialisation (arrays → array literals), as Query uses it. */
const prepareValue = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils.prepareValue;
const QueryBase = pg.Query as unknown as new (config: pg.QueryConfig & { callback: unknown }) => QueryInternals;

/**
 * Named statements whose state on a connection is unknown after a failed batch: the
 * backend may or may not have created them. The next use closes (a no-op when absent)
 * and parses again.
 */
const uncertain = new WeakMap<Connection, Set<string>>();

/**
 * pg's Query, preceded in the same extended-protocol batch by the setup statement:
 *   Parse/Bind/Execute(set_config…), Parse?/Bind/Describe/Execute(statement), Sync.
 * Without BEGIN, everything before Sync is one implicit transaction (protocol §55.2.4):
 * the setup's transaction-local settings hold for the statement and end at Sync, which
 * commits (or rolls back after an error). The setup's own rows are skipped.
 */
class CallerQuery extends QueryBase {
  #setup: unknown[];
  #setupDone = false;
  #parsedHere = false;

  constructor(config: pg.QueryConfig & { callback: unknown }, setup: unknown[]) {
    super(config);
    this.#setup = setup;
  }

  /** Always the extended protocol: the simple one would run the statement alone. */
  override requiresPreparation() {
    return true;
  }

  override prepare(connection: Connection) {
    connection.parse({ text: SETUP_SQL, name: '', types: [] });
    connection.bind({ statement: '', portal: '', values: this.#setup, valueMapper: prepareValue });
    connection.execute({ portal: '' });
    const name = this.name;
    if (name) {
      const unsure = uncertain.get(connection);
      if (unsure?.delete(name)) {
        connection.close({ type: 'S', name });
        delete connection.parsedStatements[name];
      }
      this.#parsedHere =
        connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined;
    }
    super.prepare(connection);
  }

  override handleDataRow(msg: unknown) {
    if (this.#setupDone) super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: Connection) {
    if (this.#setupDone) super.handleCommandComplete(msg, connection);
    else this.#setupDone = true;
  }

  override handleError(error: unknown, connection: Connection) {
    // pg records a name as parsed on any ParseComplete of the batch, including the setup's.
    if (this.name && this.#parsedHere) {
      delete connection.parsedStatements[this.name];
      const unsure = uncertain.get(connection) ?? new Set<string>();
      unsure.add(this.name);
      uncertain.set(connection, unsure);
    }
    super.handleError(error, connection);
  }
}

/**
 * One statement as the caller, in ONE round trip: the setup `asUser` does (role, claims,
 * settings) and the statement go to Postgres together and run in one implicit
 * transaction, committed at the end (or rolled back on error). For the common request —
 * a single read or write with nothing to decide between statements — this replaces
 * BEGIN, set_config, the statement and COMMIT (three waits) with one.
 * `readOnly` makes the transaction READ ONLY; `admitted` is awaited (while a connection
 * is being checked out) before anything is sent.
 */
export async function asUserQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool,
  { claims, settings = {}, readOnly = false, admitted }: AsUserOptions,
  statement: { text: string; values?: unknown[]; name?: string },
): Promise<pg.QueryResult<R>> {
  if (!ROLES.has(claims.role)) throw new Error(`refusing unknown database role ${String(claims.role)}`);
  const checkout = pool.connect();
  if (admitted) {
    try {
      await admitted;
    } catch (error) {
      void checkout.then(
        (c) => c.release(),
        () => undefined,
      );
      throw error;
    }
  }
  const client = await checkout;
  const { names, values } = transactionSettings(
    claims,
    readOnly ? { ...settings, transaction_read_only: 'on' } : settings,
  );
  try {
    const result = await new Promise<pg.QueryResult<R>>((resolve, reject) => {
      const query = new CallerQuery(
        {
          ...statement,
          callback: (error: Error | null, res: pg.QueryResult<R>) => (error ? reject(error) : resolve(res)),
        },
        [names, values],
      );
      void client.query(query as unknown as pg.QueryConfig);
    });
    client.release();
    return result;
  } catch (error) {
    // A server error leaves the connection idle and usable; anything else may not have.
    client.release((error as { code?: unknown }).code === undefined ? (error as Error) : undefined);
    throw error;
  }
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
