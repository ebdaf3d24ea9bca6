// Sends one queued email (private.outgoing_mail, queued by private.notify). Payload: the
// mail's id only. The row is re-read and locked; the address is the person's CURRENT one
// (identity.users), read now, never copied into the queue. Nothing is sent when the mail
// or the person is gone, when it was already sent (sent_at), or when the person has
// turned this kind of email off since it was queued.
//
// Exactly-once as far as we can make it: the row stays locked (FOR UPDATE) from the read
// until sent_at is committed, so two runs of the job never send it twice; a second run
// finds sent_at and does nothing. The one window left is a crash after the SMTP server
// accepted the message and before the commit: the retry sends again, with the same
// Message-ID (derived from the mail id), which receivers use to drop the duplicate.
// Failures (SMTP down, refused) throw, and graphile-worker retries with its exponential
// backoff, up to the job's max_attempts (12, set by private.notify: retries span ~16 hours).
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { config, type Config } from '../../../lib/config.ts';
import { renderMail } from '../../../lib/mail/templates.ts';
import { createMailTransport, messageIdFor, type MailTransport } from '../../../lib/mail/transport.ts';
import { unsubscribeUrl } from '../../../lib/mail/unsubscribe.ts';
import { inTransaction } from '../transaction.ts';

const payload = z.object({ mail_id: z.uuid() }).passthrough();

type MailRow = {
  id: string;
  user_id: string;
  kind: string;
  template: string;
  data: unknown;
  sent_at: Date | null;
  email: string;
  name: string | null;
  wanted: boolean;
};

export type MailSendOptions = {
  /** The SMTP transport; defaults to one for SMTP_URL, created on first use. */
  transport?: () => MailTransport;
  config?: () => Pick<Config, 'PUBLIC_URL' | 'mailFrom' | 'smtpUrl' | 'unsubscribeSecret'>;
};

export function createMailSend(options: MailSendOptions = {}): Task {
  const getConfig = options.config ?? config;
  let shared: MailTransport | undefined;
  const transport = options.transport ?? (() => (shared ??= createMailTransport(getConfig().smtpUrl)));

  return async (raw, helpers) => {
    const { mail_id } = payload.parse(raw);
    const cfg = getConfig();
    await inTransaction(helpers, async (client) => {
      // skip locked: another run holding the row is sending it (or will fail and retry).
      const { rows } = await client.query<MailRow>(
        `select m.id, m.user_id, m.kind, m.template, m.data, m.sent_at, u.email, u.name,
                private.wants_notification(m.user_id, m.kind, 'email') as wanted
         from private.outgoing_mail m
         join identity.users u on u.id = m.user_id
         where m.id = $1
         for update of m skip locked`,
        [mail_id],
      );
      const mail = rows[0];
      if (!mail) {
        helpers.logger.info(`mail ${mail_id} is gone or being sent by another run; nothing to do`);
      } else if (mail.sent_at) {
        helpers.logger.info(`mail ${mail_id} was already sent; nothing to do`);
      } else if (!mail.wanted) {
        helpers.logger.info(`mail ${mail_id}: its recipient turned ${mail.kind} emails off; not sent`);
      } else {
        const unsubscribe = unsubscribeUrl(cfg.PUBLIC_URL, cfg.unsubscribeSecret, {
          userId: mail.user_id,
          kind: mail.kind,
        });
        const rendered = renderMail(mail.template, mail.data, {
          publicUrl: cfg.PUBLIC_URL,
          unsubscribeUrl: unsubscribe,
          recipientName: mail.name ?? '',
        });
        const messageId = messageIdFor(mail.id, cfg.PUBLIC_URL);
        await transport().send({
          ...rendered,
          from: cfg.mailFrom,
          to: mail.name ? `"${mail.name.replace(/["\\\r\n]/g, '')}" <${mail.email}>` : mail.email,
          messageId,
          headers: {
            // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
            'List-Unsubscribe': `<${unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'Auto-Submitted': 'auto-generated',
            'X-TaskMaster-Kind': mail.kind,
          },
        });
        await client.query(`update private.outgoing_mail set sent_at = now(), message_id = $2 where id = $1`, [
          mail.id,
          messageId,
        ]);
        helpers.logger.info(`mail ${mail_id} (${mail.kind}) sent`);
      }
    });
  };
}

export const mail__send: Task = createMailSend();
