// Backup and restore against the throw-away test database: a dump restores into a scratch
// database whose every table matches the manifest's row counts and checksums, the data
// survives byte for byte (checked independently of the manifest), and tampering with the
// restored copy, or with the dump file, is caught.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import {
  BackupVerificationError,
  backupDatabase,
  isCronEntry,
  manifestPath,
  pgEnvironment,
  restoreDatabase,
  verifyDatabase,
  withDatabase,
} from '../../lib/db/backup.ts';
import type { BackupManifest } from '../../lib/db/backup.ts';

const SCRATCH = 'taskmaster_test_restore';
const url = process.env.DATABASE_URL ?? '';
const scratchUrl = url ? withDatabase(url, SCRATCH) : '';

const TRICKY_NOTES = `line 1\nline 2\r\n\ttabbed "double" and 'single' quotes, back\\slash, (a,b), {"json":[1,2]}\nñ Zoë 日本語 🚀 e\u0301 \u200b end`;
const TRICKY_TITLE = `It's a "test" \\ ', ); drop table tasks; --`;

let dir: string;
let file: string;
let manifest: BackupManifest;
let userId: string;
let workspaceId: string;

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function dropScratch() {
  await query(withDatabase(url, 'postgres'), `drop database if exists ${SCRATCH} with (force)`);
}

async function count(connectionString: string, table: string): Promise<number> {
  const rows = await query<{ n: number }>(connectionString, `select count(*)::int as n from ${table}`);
  return rows[0]!.n;
}

before(async () => {
  assert.ok(url, 'DATABASE_URL must name the throw-away test database (. scripts/test-env.sh)');
  await dropScratch();
  dir = await mkdtemp(join(tmpdir(), 'tm-backup-'));
  file = join(dir, 'nested', 'test.dump');

  // Seeded as the superuser: the personal workspace comes from the users trigger.
  const [user] = await query<{ id: string }>(
    url,
    'insert into identity.users (name, email, email_verified) values ($1, $2, true) returning id',
    [`Zoë "Backup" O'Brien`, `backup-${Date.now()}@example.test`],
  );
  userId = user!.id;
  const [workspace] = await query<{ id: string }>(url, 'select id from public.workspaces where created_by = $1', [
    userId,
  ]);
  workspaceId = workspace!.id;
  const projects = await query<{ id: string }>(
    url,
    `insert into public.projects (workspace_id, name, color, created_by)
     values ($1, 'Home "sweet" home', 'blue', $2), ($1, 'Ünïcödé — 日本語 🚀', '#a0b1c2', $2) returning id`,
    [workspaceId, userId],
  );
  const tasks = await query<{ id: string }>(
    url,
    `insert into public.tasks (workspace_id, project_id, title, notes, priority, status, due_date, due_time, due_tz, recurrence, created_by)
     values ($1, $2, $4, $5, 1, 'open', '2026-12-31', '23:30', 'Asia/Kathmandu', 'FREQ=WEEKLY;BYDAY=MO', $6),
            ($1, $3, '🚀 launch', '', 2, 'completed', '2026-02-28', null, null, null, $6),
            ($1, null, 'inbox item', E'tab\\there', 4, 'open', null, null, null, null, $6)
     returning id`,
    [workspaceId, projects[0]!.id, projects[1]!.id, TRICKY_TITLE, TRICKY_NOTES, userId],
  );
  const labels = await query<{ id: string }>(
    url,
    `insert into public.labels (workspace_id, name, color) values ($1, 'urgent', 'red'), ($1, 'büro', '#00ff00') returning id`,
    [workspaceId],
  );
  await query(
    url,
    `insert into public.task_labels (workspace_id, task_id, label_id) values ($1, $2, $4), ($1, $2, $5), ($1, $3, $4)`,
    [workspaceId, tasks[0]!.id, tasks[1]!.id, labels[0]!.id, labels[1]!.id],
  );
});

after(async () => {
  if (!url) return;
  await dropScratch();
  if (workspaceId) await query(url, 'delete from public.workspaces where id = $1', [workspaceId]);
  if (userId) await query(url, 'delete from identity.users where id = $1', [userId]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a backup writes an owner-only dump and a manifest of every table', async () => {
  const result = await backupDatabase({ connectionString: url, file });
  manifest = result.manifest;
  assert.equal(result.manifestFile, manifestPath(file));
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(result.manifestFile)).mode & 0o777, 0o600);

  assert.equal(manifest.database, 'taskmaster_test');
  assert.match(manifest.serverVersion, /^\d+/);
  for (const table of [
    'public.tasks',
    'public.task_labels',
    'identity.users',
    'supabase_migrations.schema_migrations',
  ]) {
    assert.ok(manifest.tables[table], `manifest covers ${table}`);
    assert.match(manifest.tables[table]!.checksum, /^[0-9a-f]{32}$/);
  }
  assert.equal(manifest.tables['public.tasks']!.rows, await count(url, 'public.tasks'));
  assert.equal(manifest.tables['identity.users']!.rows, await count(url, 'identity.users'));
  const versions = await query<{ version: string }>(
    url,
    'select version from supabase_migrations.schema_migrations order by version',
  );
  assert.deepEqual(
    manifest.migrations,
    versions.map((v) => v.version),
  );
  assert.ok(manifest.grantees.includes('authenticated'));

  const password = new URL(url).password;
  const text = await readFile(result.manifestFile, 'utf8');
  if (password) assert.ok(!text.includes(decodeURIComponent(password)), 'no password in the manifest');
});

test('a restore into a new database matches the manifest and the source, byte for byte', async () => {
  const result = await restoreDatabase({ connectionString: url, file, targetDatabase: SCRATCH, create: true });
  assert.equal(result.database, SCRATCH);
  assert.equal(result.tables, Object.keys(manifest.tables).length);
  assert.deepEqual(result.migrations, manifest.migrations);

  // Independently of the manifest machinery: counts, and the seeded rows themselves.
  for (const table of ['public.tasks', 'public.task_labels', 'identity.users', 'public.workspaces']) {
    assert.equal(await count(scratchUrl, table), await count(url, table), table);
  }
  const seeded = `select to_jsonb(t) as row from public.tasks t where workspace_id = $1 order by id`;
  const [source, restored] = await Promise.all([
    query<{ row: unknown }>(url, seeded, [workspaceId]),
    query<{ row: unknown }>(scratchUrl, seeded, [workspaceId]),
  ]);
  assert.equal(restored.length, 3);
  assert.deepEqual(restored, source);
  const [tricky] = await query<{ title: string; notes: string }>(
    scratchUrl,
    'select title, notes from public.tasks where workspace_id = $1 and title = $2',
    [workspaceId, TRICKY_TITLE],
  );
  assert.equal(tricky?.notes, TRICKY_NOTES);

  // Database-level settings travel through the manifest (pg_dump leaves them out).
  const [setting] = await query<{ search_path: string }>(scratchUrl, 'show search_path');
  assert.match(setting!.search_path, /extensions/);
});

test('a tampered restore is detected, naming each table that differs', async () => {
  // One change keeps the row count (checksum only), one changes it.
  await query(scratchUrl, `update public.projects set name = name || '!' where workspace_id = $1`, [workspaceId]);
  await query(
    scratchUrl,
    'delete from public.task_labels where ctid = (select ctid from public.task_labels where workspace_id = $1 limit 1)',
    [workspaceId],
  );
  await assert.rejects(verifyDatabase({ connectionString: scratchUrl, manifest }), (error: unknown) => {
    assert.ok(error instanceof BackupVerificationError);
    assert.deepEqual(
      error.mismatches.map((m) => [m.table, m.problem]),
      [
        ['public.projects', 'checksum'],
        ['public.task_labels', 'rows'],
      ],
    );
    assert.match(error.message, /public\.projects/);
    assert.match(error.message, /public\.task_labels/);
    assert.doesNotMatch(error.message, /identity\.users/);
    return true;
  });
});

test('a dump that does not match its manifest, or an existing target, is refused', async () => {
  const copy = join(dir, 'corrupt.dump');
  await copyFile(file, copy);
  await copyFile(manifestPath(file), manifestPath(copy));
  await writeFile(copy, Buffer.from('x'), { flag: 'a' });
  await assert.rejects(
    restoreDatabase({ connectionString: url, file: copy, targetDatabase: 'taskmaster_test_never', create: true }),
    /does not match its manifest/,
  );
  await assert.rejects(
    restoreDatabase({ connectionString: url, file, targetDatabase: SCRATCH, create: true }),
    /already exists/,
  );
});

test('credentials go to libpq through the environment; pg_cron entries are recognised', () => {
  assert.deepEqual(pgEnvironment('postgres://us%40er:p%40ss%3Aw%2Frd@db.example:6543/my%20db?sslmode=require'), {
    PGHOST: 'db.example',
    PGPORT: '6543',
    PGUSER: 'us@er',
    PGPASSWORD: 'p@ss:w/rd',
    PGDATABASE: 'my db',
    PGSSLMODE: 'require',
  });
  assert.ok(isCronEntry('12; 3079 17288 EXTENSION - pg_cron '));
  assert.ok(isCronEntry('4184; 0 0 COMMENT - EXTENSION pg_cron '));
  assert.ok(isCronEntry('3752; 0 17291 TABLE DATA cron job postgres'));
  assert.ok(isCronEntry('4537; 0 0 SEQUENCE SET cron jobid_seq postgres'));
  assert.ok(isCronEntry('4211; 0 0 ACL cron FUNCTION job_cache_invalidate() postgres'));
  assert.ok(!isCronEntry('3760; 0 17400 TABLE DATA public tasks postgres'));
  assert.ok(!isCronEntry('258; 1259 18806 TABLE graphile_worker _private_known_crontabs postgres'));
  assert.ok(!isCronEntry('11; 3079 17136 EXTENSION - pg_partman '));
});
