// Prints the SQL Better Auth would run against the current database to match our auth
// options: the body of a new migration when a plugin or option changes its tables.
// Usage: node scripts/auth-schema.ts
import { getMigrations } from 'better-auth/db/migration';
import { authOptions } from '../lib/auth/auth.ts';
import { config } from '../lib/config.ts';
import { createKysely, createPool } from '../lib/db/pool.ts';

const pool = createPool({ connectionString: config().databaseUrl, applicationName: 'auth-schema' });
try {
  const plan = await getMigrations(authOptions({ config: config(), db: createKysely(pool) }) as never);
  process.stdout.write(`${(await plan.compileMigrations()) || '-- Better Auth needs no changes.'}\n`);
} finally {
  await pool.end();
}
