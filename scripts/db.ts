// Database commands: npm run db:migrate | db:reset | db:new <name>
//   migrate  apply pending migrations, then re-apply policies and partitions
//   reset    drop and recreate the database, then migrate (refused in production)
//   new      create supabase/migrations/<timestamp>_<name>.sql with the required header
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { config } from '../lib/config.ts';
import { logger } from '../lib/logger.ts';
import { MIGRATIONS_DIR, MigrationError, migrate } from '../lib/db/migrate.ts';

const [command, ...args] = process.argv.slice(2);
const cfg = config();
const log = logger.child({ component: 'db' });

async function runMigrations(connectionString = cfg.databaseUrl) {
  const { applied, reapplied } = await migrate({
    connectionString,
    log,
    authenticatorPassword: cfg.AUTHENTICATOR_PASSWORD,
  });
  log.info({ applied: applied.length, reapplied: reapplied.length }, 'database is up to date');
  if (cfg.NODE_ENV === 'development') {
    // Webhooks to http:// and local receivers are allowed in development only (docs/webhooks.md).
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query('update private.webhook_policy set allow_insecure_targets = true').finally(() => client.end());
  }
}

async function reset() {
  if (cfg.isProduction) throw new Error('db:reset is refused when NODE_ENV=production');
  const target = new URL(cfg.databaseUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(cfg.databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const quoted = client.escapeIdentifier(database);
    await client.query(`drop database if exists ${quoted} with (force)`);
    await client.query(`create database ${quoted}`);
  } finally {
    await client.end();
  }
  log.info({ database }, 'database recreated');
  await runMigrations();
}

async function create(name: string | undefined) {
  if (!name || !/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new Error('usage: npm run db:new <area>-<change>   (lower case, digits, - and _)');
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const path = join(MIGRATIONS_DIR, `${stamp}_${name}.sql`);
  await writeFile(
    path,
    `-- Why: <what this changes and why; forward-only, safe under traffic (expand -> migrate -> contract)>\n` +
      `-- Add "-- migrate:no-transaction" as the first line for CREATE INDEX CONCURRENTLY.\n\n`,
    { flag: 'wx' },
  );
  process.stdout.write(`${path}\n`);
}

try {
  if (command === 'migrate') await runMigrations();
  else if (command === 'reset') await reset();
  else if (command === 'new') await create(args[0]);
  else throw new Error('usage: node scripts/db.ts migrate|reset|new <name>');
} catch (error) {
  log.error({ err: error instanceof MigrationError ? { message: error.message } : error }, 'db command failed');
  process.exitCode = 1;
}
