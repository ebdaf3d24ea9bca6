// Backups of the database DATABASE_URL names (see docs/runbooks/backup-and-restore.md):
//   npm run db:backup [file]
//       pg_dump to file (default .data/backups/taskmaster-<UTC timestamp>.dump) plus
//       file.manifest.json (row counts and checksums of every table).
//   npm run db:restore <file> [--into <db>] [--replace] [--no-owner]
//       restore into a new database (default <current>_restore_<timestamp>) and verify it
//       against the manifest. --replace swaps the verified copy in for the live database
//       (or the one --into names), keeping the old one as <db>_replaced_<timestamp>;
//       refused when NODE_ENV=production.
//   node scripts/backup.ts verify <file> --into <db>
//       re-check an already restored database against the dump's manifest.
import { isAbsolute, join, resolve } from 'node:path';
import { config } from '../lib/config.ts';
import { logger } from '../lib/logger.ts';
import {
  BackupVerificationError,
  backupDatabase,
  databaseOf,
  readManifest,
  replaceDatabase,
  restoreDatabase,
  verifyDatabase,
  withDatabase,
} from '../lib/db/backup.ts';
import type { RestoreResult } from '../lib/db/backup.ts';
import { ROOT } from '../lib/db/migrate.ts';

const USAGE = [
  'usage: npm run db:backup [file]',
  '       npm run db:restore <file> [--into <database>] [--replace] [--no-owner]',
  '       node scripts/backup.ts verify <file> --into <database>',
].join('\n');

const log = logger.child({ component: 'backup' });
const out = (line: string) => process.stdout.write(`${line}\n`);

// npm runs scripts from the project root; a path the user typed is relative to where
// they typed it (INIT_CWD).
function userPath(file: string): string {
  return isAbsolute(file) ? file : resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

function stamp(now = new Date()): { file: string; database: string } {
  const digits = now.toISOString().replace(/\D/g, '').slice(0, 14); // YYYYMMDDhhmmss, UTC
  return { file: `${digits.slice(0, 8)}T${digits.slice(8)}Z`, database: digits };
}

function parseArgs(args: string[]): { positional: string[]; into?: string; replace: boolean; noOwner: boolean } {
  const positional: string[] = [];
  let into: string | undefined;
  let replace = false;
  let noOwner = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--into') {
      into = args[++i];
      if (!into) throw new Error(`--into needs a database name\n${USAGE}`);
    } else if (arg.startsWith('--into=')) into = arg.slice('--into='.length);
    else if (arg === '--replace') replace = true;
    else if (arg === '--no-owner') noOwner = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  return { positional, into, replace, noOwner };
}

function printVerified(result: RestoreResult): void {
  out(`verified: ${result.tables} tables, ${result.rows} rows match the manifest (row counts and checksums)`);
  const latest = result.migrations.at(-1);
  out(`migrations: ${result.migrations.length} applied${latest ? `, latest ${latest}` : ''}`);
  if (result.skipped.length > 0) {
    out(
      `note: ${result.skipped.length} pg_cron entries were left out (pg_cron lives only in the database ` +
        'named by cron.database_name); the scheduled jobs remain in the dump',
    );
  }
}

async function backup(args: string[]): Promise<void> {
  const { positional } = parseArgs(args);
  if (positional.length > 1) throw new Error(USAGE);
  const cfg = config();
  const file = positional[0]
    ? userPath(positional[0])
    : join(ROOT, '.data', 'backups', `taskmaster-${stamp().file}.dump`);
  const { manifest, manifestFile } = await backupDatabase({ connectionString: cfg.databaseUrl, file });
  const tables = Object.values(manifest.tables);
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  out(`backup: ${file} (${(manifest.dumpBytes / 1024).toFixed(0)} KiB, sha256 ${manifest.dumpSha256.slice(0, 16)}…)`);
  out(`manifest: ${manifestFile}`);
  out(
    `database ${manifest.database} on PostgreSQL ${manifest.serverVersion.split(' ')[0]}: ` +
      `${tables.length} tables, ${rows} rows, ${manifest.migrations.length} migrations ` +
      `(latest ${manifest.migrations.at(-1) ?? 'none'})`,
  );
}

async function restore(args: string[]): Promise<void> {
  const { positional, into, replace, noOwner } = parseArgs(args);
  if (positional.length !== 1) throw new Error(USAGE);
  const cfg = config();
  const file = userPath(positional[0]!);
  const current = databaseOf(cfg.databaseUrl);
  const now = stamp();

  if (replace) {
    if (cfg.isProduction) {
      throw new Error(
        'db:restore --replace is refused when NODE_ENV=production: restore into a new database ' +
          'and switch over deliberately (docs/runbooks/backup-and-restore.md)',
      );
    }
    const database = into ?? current;
    const result = await replaceDatabase({
      connectionString: cfg.databaseUrl,
      file,
      database,
      stamp: now.database,
      noOwner,
    });
    out(`restored ${file} over database ${database}`);
    out(`previous database kept as ${result.previous} (drop it once satisfied)`);
    printVerified(result);
    return;
  }

  const targetDatabase = into ?? `${current}_restore_${now.database}`;
  if (targetDatabase === current) {
    throw new Error(`${current} is the live database; restoring over it needs --replace`);
  }
  const result = await restoreDatabase({
    connectionString: cfg.databaseUrl,
    file,
    targetDatabase,
    create: true,
    noOwner,
  });
  out(`restored ${file} into new database ${result.database}`);
  printVerified(result);
}

async function verify(args: string[]): Promise<void> {
  const { positional, into } = parseArgs(args);
  if (positional.length !== 1 || !into) throw new Error(USAGE);
  const cfg = config();
  const file = userPath(positional[0]!);
  const manifest = await readManifest(file);
  const result = await verifyDatabase({ connectionString: withDatabase(cfg.databaseUrl, into), manifest });
  out(`verified: database ${into} matches ${file}: ${result.tables} tables, ${result.rows} rows`);
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'backup') await backup(rest);
  else if (command === 'restore') await restore(rest);
  else if (command === 'verify') await verify(rest);
  else throw new Error(USAGE);
} catch (error) {
  if (error instanceof BackupVerificationError) {
    log.error({ mismatches: error.mismatches.map((m) => m.table) }, 'restore verification failed');
    process.stderr.write(`VERIFICATION FAILED: ${error.message}\n`);
  } else {
    log.error({ reason: (error as Error).message }, `db:${command ?? '?'} failed`);
    process.stderr.write(`${(error as Error).message}\n`);
  }
  process.exitCode = 1;
}
