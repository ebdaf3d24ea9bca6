// Test support: connections to the throw-away test database (DATABASE_URL, exported by
// scripts/test-env.sh) and scratch databases created beside it.
import pg from 'pg';

export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url || !new URL(url).pathname.includes('test')) {
    throw new Error('DATABASE_URL must point at a test database: run through `npm test` (scripts/test-env.sh)');
  }
  return url;
}

export function databaseUrl(name: string): string {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

/** Run one query as the superuser on the test database (setup and assertions on state). */
export async function superuserQuery<R extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
  url = testDatabaseUrl(),
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(sql, params);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(name: string): Promise<string> {
  await superuserQuery(`drop database if exists "${name}" with (force)`, [], databaseUrl('postgres'));
  await superuserQuery(`create database "${name}"`, [], databaseUrl('postgres'));
  return databaseUrl(name);
}

export async function dropScratchDatabase(name: string): Promise<void> {
  await superuserQuery(`drop database if exists "${name}" with (force)`, [], databaseUrl('postgres'));
}

/**
 * Runs `fn` while inserting a task titled INTERNAL_ERROR_PROBE fails inside Postgres with an
 * error no mapping knows (SQLSTATE XX001, a message quoting SQL): how the APIs answer a
 * genuine internal fault. Only that title is affected, and the trigger is dropped after.
 */
export const INTERNAL_ERROR_PROBE = 'tm-internal-error-probe';
export async function withInternalErrorProbe<T>(fn: () => Promise<T>): Promise<T> {
  await superuserQuery(`
    create function public.tmp_internal_error_probe() returns trigger language plpgsql as $$
    begin
      if new.title = '${INTERNAL_ERROR_PROBE}' then
        raise exception 'select secret from internals where broken' using errcode = 'XX001';
      end if;
      return new;
    end $$;
    create trigger _000_tmp_internal_error_probe before insert on public.tasks
      for each row execute function public.tmp_internal_error_probe();`);
  try {
    return await fn();
  } finally {
    await superuserQuery(`
      drop trigger if exists _000_tmp_internal_error_probe on public.tasks;
      drop function if exists public.tmp_internal_error_probe();`);
  }
}
