// The migration runner. Applies supabase/migrations/<timestamp>_<name>.sql in order, each
// in its own transaction (unless its header says `-- migrate:no-transaction`, for
// CREATE INDEX CONCURRENTLY), records them where the Supabase CLI does, refuses to run
// when an applied file was edited, and then re-applies the idempotent db/policies and
// db/partitions files. An advisory lock keeps two runners from racing.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger as WorkerLogger, runMigrations as installJobQueue } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../logger.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MIGRATIONS_DIR = join(ROOT, 'supabase', 'migrations');
const REAPPLIED_DIRS = [join(ROOT, 'db', 'policies'), join(ROOT, 'db', 'partitions')];
const LOCK_KEY = 727_272_001; // any constant; shared by every runner of this project
const FILE_PATTERN = /^(\d{14})_([a-z0-9][a-z0-9_-]*)\.sql$/;

export type MigrationFile = { version: string; name: string; path: string; sql: string; checksum: string };

export type MigrateOptions = {
  connectionString: string;
  log: Logger;
  /** Password to (re)set on the authenticator role, so the gateway can log in. */
  authenticatorPassword?: string;
  /** Overrides for tests. */
  migrationsDir?: string;
  reapplyDirs?: string[];
  /** Install or upgrade graphile-worker's schema first (default true): our triggers enqueue jobs. */
  jobQueue?: boolean;
};

export type MigrateResult = { applied: string[]; reapplied: string[] };

export class MigrationError extends Error {}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new MigrationError(`migration file name ${file} is not <14-digit timestamp>_<name>.sql`);
      const path = join(dir, file);
      const sql = await readFile(path, 'utf8');
      return { version: match[1]!, name: match[2]!, path, sql, checksum: checksum(sql) };
    }),
  );
}

export function needsNoTransaction(sql: string): boolean {
  return /^--\s*migrate:no-transaction\b/m.test(sql.split('\n').slice(0, 10).join('\n'));
}

async function sqlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

async function inTransaction(client: pg.Client, fn: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await fn();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

export async function migrate({
  connectionString,
  log,
  authenticatorPassword,
  migrationsDir = MIGRATIONS_DIR,
  reapplyDirs = REAPPLIED_DIRS,
  jobQueue = true,
}: MigrateOptions): Promise<MigrateResult> {
  const files = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString, application_name: 'taskmaster-migrate' });
  await client.connect();
  const result: MigrateResult = { applied: [], reapplied: [] };
  try {
    await client.query('set client_min_messages = warning');
    // Poll instead of blocking in pg_advisory_lock: a waiting statement holds a snapshot,
    // and CREATE INDEX CONCURRENTLY in the other runner waits for every older snapshot to
    // go away, while that snapshot's owner waits for the lock: a deadlock.
    for (;;) {
      const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [LOCK_KEY]);
      if (rows[0]?.got) break;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text not null primary key,
        statements text[],
        name text
      );
      alter table supabase_migrations.schema_migrations
        add column if not exists checksum text,
        add column if not exists applied_at timestamptz default now();
    `);
    const { rows } = await client.query<{ version: string; name: string | null; checksum: string | null }>(
      'select version, name, checksum from supabase_migrations.schema_migrations order by version',
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    const known = new Set(files.map((f) => f.version));

    for (const row of rows) {
      if (!known.has(row.version)) log.warn({ version: row.version }, 'applied migration has no file here');
    }
    for (const file of files) {
      const done = applied.get(file.version);
      if (done && done.checksum && done.checksum !== file.checksum) {
        throw new MigrationError(
          `migration ${file.version}_${file.name}.sql was edited after it was applied; ` +
            'migrations are forward-only: revert the edit and add a new migration',
        );
      }
    }
    if (jobQueue) {
      // graphile-worker versions its own schema (graphile_worker.migrations) and takes its
      // own lock; it must exist before our migrations, whose triggers call add_job.
      await installJobQueue({
        connectionString,
        logger: new WorkerLogger((scope) => (level, message, meta) => {
          if (level === 'error' || level === 'warning') log.warn({ scope, meta }, message);
        }),
      });
    }
    const latestApplied = rows.at(-1)?.version ?? '';
    for (const file of files) {
      if (applied.has(file.version)) continue;
      if (file.version < latestApplied) {
        log.warn({ version: file.version }, 'applying a migration older than the latest applied one');
      }
      const run = async () => {
        await client.query(file.sql);
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements, checksum) values ($1, $2, $3, $4)',
          [file.version, file.name, [file.sql], file.checksum],
        );
      };
      try {
        if (needsNoTransaction(file.sql)) await run();
        else await inTransaction(client, run);
      } catch (error) {
        throw new MigrationError(`migration ${file.version}_${file.name}.sql failed: ${(error as Error).message}`);
      }
      log.info({ version: file.version, name: file.name }, 'migration applied');
      result.applied.push(`${file.version}_${file.name}`);
    }

    for (const dir of reapplyDirs) {
      for (const path of await sqlFiles(dir)) {
        const sql = await readFile(path, 'utf8');
        try {
          await inTransaction(client, async () => {
            await client.query(sql);
          });
        } catch (error) {
          throw new MigrationError(`${path.slice(ROOT.length + 1)} failed: ${(error as Error).message}`);
        }
        result.reapplied.push(path.slice(ROOT.length + 1));
      }
    }

    if (authenticatorPassword) {
      // ALTER ROLE takes no bind parameters: the password travels as a transaction-local
      // setting and format(%L) quotes it inside Postgres; it never appears in SQL text or logs.
      await inTransaction(client, async () => {
        await client.query("select set_config('taskmaster.authenticator_password', $1, true)", [authenticatorPassword]);
        await client.query(
          "do $$ begin execute format('alter role authenticator with login password %L', current_setting('taskmaster.authenticator_password')); end $$",
        );
      });
    }
    await client.query("notify pgrst, 'reload schema'");
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
