// Sends one identity email (verification, password reset, magic link, email change,
// lockout), queued by lib/auth/mail.ts with max_attempts 8. Payload: {template, to, data}
// — validated here, so a malformed job fails with a message naming the field instead of
// sending something broken. The address and the link live in the payload only until the
// job succeeds (graphile-worker deletes finished jobs); neither is ever logged.
//
// Failures (SMTP down, refused) throw, and graphile-worker retries with its exponential
// backoff (exp(attempt) seconds: the 8 attempts span ~30 minutes, see docs/jobs.md). The
// Message-ID is derived from the job id, so a retry after "the server accepted it but we
// crashed before the job was marked done" carries the same id and receivers drop the copy.
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { config, type Config } from '../../../lib/config.ts';
import { AUTH_TEMPLATES, renderAuthMail } from '../../../lib/mail/auth-templates.ts';
import { createMailTransport, messageIdFor, type MailTransport } from '../../../lib/mail/transport.ts';

export const authMailPayload = z.object({
  template: z.enum(AUTH_TEMPLATES),
  to: z.email().max(320),
  data: z.record(z.string(), z.unknown()),
});

export type AuthMailSendOptions = {
  /** The SMTP transport; defaults to one for SMTP_URL, created on first use. */
  transport?: () => MailTransport;
  config?: () => Pick<Config, 'PUBLIC_URL' | 'mailFrom' | 'smtpUrl'>;
};

export function createAuthMailSend(options: AuthMailSendOptions = {}): Task {
  const getConfig = options.config ?? config;
  let shared: MailTransport | undefined;
  const transport = options.transport ?? (() => (shared ??= createMailTransport(getConfig().smtpUrl)));

  return async (raw, helpers) => {
    const parsed = authMailPayload.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`auth__mail payload: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
    }
    const { template, to, data } = parsed.data;
    const cfg = getConfig();
    const rendered = renderAuthMail(template, data, { publicUrl: cfg.PUBLIC_URL });
    await transport().send({
      ...rendered,
      from: cfg.mailFrom,
      to,
      messageId: messageIdFor(`auth-${helpers.job.id}`, cfg.PUBLIC_URL),
      headers: {
        'Auto-Submitted': 'auto-generated',
        'X-TaskMaster-Kind': `auth.${template}`,
      },
    });
    helpers.logger.info(`auth mail (${template}) sent for job ${helpers.job.id}`);
  };
}

export const auth__mail: Task = createAuthMailSend();
