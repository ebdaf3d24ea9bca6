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
