// The process's long-lived resources: pools and the auth instance. Kept on globalThis
// under a registered symbol so the gateway and the SvelteKit server bundle (which Vite
// compiles separately) share one set of connections instead of opening two.
import type pg from 'pg';
import type { Kysely } from 'kysely';
import { createAuth, type Auth } from './auth/auth.ts';
import { config, type Config } from './config.ts';
import { createKysely, createPool } from './db/pool.ts';

export type Services = {
  config: Config;
  /** Owner connection: identity, workers, maintenance. Never used for a caller's data. */
  servicePool: pg.Pool;
  /** authenticator connection: every caller's data access, through asUser(). */
  apiPool: pg.Pool;
  serviceDb: Kysely<unknown>;
  auth: Auth;
};

const KEY = Symbol.for('taskmaster.services');
type Holder = { [KEY]?: Services };

export function services(): Services {
  const holder = globalThis as Holder;
  if (holder[KEY]) return holder[KEY];
  const cfg = config();
  const servicePool = createPool({ connectionString: cfg.databaseUrl, max: 10, applicationName: 'taskmaster-service' });
  const apiPool = createPool({
    connectionString: cfg.authenticatorUrl,
    max: cfg.API_POOL_SIZE,
    applicationName: 'taskmaster-api',
  });
  const serviceDb = createKysely<unknown>(servicePool);
  const created: Services = {
    config: cfg,
    servicePool,
    apiPool,
    serviceDb,
    auth: createAuth({ config: cfg, db: serviceDb }),
  };
  holder[KEY] = created;
  return created;
}

export async function closeServices(): Promise<void> {
  const holder = globalThis as Holder;
  const current = holder[KEY];
  if (!current) return;
  delete holder[KEY];
  await Promise.allSettled([current.servicePool.end(), current.apiPool.end()]);
}
