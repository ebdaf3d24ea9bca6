// The signed-in person's security history: their rows of public.security_events, read as
// them (RLS: subject = auth.uid()), newest first, one page at a time.
import { asUserQuery, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { describeDevice } from './device.ts';

export const PAGE_SIZE = 25;
/** Deepest page the history offers (older events are kept for the security team). */
export const MAX_PAGE = 200;

export type SecurityEvent = {
  id: string;
  occurredAt: Date;
  event: string;
  title: string;
  outcome: 'success' | 'failure';
  ip: string | null;
  device: string;
  reason: string | null;
};

/** Readable names of the audit events (lib/auth/audit-plugin.ts and friends). */
const TITLES: Readonly<Record<string, { success: string; failure: string }>> = {
  'auth.sign_up': { success: 'Account created', failure: 'Account creation failed' },
  'auth.sign_in': { success: 'Signed in', failure: 'Failed sign-in attempt' },
  'auth.sign_out': { success: 'Signed out', failure: 'Sign-out failed' },
  'auth.locked': { success: 'Account locked', failure: 'Account temporarily locked after failed sign-ins' },
  'email.verified': { success: 'Email address verified', failure: 'Email verification failed' },
  'email.change_requested': { success: 'Email change requested', failure: 'Email change refused' },
  'password.changed': { success: 'Password changed', failure: 'Password change refused' },
  'password.reset': { success: 'Password reset by email', failure: 'Password reset failed' },
  'password.reset_requested': { success: 'Password reset email requested', failure: 'Password reset request refused' },
  'magic_link.requested': { success: 'Sign-in link requested', failure: 'Sign-in link request refused' },
  'mfa.enrolment_started': { success: 'Two-factor setup started', failure: 'Two-factor setup refused' },
  'mfa.enabled': { success: 'Two-factor authentication turned on', failure: 'Two-factor setup failed' },
  'mfa.disabled': { success: 'Two-factor authentication turned off', failure: 'Turning off two-factor refused' },
  'mfa.challenge': { success: 'Second factor verified', failure: 'Wrong second-factor code' },
  'mfa.backup_codes_generated': { success: 'New backup codes generated', failure: 'Backup code generation refused' },
  'passkey.added': { success: 'Passkey added', failure: 'Adding a passkey failed' },
  'passkey.removed': { success: 'Passkey removed', failure: 'Removing a passkey failed' },
  'passkey.renamed': { success: 'Passkey renamed', failure: 'Renaming a passkey failed' },
  'session.revoked': { success: 'A session was signed out', failure: 'Signing out a session failed' },
  'email.verification_requested': {
    success: 'Verification email requested',
    failure: 'Verification email request refused',
  },
  'oauth.linked': { success: 'Sign-in provider linked', failure: 'Linking a sign-in provider failed' },
  'oauth.link_started': { success: 'Linking a sign-in provider', failure: 'Linking a sign-in provider refused' },
  'oauth.unlinked': { success: 'Sign-in provider removed', failure: 'Removing a sign-in provider failed' },
  'keys.rotated': { success: 'Signing keys rotated', failure: 'Key rotation failed' },
  'account.deleted': { success: 'Account deleted', failure: 'Account deletion refused' },
};

/** "invalid_email_or_password" → "Invalid email or password". */
function readableReason(reason: string | null): string | null {
  if (!reason) return null;
  const text = reason.replace(/[_.]+/g, ' ').trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : null;
}

export function titleOf(event: string, outcome: 'success' | 'failure'): string {
  const known = TITLES[event];
  if (known) return known[outcome];
  const text = event.replace(/[_.]+/g, ' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${outcome === 'failure' ? ' (failed)' : ''}`;
}

type Row = {
  id: string;
  occurred_at: Date;
  event: string;
  outcome: 'success' | 'failure';
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
};

export async function listSecurityEvents({ claims, page }: { claims: Claims; page: number }) {
  const offset = (page - 1) * PAGE_SIZE;
  // One read-only statement as the person: RLS shows only events about their account.
  const { rows } = await asUserQuery<Row>(
    services().apiPool,
    { claims, readOnly: true },
    {
      text: `select id, occurred_at, event, outcome, host(ip) as ip, user_agent, reason
             from public.security_events
            where subject_id = (select auth.uid())
            order by occurred_at desc, id desc
            limit $1 offset $2`,
      values: [PAGE_SIZE + 1, offset],
    },
  );
  const events: SecurityEvent[] = rows.slice(0, PAGE_SIZE).map((r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    event: r.event,
    title: titleOf(r.event, r.outcome),
    outcome: r.outcome,
    ip: r.ip,
    device: describeDevice(r.user_agent),
    reason: r.outcome === 'failure' ? readableReason(r.reason) : null,
  }));
  return { events, hasOlder: rows.length > PAGE_SIZE && page < MAX_PAGE };
}
