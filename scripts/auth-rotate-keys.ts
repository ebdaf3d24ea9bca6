// Rotates the access-token signing key (lib/auth/keys.ts): publishes a new key now, lets it
// sign after JWT_KEY_PUBLISH_LEAD_SECONDS, retires the current key at that moment and
// deletes keys whose tokens have all expired. Safe to run at any time and more than once
// (a rotation already pending is left as it is). Records keys.rotated in the audit.
// Usage: npm run auth:rotate-keys
import { createAuth } from '../lib/auth/auth.ts';
import { rotateSigningKeys } from '../lib/auth/keys.ts';
import { config } from '../lib/config.ts';
import { createKysely, createPool } from '../lib/db/pool.ts';

const cfg = config();
const pool = createPool({ connectionString: cfg.databaseUrl, applicationName: 'auth-rotate-keys' });
try {
  const db = createKysely<unknown>(pool);
  const result = await rotateSigningKeys({ db, auth: createAuth({ config: cfg, db }), config: cfg, source: 'cli' });
  const when = result.signsFrom.toISOString();
  process.stdout.write(
    result.newKid
      ? `Published key ${result.newKid}; it signs from ${when}. Retiring: ${result.retiring.join(', ') || 'none'}.\n`
      : `A rotation is already pending (its key signs from ${when}); nothing new published.\n`,
  );
  if (result.deleted.length > 0) process.stdout.write(`Deleted expired keys: ${result.deleted.join(', ')}.\n`);
} finally {
  await pool.end();
}
