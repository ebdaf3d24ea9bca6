// Identity emails (verification, password reset, magic link, lockout…): queued as a
// graphile-worker job in the caller's database work, sent by the worker task auth__mail.
// Queuing instead of sending inline keeps the request's answer time the same whether or
// not an email goes out (no account enumeration by timing) and survives an SMTP outage.
// The payload carries the address and the link: it lives only until the job succeeds.
import { sql, type Kysely } from 'kysely';

export type AuthMailTemplate = 'verify_email' | 'reset_password' | 'magic_link' | 'change_email' | 'lockout';

export type AuthMail = {
  template: AuthMailTemplate;
  to: string;
  data: Record<string, unknown>;
};

export async function sendAuthMail(db: Kysely<unknown>, mail: AuthMail): Promise<void> {
  await sql`select graphile_worker.add_job('auth__mail', ${JSON.stringify(mail)}::json, max_attempts => 8)`.execute(db);
}
