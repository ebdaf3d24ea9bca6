// Scheduled signing-key rotation (workers/crontab, weekly): the same rotation as
// `npm run auth:rotate-keys` (lib/auth/keys.ts), audited as keys.rotated with source
// "schedule". Retry-safe: a rerun while the new key is still pending publishes nothing.
import type { Task } from 'graphile-worker';
import { rotateSigningKeys } from '../../../lib/auth/keys.ts';
import { services } from '../../../lib/services.ts';

export const auth__rotate_keys: Task = async (_payload, helpers) => {
  const svc = services();
  const result = await rotateSigningKeys({ db: svc.serviceDb, auth: svc.auth, config: svc.config, source: 'schedule' });
  helpers.logger.info(
    result.newKid
      ? `published signing key ${result.newKid}, signing from ${result.signsFrom.toISOString()}; deleted ${result.deleted.length} expired`
      : `rotation already pending; deleted ${result.deleted.length} expired keys`,
  );
};
