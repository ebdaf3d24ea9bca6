// Connection pools. Two kinds of connection exist and never mix:
// - the service pool (DATABASE_URL: owner rights) for migrations, identity and workers;
// - the authenticator pool, whose login role can do nothing but SET ROLE to anon,
//   authenticated or service_role: every data-API request runs through `asUser`.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { logger } from '../logger.ts';

// timestamptz / date stay strings: time zones are the database's business, and a
// JavaScript Date would silently shift a date-only due date.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export type PoolOptions = {
  connectionString: string;
  max?: number;
  applicationName: string;
};

export function createPool({ connectionString, max = 10, applicationName }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', (error) => logger.error({ err: error }, 'idle database client failed'));
  return pool;
}

export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
