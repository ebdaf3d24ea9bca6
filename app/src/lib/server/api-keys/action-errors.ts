// Turning a database refusal into a form message. create_api_key() raises 42501 with a
// sentence written for people (not a member, guests and write keys, keys minting keys);
// constraint violations come through lib/errors.ts with the column they concern.
import { toAppError } from '$server/errors.ts';

export type ApiKeyField = 'name' | 'workspaceId' | 'role' | 'expiresInDays' | 'form';
export type ApiKeyActionError = { status: number; field: ApiKeyField; message: string };

const FIELD_BY_COLUMN: Record<string, ApiKeyField> = {
  name: 'name',
  role: 'role',
  expires_at: 'expiresInDays',
};

/** Messages create_api_key() raises; anything else from a 42501 stays generic. */
const REFUSALS: ReadonlyMap<string, ApiKeyField> = new Map([
  ['You are not a member of this workspace.', 'workspaceId'],
  ['Guests can only create read keys.', 'role'],
  ['An API key cannot create API keys.', 'form'],
  ['Sign in to create API keys.', 'form'],
  ['Verify your email address before creating API keys.', 'form'],
  ['Confirm your second factor before creating API keys.', 'form'],
]);

/** The refusal that /step-up resolves (the page sends the person there). */
export const STEP_UP_REFUSAL = 'Confirm your second factor before creating API keys.';

/** A 4xx the person can act on, or null for anything else (rethrow it: it is a 500). */
export function toApiKeyActionError(error: unknown): ApiKeyActionError | null {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === '42501' && typeof message === 'string' && REFUSALS.has(message)) {
    return { status: 403, field: REFUSALS.get(message) ?? 'form', message };
  }
  const appError = toAppError(error);
  if (appError.status >= 500) return null;
  const field = (appError.field && FIELD_BY_COLUMN[appError.field]) || 'form';
  return { status: appError.status, field, message: appError.message };
}
