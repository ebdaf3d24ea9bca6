// The TaskMaster-Signature header (Stripe style): t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>" keyed with the endpoint's secret (the whole "whsec_…" string, UTF-8)>.
// Right after a rotation there is one v1= per valid secret (the new one first), so a
// receiver still configured with the previous secret keeps verifying until it expires.
// Receivers verify it with the snippet in docs/webhooks.md.
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'TaskMaster-Signature';

export function signatureHeader(secrets: readonly string[], body: string, unixSeconds: number): string {
  if (secrets.length === 0) throw new Error('no signing secret');
  const signatures = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`,
  );
  return [`t=${unixSeconds}`, ...signatures].join(',');
}
