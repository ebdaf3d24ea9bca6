// Sending over SMTP (nodemailer). One transport per process, created on first use. The
// Message-ID of an email is derived from its private.outgoing_mail id, so a retry after
// a crash between "the server accepted it" and "sent_at was recorded" carries the same
// id and receiving systems can tell it is the same message.
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { RenderedMail } from './templates.ts';

export type OutgoingMessage = RenderedMail & {
  from: string;
  to: string;
  messageId: string;
  headers: Record<string, string>;
};

export type MailTransport = {
  send(message: OutgoingMessage): Promise<{ messageId: string; accepted: string[] }>;
  close(): void;
};

/** `<mail id@public host>`: stable per email, unique across deployments by host. */
export function messageIdFor(mailId: string, publicUrl: string): string {
  return `<${mailId}@${new URL(publicUrl).hostname || 'taskmaster.invalid'}>`;
}

export function createMailTransport(smtpUrl: string): MailTransport {
  const url = new URL(smtpUrl);
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '::1';
  const options: SMTPTransport.Options = {
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    // A remote server must offer STARTTLS (credentials and contents never travel in clear);
    // the local capture server offers no TLS at all.
    requireTLS: url.protocol === 'smtp:' && !local,
    ignoreTLS: local && url.protocol === 'smtp:',
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
  };
  const transporter = nodemailer.createTransport(options);
  return {
    async send(message) {
      const info = await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: message.headers,
      });
      return { messageId: info.messageId, accepted: info.accepted.map(String) };
    },
    close() {
      transporter.close();
    },
  };
}
