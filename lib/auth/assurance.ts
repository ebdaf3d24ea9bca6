// Authenticator assurance (NIST SP 800-63B, as Supabase names it): a session is `aal1`
// after one factor (password, magic link, OAuth) and `aal2` once a second factor (TOTP,
// backup code, passkey) was verified in it. identity.sessions.aal / second_factor_at hold
// it; the access token carries `aal`, so RLS can require aal2 (auth.aal()).
import { sql, type Kysely } from 'kysely';

export type Aal = 'aal1' | 'aal2';

/** How recent a second factor must be for step-up actions (change email or password, …). */
export const STEP_UP_MAX_AGE_MS = 10 * 60 * 1000;

/** Step-up refusals carry this code (HTTP 403), so every page can send the person to /step-up. */
export const STEP_UP_REQUIRED = 'FRESH_SECOND_FACTOR_REQUIRED';

export function aalOf(session: object | null | undefined): Aal {
  return session && (session as { aal?: unknown }).aal === 'aal2' ? 'aal2' : 'aal1';
}

/** Records that a second factor was just verified in this session (it becomes aal2). */
export async function markSecondFactor(db: Kysely<unknown>, sessionId: string): Promise<void> {
  await sql`update identity.sessions set aal = 'aal2', second_factor_at = now(), updated_at = now()
            where id = ${sessionId}`.execute(db);
}

/** True when this session verified a second factor within STEP_UP_MAX_AGE_MS. */
export function hasFreshSecondFactor(
  session: { secondFactorAt?: Date | string | null } | null | undefined,
  now = Date.now(),
): boolean {
  const at = session?.secondFactorAt;
  if (!at) return false;
  const t = new Date(at).getTime();
  return Number.isFinite(t) && now - t <= STEP_UP_MAX_AGE_MS && t <= now + 60_000;
}
