// Rotates the access-token signing key (lib/auth/keys.ts): publishes a new key now, lets it
// sign after JWT_KEY_PUBLISH_LEAD_SECONDS, retires the current key at that moment and
// deletes keys whose tokens have all expired. Safe to run at any time and more than once
// (a rotation already pending is left as it is). Records keys.rotated in the audit.
// Usage: npm run auth:rotate-keys
//        npm run auth:rotate-keys -- --emergency   (a key is compromised: delete every key,
//        the new one signs at once; docs/runbooks/signing-keys.md)
import { createAuth } from '../lib/auth/auth.ts';
import { rotateSigningKeys } from '../lib/auth/keys.ts';
import { config } from '../lib/config.ts';
import { createKysely, createPool } from '../lib/db/pool.ts';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--emergency');
if (unknown.length > 0) {
  process.stderr.write(`Unknown argument ${unknown[0]}. Usage: npm run auth:rotate-keys [-- --emergency]\n`);
  process.exit(64); // EX_USAGE
}
const emergency = args.includes('--emergency');
const cfg = config();
const pool = createPool({ connectionString: cfg.databaseUrl, applicationName: 'auth-rotate-keys' });
try {
  const db = createKysely<unknown>(pool);
  const auth = createAuth({ config: cfg, db });
  const result = await rotateSigningKeys({ db, auth, config: cfg, source: 'cli', emergency });
  const when = result.signsFrom.toISOString();
  process.stdout.write(
    result.newKid
      ? `Published key ${result.newKid}; it signs from ${when}. Retiring: ${result.retiring.join(', ') || 'none'}.\n`
      : `A rotation is already pending (its key signs from ${when}); nothing new published.\n`,
  );
  if (result.deleted.length > 0) {
    process.stdout.write(`Deleted ${emergency ? '' : 'expired '}keys: ${result.deleted.join(', ')}.\n`);
  }
} finally {
  await pool.end();
}
