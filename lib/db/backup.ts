// Logical backups with a verifiable manifest.
//
// backupDatabase: pg_dump --format=custom to `file`, plus `file.manifest.json` describing
// what the dump must contain: server version, database, applied migrations, and for every
// table in public / identity / supabase_migrations its row count and a content checksum.
// The manifest is computed inside the very snapshot pg_dump dumps (pg_export_snapshot +
// pg_dump --snapshot), so it matches the dump exactly even while the database is written to.
//
// restoreDatabase: pg_restore into a (new) database, then recompute counts and checksums
// there and compare them with the manifest; any difference is an error naming the table.
//
// Owners are kept (no --no-owner by default): the roles owning and granted on our objects
// (postgres, anon, authenticated, service_role, authenticator) are cluster-wide and exist
// wherever our migrations ran, so a faithful restore keeps ownership and grants exactly.
// The roles a dump needs are recorded in the manifest and checked before restoring, so a
// missing role fails with a clear message rather than half-way through pg_restore.
// `noOwner` exists for targets where the restoring login is not a superuser.
//
// Passwords never appear in process arguments or logs: pg_dump / pg_restore receive the
// connection through PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE in a minimal environment.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { logger } from '../logger.ts';

/** Schemas whose tables are counted and checksummed. */
export const VERIFIED_SCHEMAS = ['public', 'identity', 'supabase_migrations'] as const;
export const MANIFEST_SUFFIX = '.manifest.json';
const MANIFEST_FORMAT = 'taskmaster-backup-manifest';
const MANIFEST_VERSION = 1;

const log = logger.child({ component: 'backup' });

export type TableStats = { rows: number; checksum: string };

export type BackupManifest = {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** When the manifest was written. */
  createdAt: string;
  /** The moment the dump and the manifest describe (the exported snapshot): the recovery point. */
  snapshotAt: string;
  serverVersion: string;
  serverVersionNum: number;
  pgDumpVersion: string;
  database: string;
  encoding: string;
  collate: string;
  ctype: string;
  localeProvider: string;
  iculocale: string | null;
  dumpFile: string;
  dumpBytes: number;
  dumpSha256: string;
  migrations: string[];
  /** Roles owning objects in the dump: must exist on the target unless restored --no-owner. */
  owners: string[];
  /** Roles granted privileges or named in policies: must exist on the target. */
  grantees: string[];
  /** ALTER DATABASE / ALTER ROLE ... IN DATABASE settings, which pg_dump leaves out. */
  settings: { role: string | null; settings: string[] }[];
  /** "schema.table" -> count and checksum, for every table in VERIFIED_SCHEMAS. */
  tables: Record<string, TableStats>;
};

export type BackupOptions = { connectionString: string; file: string };
export type BackupResult = { file: string; manifestFile: string; manifest: BackupManifest };

export type RestoreOptions = {
  connectionString: string;
  file: string;
  targetDatabase: string;
  /** Create the target database (it must not exist). Otherwise it must exist and be empty. */
  create?: boolean;
  /** pg_restore --no-owner: objects end up owned by the restoring login. */
  noOwner?: boolean;
  /** pg_restore --role: run the restore as this role (SET ROLE). */
  role?: string;
};
export type RestoreResult = {
  database: string;
  tables: number;
  rows: number;
  migrations: string[];
  /** TOC entries left out (pg_cron in a database that is not cron.database_name). */
  skipped: string[];
};

export type Mismatch = {
  table: string;
  problem: 'missing' | 'unexpected' | 'rows' | 'checksum';
  expected?: TableStats;
  actual?: TableStats;
};

export class BackupVerificationError extends Error {
  readonly mismatches: Mismatch[];
  constructor(database: string, mismatches: Mismatch[]) {
    const lines = mismatches.map((m) => {
      if (m.problem === 'missing') return `  ${m.table}: missing from the restored database`;
      if (m.problem === 'unexpected') return `  ${m.table}: not in the manifest`;
      if (m.problem === 'rows') return `  ${m.table}: ${m.actual?.rows} rows, manifest has ${m.expected?.rows}`;
      return `  ${m.table}: content checksum differs (${m.actual?.rows} rows in both)`;
    });
    super(
      `database ${database} does not match the backup manifest in ${mismatches.length} table(s): ` +
        `${mismatches.map((m) => m.table).join(', ')}\n${lines.join('\n')}`,
    );
    this.name = 'BackupVerificationError';
    this.mismatches = mismatches;
  }
}

// --- connection plumbing --------------------------------------------------------------

/** The libpq environment for a postgres:// URL: credentials travel here, never in argv. */
export function pgEnvironment(connectionString: string): Record<string, string> {
  const url = new URL(connectionString);
  const env: Record<string, string> = {};
  // ?host=/path (a Unix socket directory) wins over the URL's host, as in libpq.
  const host = url.searchParams.get('host') ?? decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (host) env.PGHOST = host;
  const port = url.searchParams.get('port') ?? url.port;
  if (port) env.PGPORT = port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  const params: Record<string, string> = {
    sslmode: 'PGSSLMODE',
    sslrootcert: 'PGSSLROOTCERT',
    sslcert: 'PGSSLCERT',
    sslkey: 'PGSSLKEY',
    application_name: 'PGAPPNAME',
    connect_timeout: 'PGCONNECT_TIMEOUT',
    options: 'PGOPTIONS',
    target_session_attrs: 'PGTARGETSESSIONATTRS',
  };
  for (const [param, variable] of Object.entries(params)) {
    const value = url.searchParams.get(param);
    if (value !== null) env[variable] = value;
  }
  return env;
}

/** The same server, another database. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function databaseOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ''));
}

// Only what the client programs need; none of the application's secrets.
function childEnvironment(connectionString: string): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TMPDIR', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...pgEnvironment(connectionString), PGAPPNAME: 'taskmaster-backup' };
}

/**
 * A client binary matching the server's major version: /usr/lib/postgresql/<major>/bin
 * (Debian/Ubuntu layout), else a newer installed one (pg_dump must not be older than the
 * server), else whatever PATH has (which may be Debian's version-guessing wrapper).
 */
export async function pgBinary(name: 'pg_dump' | 'pg_restore', serverMajor: number): Promise<string> {
  const base = '/usr/lib/postgresql';
  const exact = join(base, String(serverMajor), 'bin', name);
  if (existsSync(exact)) return exact;
  try {
    const versions = (await readdir(base))
      .map(Number)
      .filter((v) => Number.isInteger(v) && v >= serverMajor)
      .sort((a, b) => b - a);
    for (const v of versions) {
      const candidate = join(base, String(v), 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    // not a Debian layout
  }
  return name;
}

type RunResult = { stdout: string; stderr: string };

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new Error(`could not run ${bin}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolvePromise({ stdout, stderr });
      else {
        const tail = stderr.split('\n').slice(-20).join('\n');
        reject(new Error(`${basename(bin)} failed (${signal ?? `exit ${code}`})${tail ? `:\n${tail}` : ''}`));
      }
    });
  });
}

// pg_restore --dbname takes a database name, or a conninfo string when it contains '=':
// always pass conninfo, quoted, so any database name means itself. Host, user and
// password still come from the environment.
function conninfoDatabase(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

async function connect(connectionString: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  await client.connect();
  return client;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// --- table statistics -----------------------------------------------------------------

// Text output of timestamps, floats, bytea, money and intervals depends on session
// settings; pin them so a checksum means the same on the source and on any restore target.
const CHECKSUM_SESSION = [
  "set local timezone = 'UTC'",
  "set local datestyle = 'ISO, YMD'",
  "set local intervalstyle = 'postgres'",
  'set local extra_float_digits = 1',
  "set local bytea_output = 'hex'",
  "set local lc_monetary = 'C'",
  "set local search_path = 'pg_catalog'",
  'set local statement_timeout = 0',
];

// One query per table, generated from the catalog; identifiers are quoted by format(%I).
// Ordered by primary key (collatable key columns compared with "C", so a target cluster
// with another default collation orders identically), or by the row text without one.
// Each row contributes md5(row::text): the same content check as aggregating the rows
// themselves, but 32 bytes per row in memory instead of the whole table.
const TABLE_QUERIES_SQL = `
  select n.nspname as schema, c.relname as name,
    format(
      'select count(*)::bigint as rows, md5(coalesce(string_agg(md5((r.*)::text), '''' order by %s), '''')) as checksum from %I.%I r',
      coalesce(
        (select string_agg(
                  format('r.%I', a.attname) || case when a.attcollation <> 0 then ' collate "C"' else '' end,
                  ', ' order by k.ord)
           from pg_constraint pk
           cross join lateral unnest(pk.conkey) with ordinality as k(attnum, ord)
           join pg_attribute a on a.attrelid = pk.conrelid and a.attnum = k.attnum
          where pk.conrelid = c.oid and pk.contype = 'p'),
        '(r.*)::text collate "C"'),
      n.nspname, c.relname) as sql
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[])
    and c.relkind in ('r', 'p')
    and not c.relispartition  -- a partitioned table's rows are counted at its parent
  order by n.nspname, c.relname`;

/** Row counts and content checksums of every table in VERIFIED_SCHEMAS, in one snapshot. */
export async function tableStats(client: pg.ClientBase): Promise<Record<string, TableStats>> {
  const { rows: tables } = await client.query<{ schema: string; name: string; sql: string }>(TABLE_QUERIES_SQL, [
    VERIFIED_SCHEMAS,
  ]);
  const stats: Record<string, TableStats> = {};
  for (const t of tables) {
    const { rows } = await client.query<{ rows: string; checksum: string }>(t.sql);
    stats[`${t.schema}.${t.name}`] = { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum };
  }
  return stats;
}

/** tableStats in a repeatable-read, read-only transaction with pinned output settings. */
async function snapshotStats(client: pg.ClientBase): Promise<Record<string, TableStats>> {
  await client.query('begin isolation level repeatable read read only');
  try {
    for (const s of CHECKSUM_SESSION) await client.query(s);
    const stats = await tableStats(client);
    await client.query('commit');
    return stats;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

export function compareStats(expected: Record<string, TableStats>, actual: Record<string, TableStats>): Mismatch[] {
  const mismatches: Mismatch[] = [];
  for (const [table, want] of Object.entries(expected)) {
    const got = actual[table];
    if (!got) mismatches.push({ table, problem: 'missing', expected: want });
    else if (got.rows !== want.rows) mismatches.push({ table, problem: 'rows', expected: want, actual: got });
    else if (got.checksum !== want.checksum)
      mismatches.push({ table, problem: 'checksum', expected: want, actual: got });
  }
  for (const [table, got] of Object.entries(actual)) {
    if (!(table in expected)) mismatches.push({ table, problem: 'unexpected', actual: got });
  }
  return mismatches.sort((a, b) => a.table.localeCompare(b.table));
}

/**
 * Recompute counts and checksums in the database `connectionString` names and compare
 * them with the manifest. Throws BackupVerificationError naming every table that differs.
 */
export async function verifyDatabase({
  connectionString,
  manifest,
}: {
  connectionString: string;
  manifest: BackupManifest;
}): Promise<{ tables: number; rows: number }> {
  const client = await connect(connectionString, 'taskmaster-backup-verify');
  try {
    const actual = await snapshotStats(client);
    const mismatches = compareStats(manifest.tables, actual);
    if (mismatches.length > 0) throw new BackupVerificationError(databaseOf(connectionString), mismatches);
    const values = Object.values(actual);
    return { tables: values.length, rows: values.reduce((n, t) => n + t.rows, 0) };
  } finally {
    await client.end();
  }
}

// --- backup ---------------------------------------------------------------------------

export function manifestPath(file: string): string {
  return file + MANIFEST_SUFFIX;
}

export async function readManifest(file: string): Promise<BackupManifest> {
  const path = manifestPath(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`no manifest next to the dump (expected ${path}); refusing to restore an unverifiable backup`);
  }
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== MANIFEST_FORMAT || manifest.version !== MANIFEST_VERSION) {
    throw new Error(`${path} is not a version-${MANIFEST_VERSION} TaskMaster backup manifest`);
  }
  return manifest;
}

async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, path);
}

export async function backupDatabase({ connectionString, file }: BackupOptions): Promise<BackupResult> {
  // The dump holds password hashes, session tokens and (encrypted) signing keys: owner-only.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const client = await connect(connectionString, 'taskmaster-backup');
  try {
    // The manifest is computed in the exported snapshot pg_dump uses, so both describe
    // exactly the same moment. The transaction stays open until pg_dump has finished.
    await client.query('begin isolation level repeatable read read only');
    for (const s of CHECKSUM_SESSION) await client.query(s);
    const { rows: snap } = await client.query<{ snapshot: string; at: string }>(
      "select pg_export_snapshot() as snapshot, to_json(clock_timestamp()) #>> '{}' as at",
    );
    const { snapshot, at: snapshotAt } = snap[0]!;

    const { rows: info } = await client.query<{
      database: string;
      server_version: string;
      server_version_num: string;
      encoding: string;
      collate: string;
      ctype: string;
      locale_provider: string;
      iculocale: string | null;
    }>(`
      select current_database() as database,
             current_setting('server_version') as server_version,
             current_setting('server_version_num') as server_version_num,
             pg_encoding_to_char(d.encoding) as encoding, d.datcollate as collate, d.datctype as ctype,
             d.datlocprovider::text as locale_provider, d.daticulocale as iculocale
        from pg_database d where d.datname = current_database()`);
    const server = info[0]!;
    const serverMajor = Math.floor(Number(server.server_version_num) / 10000);

    const { rows: present } = await client.query<{ present: boolean }>(
      "select to_regclass('supabase_migrations.schema_migrations') is not null as present",
    );
    const migrationRows = present[0]!.present
      ? (
          await client.query<{ version: string }>(
            'select version from supabase_migrations.schema_migrations order by version',
          )
        ).rows
      : [];

    // Roles the dump refers to. pg_shdepend records owners, grantees and policy roles,
    // except pinned roles (the bootstrap superuser), so owners are also read directly.
    const { rows: roleRows } = await client.query<{ owners: string[] | null; grantees: string[] | null }>(`
      with deps as (
        select d.deptype, r.rolname from pg_shdepend d join pg_roles r on r.oid = d.refobjid
         where d.dbid = (select oid from pg_database where datname = current_database())
      ), owners as (
        select rolname from deps where deptype = 'o'
        union select pg_get_userbyid(n.nspowner) from pg_namespace n
         where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
        union select pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
        union select pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
      )
      select (select array_agg(rolname::text order by rolname) from owners) as owners,
             (select array_agg(distinct rolname::text order by rolname::text) from deps where deptype <> 'o') as grantees`);
    const { rows: settingRows } = await client.query<{ role: string | null; settings: string[] }>(`
      select case when s.setrole = 0 then null else pg_get_userbyid(s.setrole) end as role, s.setconfig as settings
        from pg_db_role_setting s
       where s.setdatabase = (select oid from pg_database where datname = current_database())
       order by 1 nulls first`);

    const pgDump = await pgBinary('pg_dump', serverMajor);
    const env = childEnvironment(connectionString);
    const { stdout: versionOut } = await run(pgDump, ['--version'], env);
    const dumping = run(
      pgDump,
      ['--format=custom', `--snapshot=${snapshot}`, '--no-password', `--file=${partial}`],
      env,
    );
    // Checksums run while pg_dump reads the same snapshot; both only take ACCESS SHARE locks.
    // Both are awaited even when one fails, so no pg_dump outlives this call.
    const [stats, dumped] = await Promise.allSettled([tableStats(client), dumping]);
    if (dumped.status === 'rejected') throw dumped.reason;
    if (stats.status === 'rejected') throw stats.reason;
    const tables = stats.value;
    await client.query('commit');

    await chmod(partial, 0o600);
    await rename(partial, file);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      createdAt: new Date().toISOString(),
      snapshotAt,
      serverVersion: server.server_version,
      serverVersionNum: Number(server.server_version_num),
      pgDumpVersion: versionOut.trim(),
      database: server.database,
      encoding: server.encoding,
      collate: server.collate,
      ctype: server.ctype,
      localeProvider: server.locale_provider,
      iculocale: server.iculocale,
      dumpFile: basename(file),
      dumpBytes: (await stat(file)).size,
      dumpSha256: await sha256File(file),
      migrations: migrationRows.map((r) => r.version),
      owners: roleRows[0]!.owners ?? [],
      grantees: roleRows[0]!.grantees ?? [],
      settings: settingRows,
      tables,
    };
    const manifestFile = manifestPath(file);
    await writeFileAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const rows = Object.values(tables).reduce((n, t) => n + t.rows, 0);
    log.info(
      { file, bytes: manifest.dumpBytes, database: manifest.database, tables: Object.keys(tables).length, rows },
      'backup written',
    );
    return { file, manifestFile, manifest };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.end();
  }
}

// --- restore --------------------------------------------------------------------------

// pg_cron can only exist in the database named by cron.database_name (the live one). A
// copy restored under any other name would fail on CREATE EXTENSION pg_cron, so the
// extension, its comment, and everything in the `cron` schema (job table data, sequences,
// ACLs) are left out of the restore list. The scheduled jobs are not lost: they are in
// the dump and are restored when the target is the cron database (see replaceDatabase).
const CRON_ENTRY = [
  /^\d+; \d+ \d+ EXTENSION - pg_cron(?: |$)/,
  /^\d+; \d+ \d+ COMMENT - EXTENSION pg_cron(?: |$)/,
  /^\d+; \d+ \d+ SCHEMA - cron(?: |$)/,
  /^\d+; \d+ \d+ (?:ACL|COMMENT) - SCHEMA cron(?: |$)/,
  // "<DESC WORDS> cron <name> <owner>": entries whose namespace is cron.
  /^\d+; \d+ \d+ [A-Z][A-Z ]* cron /,
];

export function isCronEntry(line: string): boolean {
  return CRON_ENTRY.some((re) => re.test(line));
}

async function restoreList(pgRestore: string, file: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout } = await run(pgRestore, ['--list', file], env);
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
}

async function serverInfo(client: pg.ClientBase): Promise<{ major: number; cronDatabase: string | null }> {
  const { rows } = await client.query<{ num: string; cron: string | null }>(
    "select current_setting('server_version_num') as num, current_setting('cron.database_name', true) as cron",
  );
  return { major: Math.floor(Number(rows[0]!.num) / 10000), cronDatabase: rows[0]!.cron || null };
}

async function missingRoles(client: pg.ClientBase, roles: string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'select name from unnest($1::text[]) name where not exists (select 1 from pg_roles where rolname = name)',
    [roles],
  );
  return rows.map((r) => r.name);
}

// GUCs whose value is a list of separately quoted items (pg_dump's GUC_LIST_QUOTE set).
const LIST_SETTINGS = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'local_preload_libraries',
  'shared_preload_libraries',
  'unix_socket_directories',
]);

function splitListSetting(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"') {
      if (quoted && value[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  items.push(current.trim());
  return items.filter((s) => s !== '');
}

/** Re-apply ALTER DATABASE / ALTER ROLE ... IN DATABASE settings (not part of a pg_dump). */
async function applySettings(client: pg.ClientBase, database: string, manifest: BackupManifest): Promise<void> {
  for (const { role, settings } of manifest.settings) {
    for (const setting of settings) {
      const eq = setting.indexOf('=');
      const name = setting.slice(0, eq);
      const value = setting.slice(eq + 1);
      const values = LIST_SETTINGS.has(name.toLowerCase()) ? splitListSetting(value) : [value];
      const { rows } = await client.query<{ sql: string }>(
        `select format('alter %s set %s to %s',
                  case when $1::text is null then format('database %I', $2::text)
                       else format('role %I in database %I', $1::text, $2::text) end,
                  (select string_agg(format('%I', p), '.') from unnest(string_to_array($3::text, '.')) p),
                  (select string_agg(quote_literal(v), ', ') from unnest($4::text[]) v)) as sql`,
        [role, database, name, values],
      );
      await client.query(rows[0]!.sql);
    }
  }
}

async function createTargetDatabase(admin: pg.ClientBase, database: string, manifest: BackupManifest): Promise<void> {
  const { rows } = await admin.query<{ exists: boolean }>(
    'select exists (select 1 from pg_database where datname = $1) as exists',
    [database],
  );
  if (rows[0]!.exists) {
    throw new Error(`target database ${database} already exists; choose another name or drop it first`);
  }
  // template0 gives an empty database; encoding and locale follow the source, as
  // pg_dump --create would, falling back to the server's defaults where the target
  // machine lacks the source's locale.
  const quoted = admin.escapeIdentifier(database);
  const locale =
    manifest.localeProvider === 'i' && manifest.iculocale
      ? ` locale_provider icu icu_locale ${admin.escapeLiteral(manifest.iculocale)}`
      : '';
  try {
    await admin.query(
      `create database ${quoted} template template0 encoding ${admin.escapeLiteral(manifest.encoding)}` +
        ` lc_collate ${admin.escapeLiteral(manifest.collate)} lc_ctype ${admin.escapeLiteral(manifest.ctype)}${locale}`,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '22023' && code !== '42809' && code !== '0A000') throw error;
    log.warn({ database, err: { message: (error as Error).message } }, "source locale unavailable; using the server's");
    await admin.query(
      `create database ${quoted} template template0 encoding ${admin.escapeLiteral(manifest.encoding)}`,
    );
  }
}

async function dropDatabase(admin: pg.ClientBase, database: string): Promise<void> {
  await admin.query(`drop database if exists ${admin.escapeIdentifier(database)} with (force)`);
}

// Letters, digits, _ and -: such names survive a connection URL unchanged (node-pg does not
// decode every percent-escape in a URL's database name) and need no care anywhere else.
function checkDatabaseName(database: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(database)) {
    throw new Error(
      `database name ${JSON.stringify(database)} not supported for restores: ` +
        'use 1 to 63 letters, digits, _ and -, not starting with a digit or -',
    );
  }
}

/**
 * Restore `file` into `targetDatabase` on the server `connectionString` points at, then
 * verify every table against the manifest. A database this call created is dropped again
 * if pg_restore fails; one that fails verification is kept for inspection.
 */
export async function restoreDatabase({
  connectionString,
  file,
  targetDatabase,
  create = false,
  noOwner = false,
  role,
}: RestoreOptions): Promise<RestoreResult> {
  checkDatabaseName(targetDatabase);
  const manifest = await readManifest(file);
  const sha = await sha256File(file);
  if (sha !== manifest.dumpSha256) {
    throw new Error(
      `${file} does not match its manifest (sha256 ${sha}, expected ${manifest.dumpSha256}): corrupt or replaced`,
    );
  }

  const targetUrl = withDatabase(connectionString, targetDatabase);
  const admin = await connect(withDatabase(connectionString, 'postgres'), 'taskmaster-restore');
  let created = false;
  const tmp = await mkdtemp(join(tmpdir(), 'taskmaster-restore-'));
  try {
    const server = await serverInfo(admin);
    const needed = noOwner ? manifest.grantees : [...new Set([...manifest.owners, ...manifest.grantees])];
    const missing = await missingRoles(admin, needed);
    if (missing.length > 0) {
      throw new Error(
        `roles missing on the target server: ${missing.join(', ')}. Create them first ` +
          '(the first migration creates anon, authenticated, service_role and authenticator)' +
          (noOwner ? '' : ', or restore with --no-owner if only an owner is missing'),
      );
    }
    if (create) {
      await createTargetDatabase(admin, targetDatabase, manifest);
      created = true;
      log.info({ database: targetDatabase }, 'restore target created');
    }
    return await restoreInto({ admin, targetDatabase, targetUrl, file, manifest, server, tmp, noOwner, role });
  } catch (error) {
    // A database this call created is dropped when the restore itself failed; one that
    // restored but does not match the manifest is kept for inspection.
    if (created && !(error instanceof BackupVerificationError)) {
      await dropDatabase(admin, targetDatabase).catch(() => undefined);
    } else if (error instanceof BackupVerificationError) {
      log.error({ database: targetDatabase }, 'restored database kept for inspection; do not use it');
    }
    throw error;
  } finally {
    await admin.end();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function restoreInto({
  admin,
  targetDatabase,
  targetUrl,
  file,
  manifest,
  server,
  tmp,
  noOwner,
  role,
}: {
  admin: pg.ClientBase;
  targetDatabase: string;
  targetUrl: string;
  file: string;
  manifest: BackupManifest;
  server: { major: number; cronDatabase: string | null };
  tmp: string;
  noOwner: boolean;
  role: string | undefined;
}): Promise<RestoreResult> {
  const pgRestore = await pgBinary('pg_restore', server.major);
  const env = childEnvironment(targetUrl);
  const entries = await restoreList(pgRestore, file, env);
  const keepCron = server.cronDatabase === targetDatabase;
  const skipped = keepCron ? [] : entries.filter(isCronEntry);
  if (skipped.length > 0) {
    log.warn(
      { database: targetDatabase, cronDatabase: server.cronDatabase, entries: skipped.length },
      'pg_cron entries left out: pg_cron can only live in cron.database_name',
    );
  }
  const listFile = join(tmp, 'restore.list');
  await writeFile(listFile, `${entries.filter((l) => !skipped.includes(l)).join('\n')}\n`, { mode: 0o600 });

  const args = ['--exit-on-error', '--single-transaction', '--no-password', `--use-list=${listFile}`];
  if (noOwner) args.push('--no-owner');
  if (role) args.push(`--role=${role}`);
  args.push(`--dbname=${conninfoDatabase(targetDatabase)}`, file);
  const started = Date.now();
  await run(pgRestore, args, env);
  await applySettings(admin, targetDatabase, manifest);
  log.info({ database: targetDatabase, ms: Date.now() - started }, 'pg_restore finished; verifying');

  const verified = await verifyDatabase({ connectionString: targetUrl, manifest });
  const target = await connect(targetUrl, 'taskmaster-restore');
  try {
    await target.query('analyze'); // pg_restore leaves planner statistics empty
  } finally {
    await target.end();
  }
  log.info({ database: targetDatabase, ...verified }, 'restore verified against the manifest');
  return { database: targetDatabase, ...verified, migrations: manifest.migrations, skipped };
}

/**
 * Replace the live database `database` with the backup, never leaving it without one:
 * restore into `<database>_restore_<stamp>` and verify; then, with connections to the live
 * database blocked and terminated, rename it to `<database>_replaced_<stamp>` (kept as the
 * fallback; drop it once satisfied) and the verified copy to `<database>`. When the server
 * runs pg_cron for this database, the dump's pg_cron entries (extension, scheduled jobs)
 * are then restored into the new live database.
 */
export async function replaceDatabase({
  connectionString,
  file,
  database,
  stamp,
  noOwner = false,
}: {
  connectionString: string;
  file: string;
  database: string;
  stamp: string;
  noOwner?: boolean;
}): Promise<RestoreResult & { previous: string }> {
  const scratch = `${database}_restore_${stamp}`;
  const previous = `${database}_replaced_${stamp}`;
  checkDatabaseName(database);
  checkDatabaseName(previous);
  const result = await restoreDatabase({ connectionString, file, targetDatabase: scratch, create: true, noOwner });

  const admin = await connect(withDatabase(connectionString, 'postgres'), 'taskmaster-restore');
  try {
    const live = admin.escapeIdentifier(database);
    await admin.query(`alter database ${live} with allow_connections false`);
    let renamed = false;
    try {
      // Background workers (pg_cron) reconnect after termination; with connections
      // disallowed they cannot, but one may be mid-start: retry briefly.
      for (let attempt = 1; attempt <= 10 && !renamed; attempt++) {
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        try {
          await admin.query(`alter database ${live} rename to ${admin.escapeIdentifier(previous)}`);
          renamed = true;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt === 10) throw error; // object_in_use
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      await admin.query(`alter database ${admin.escapeIdentifier(scratch)} rename to ${live}`);
    } catch (error) {
      if (renamed) {
        await admin
          .query(`alter database ${admin.escapeIdentifier(previous)} rename to ${live}`)
          .catch(() => undefined);
      }
      await admin.query(`alter database ${live} with allow_connections true`).catch(() => undefined);
      throw error;
    }
    await admin.query(`alter database ${admin.escapeIdentifier(previous)} with allow_connections true`);
    log.warn({ database, previous }, 'live database replaced; the previous one is kept under a new name');

    const server = await serverInfo(admin);
    let skipped = result.skipped;
    if (server.cronDatabase === database) {
      const pgRestore = await pgBinary('pg_restore', server.major);
      const env = childEnvironment(withDatabase(connectionString, database));
      const cron = (await restoreList(pgRestore, file, env)).filter(isCronEntry);
      if (cron.length > 0) {
        const tmp = await mkdtemp(join(tmpdir(), 'taskmaster-restore-'));
        try {
          const listFile = join(tmp, 'cron.list');
          await writeFile(listFile, `${cron.join('\n')}\n`, { mode: 0o600 });
          const args = ['--exit-on-error', '--single-transaction', '--no-password', `--use-list=${listFile}`];
          if (noOwner) args.push('--no-owner');
          await run(pgRestore, [...args, `--dbname=${conninfoDatabase(database)}`, file], env);
          log.info({ database, entries: cron.length }, 'pg_cron and its scheduled jobs restored');
          skipped = [];
        } catch (error) {
          throw new Error(
            `database replaced and verified, but restoring pg_cron into it failed (scheduled jobs ` +
              `are missing; the previous database is ${previous}): ${(error as Error).message}`,
            { cause: error },
          );
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      }
    }
    return { ...result, database, previous, skipped };
  } finally {
    await admin.end();
  }
}
