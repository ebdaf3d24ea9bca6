// What the passkey forms in settings accept (rename, remove). Ids are Better Auth's uuids.
import { z } from 'zod';

export const passkeyRef = z.object({ id: z.uuid('That passkey does not exist.') });

export const renamePasskeyInput = passkeyRef.extend({
  name: z.string().trim().min(1, 'Enter a name for the passkey.').max(100, 'Names are at most 100 characters.'),
});
export type RenamePasskeyInput = z.infer<typeof renamePasskeyInput>;
