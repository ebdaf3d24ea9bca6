// The TaskMaster-Signature header (Stripe style): t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>" keyed with the endpoint's secret (the whole "whsec_…" string, UTF-8)>.
// Receivers verify it with the snippet in docs/webhooks.md.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'TaskMaster-Signature';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
