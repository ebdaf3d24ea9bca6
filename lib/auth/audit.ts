// The identity audit log (account.audit, append-only): one call per identity event.
// Writing the record must never break the action it records, so a failure to write is
// logged loudly and swallowed (the alert on "audit write failed" is how we notice).
import type { BetterAuthOptions } from 'better-auth';
import { getIP } from 'better-auth/api';
import { sql, type Kysely } from 'kysely';
import { log } from '../logger.ts';

export type AuditEvent = {
  /** Dotted name: auth.sign_in, auth.sign_up, mfa.enabled, session.revoked, keys.rotated… */
  event: string;
  outcome: 'success' | 'failure';
  actorId?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
};

/** A syntactically valid IP or null: x-forwarded-for is client-controlled text. */
function ipOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.trim();
  return /^[0-9a-fA-F:.]{2,45}$/.test(v) && (v.includes('.') || v.includes(':')) ? v : null;
}

/** What requestMeta reads of a Better Auth endpoint or hook context (or of none). */
export type RequestContext =
  | { headers?: Headers | undefined; request?: Request | undefined; context?: { options?: BetterAuthOptions } }
  | null
  | undefined;

/**
 * The client address and user agent of the request behind `ctx`, for an audit record.
 * The address is the one Better Auth resolves (advanced.ipAddress: its headers, trusted
 * proxies, the localhost fallback in development and test), so every record agrees with
 * Better Auth's own session rows; the user agent is cut to the column's 500 characters.
 */
export function requestMeta(ctx: RequestContext): { ip: string | null; userAgent: string | null } {
  const source = ctx?.request ?? ctx?.headers;
  const headers = ctx?.headers ?? ctx?.request?.headers;
  return {
    ip: source ? getIP(source, ctx?.context?.options ?? {}) : null,
    userAgent: headers?.get('user-agent')?.slice(0, 500) ?? null,
  };
}

export async function recordAudit(db: Kysely<unknown>, e: AuditEvent): Promise<void> {
  try {
    await sql`select private.record_audit(${e.event}, ${e.outcome}, ${e.actorId ?? null}::uuid,
      ${e.subjectId ?? null}::uuid, ${ipOrNull(e.ip)}::inet, ${e.userAgent ?? null}, ${e.reason ?? null},
      ${JSON.stringify(e.data ?? {})}::jsonb)`.execute(db);
  } catch (error) {
    log().error({ err: error, event: e.event }, 'audit write failed');
  }
}
