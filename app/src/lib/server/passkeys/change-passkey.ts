// Renaming and removing a passkey through Better Auth's endpoints, so their hooks run
// (ownership, the step-up rule on removal, the audit). A refusal becomes an outcome the
// form can show; `step_up` means "verify a second factor first" (the /step-up page).
import { isAPIError } from 'better-auth/api';
import { STEP_UP_REQUIRED } from '$server/auth/assurance.ts';
import { services } from '$server/services.ts';
import type { RenamePasskeyInput } from './schemas.ts';

export type PasskeyChange = { ok: true } | { ok: false; reason: 'step_up' | 'not_found' };

function refusal(error: unknown): PasskeyChange {
  if (!isAPIError(error) || error.statusCode >= 500) throw error;
  const code = (error.body as { code?: unknown } | undefined)?.code;
  return { ok: false, reason: code === STEP_UP_REQUIRED ? 'step_up' : 'not_found' };
}

export async function renamePasskey({ input, headers }: { input: RenamePasskeyInput; headers: Headers }) {
  try {
    await services().auth.api.updatePasskey({ body: input, headers });
    return { ok: true } satisfies PasskeyChange;
  } catch (error) {
    return refusal(error);
  }
}

export async function removePasskey({ id, headers }: { id: string; headers: Headers }): Promise<PasskeyChange> {
  try {
    await services().auth.api.deletePasskey({ body: { id }, headers });
    return { ok: true };
  } catch (error) {
    return refusal(error);
  }
}
