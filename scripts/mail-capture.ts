// The development mail catcher: an SMTP server that accepts every message and keeps the
// last 500 in memory, with a page to read them. `npm start` runs it in development
// (scripts/serve.ts), on SMTP port 54325 (the default SMTP_URL outside production) and
// http://localhost:54324 (MAIL_CAPTURE_PORT); the tests start their own on free ports
// (tests/support/mail.ts). Nothing it receives leaves the machine.
//
//   GET /                  the caught mails, newest first (subject, to, date)
//   GET /messages/<id>     one mail: headers, plain text, and the HTML rendered in a sandbox
//   GET /messages/<id>/html   the HTML part alone (sandboxed by CSP: no scripts, no requests)
//   GET /api/messages      JSON: every caught mail (what tests read); DELETE clears them
//   GET /api/messages/<id> JSON: one mail
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeHtml } from '../lib/mail/html.ts';

export type CapturedMail = {
  id: string;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  from: string;
  to: string;
  subject: string;
  date: string | null;
  /** Header name (lower case) → unfolded value; the first of repeated headers. */
  headers: Record<string, string>;
  text: string;
  html: string | null;
  size: number;
};

export type MailCapture = {
  smtpUrl: string;
  httpUrl: string;
  messages(): CapturedMail[];
  clear(): void;
  close(): Promise<void>;
};

export type MailCaptureOptions = { host?: string; smtpPort?: number; httpPort?: number; limit?: number };

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

async function parse(raw: Buffer, envelope: CapturedMail['envelope']): Promise<CapturedMail> {
  const mail = await simpleParser(raw, { skipImageLinks: true });
  const headers: Record<string, string> = {};
  for (const { key, line } of mail.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    headers[key] ??= value;
  }
  const addresses = (field: typeof mail.to) =>
    field === undefined ? '' : (Array.isArray(field) ? field : [field]).map((a) => a.text).join(', ');
  return {
    id: randomUUID(),
    receivedAt: new Date().toISOString(),
    envelope,
    messageId: mail.messageId ?? null,
    from: mail.from?.text ?? '',
    to: addresses(mail.to),
    subject: mail.subject ?? '',
    date: mail.date ? mail.date.toISOString() : null,
    headers,
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    size: raw.length,
  };
}

const PAGE_STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}
th,td{text-align:start;padding:.4rem .6rem;border-bottom:1px solid #d0d7de;vertical-align:top}th{background:#f6f8fa}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border:1px solid #d0d7de;border-radius:6px}
iframe{width:100%;height:40rem;border:1px solid #d0d7de;border-radius:6px}a{color:#0b5cad}.muted{color:#57606a}
td.h{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all}`;
const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'; frame-src 'self'; form-action 'self'; base-uri 'none'`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Mail capture</title><style>${PAGE_STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function listPage(mails: CapturedMail[]): string {
  const rows = mails
    .map(
      (m) =>
        `<tr><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td><td>${escapeHtml(m.to)}</td><td><time datetime="${m.receivedAt}">${escapeHtml(m.receivedAt.replace('T', ' ').slice(0, 19))} UTC</time></td></tr>`,
    )
    .join('');
  return page(
    'Caught mail',
    `<h1>Caught mail (${mails.length})</h1>
<p class="muted">Every email the app sends in development lands here instead of a real inbox. Newest first; reload to refresh.</p>
<form method="post" action="/clear"><button type="submit">Delete all</button></form>
${mails.length === 0 ? '<p>Nothing caught yet.</p>' : `<table><thead><tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">Received</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  );
}

function detailPage(m: CapturedMail): string {
  const headerRows = Object.entries(m.headers)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td class="h">${escapeHtml(v)}</td></tr>`)
    .join('');
  return page(
    m.subject,
    `<p><a href="/">← All mail</a></p><h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<p>To ${escapeHtml(m.to)} · from ${escapeHtml(m.from)} · received ${escapeHtml(m.receivedAt)}</p>
<h2>HTML</h2>${m.html ? `<iframe title="HTML part of the email" sandbox src="/messages/${m.id}/html"></iframe>` : '<p>No HTML part.</p>'}
<h2>Plain text</h2><pre>${escapeHtml(m.text)}</pre>
<h2>Headers</h2><table><tbody>${headerRows}</tbody></table>`,
  );
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function startMailCapture(options: MailCaptureOptions = {}): Promise<MailCapture> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.limit ?? 500;
  const mails: CapturedMail[] = [];

  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_MESSAGE_BYTES,
    banner: 'TaskMaster mail capture',
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        // The message is stored before the client hears "250 OK": once sendMail resolves, it is here.
        parse(Buffer.concat(chunks), envelope).then(
          (mail) => {
            mails.unshift(mail);
            mails.length = Math.min(mails.length, limit);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A client that drops its connection is its own problem; listen errors reject below.
  smtp.on('error', () => undefined);
  smtp.listen(options.smtpPort ?? 0, host);
  await once(smtp.server, 'listening');

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const byId = (id: string | undefined) => mails.find((m) => m.id === id);
    const html = (body: string, status = 200) =>
      send(res, status, 'text/html; charset=utf-8', body, { 'content-security-policy': PAGE_CSP });
    if (path === '/' && method === 'GET') return html(listPage(mails));
    if (path === '/clear' && method === 'POST') {
      mails.length = 0;
      res.writeHead(303, { location: '/' });
      return res.end();
    }
    if (path === '/api/messages') {
      if (method === 'DELETE') {
        mails.length = 0;
        return send(res, 204, 'text/plain', '');
      }
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(mails));
    }
    const api = /^\/api\/messages\/([0-9a-f-]{36})$/.exec(path);
    if (api) {
      const mail = byId(api[1]);
      return mail
        ? send(res, 200, 'application/json; charset=utf-8', JSON.stringify(mail))
        : send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ message: 'No such mail' }));
    }
    const part = /^\/messages\/([0-9a-f-]{36})(\/html)?$/.exec(path);
    const mail = part ? byId(part[1]) : undefined;
    if (part && mail) {
      if (!part[2]) return html(detailPage(mail));
      // The email's own HTML, sandboxed: no scripts, no network, no navigation.
      return send(res, 200, 'text/html; charset=utf-8', mail.html ?? '', {
        'content-security-policy': "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
    }
    return html(page('Not found', '<h1>Not found</h1><p><a href="/">All mail</a></p>'), 404);
  });
  http.listen(options.httpPort ?? 0, host);
  await once(http, 'listening');

  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    httpUrl: `http://${host}:${httpPort}`,
    messages: () => [...mails],
    clear: () => {
      mails.length = 0;
    },
    close: async () => {
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}

if (import.meta.main) {
  const { config } = await import('../lib/config.ts');
  const { logger } = await import('../lib/logger.ts');
  const cfg = config();
  const log = logger.child({ component: 'mail-capture' });
  const smtp = new URL(cfg.smtpUrl);
  const local = ['127.0.0.1', 'localhost'].includes(smtp.hostname);
  try {
    const capture = await startMailCapture({
      smtpPort: local ? Number(smtp.port) || 25 : 54325,
      httpPort: cfg.MAIL_CAPTURE_PORT,
    });
    log.info({ smtp: capture.smtpUrl, page: `http://localhost:${cfg.MAIL_CAPTURE_PORT}` }, 'mail capture running');
    const stop = () => void capture.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    // Another `npm start` (or a local MailHog) already has the port: mail still lands somewhere.
    log.warn({ err: error }, 'mail capture not started');
    process.exit(0);
  }
}
