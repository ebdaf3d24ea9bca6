// The profile lives in Better Auth's user record (identity.users), so it is changed
// through Better Auth's own API with the caller's session, never with SQL.
import { services } from '$server/services.ts';
import { toAuthFailure, type AuthFailure } from '../auth/errors.ts';
import type { ProfileInput } from './schemas.ts';

export type UpdateProfileOptions = { input: ProfileInput; headers: Headers };

/** Renames the signed-in person. Returns a failure to show, or null on success. */
export async function updateProfile({ input, headers }: UpdateProfileOptions): Promise<AuthFailure | null> {
  try {
    await services().auth.api.updateUser({ body: { name: input.name }, headers });
    return null;
  } catch (error) {
    const failure = toAuthFailure(error);
    if (!failure) throw error;
    return failure;
  }
}
