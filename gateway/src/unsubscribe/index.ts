// /api/v1/unsubscribe?token=…: the one-click unsubscribe link every email carries
// (List-Unsubscribe, RFC 8058). The token (lib/mail/unsubscribe.ts) is an HMAC-signed
// (person, kind), so no sign-in is needed and nobody can unsubscribe someone else.
//
//   POST  what mail clients send ("List-Unsubscribe=One-Click", form-encoded) and what the
//         confirm page's button sends: turns email off for that kind
//         (account.notification_preferences), answers 200. Repeating it changes nothing.
//   GET   a small confirm page with that button (a plain form: works without JavaScript).
//         GET never unsubscribes: link scanners and previews follow links.
//
// A malformed or forged token gets 400 with a clear message and changes nothing. Pages
// are HTML unless the client asks for JSON (Accept: application/json).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../lib/logger.ts';
import { escapeHtml } from '../../../lib/mail/html.ts';
import { emailsOfKind } from '../../../lib/mail/templates.ts';
import { UNSUBSCRIBE_PATH, verifyUnsubscribeToken, type UnsubscribeTarget } from '../../../lib/mail/unsubscribe.ts';
import type { Services } from '../../../lib/services.ts';

const MAX_BODY_BYTES = 4096;

const STYLE = `body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f4f5f7}
main{max-width:32rem;margin:4rem auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.35rem;margin:0 0 1rem}p{margin:0 0 1rem}a{color:#0b5cad}
button{font:inherit;font-weight:600;min-height:44px;padding:.5rem 1.25rem;border:0;border-radius:6px;background:#0b5cad;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #1f2328;outline-offset:2px}`;
const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

type Answer = { status: number; title: string; html: string; json: Record<string, unknown> };

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)} · TaskMaster</title><style>${STYLE}</style></head>
<body><main>${body}</main></body>
</html>`;
}

function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function write(req: IncomingMessage, res: ServerResponse, answer: Answer, headers: Record<string, string> = {}) {
  const common = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers };
  if (wantsJson(req)) {
    res.writeHead(answer.status, { ...common, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.json));
    return;
  }
  res.writeHead(answer.status, {
    ...common,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
  });
  res.end(page(answer.title, answer.html));
}

const INVALID: Answer = {
  status: 400,
  title: 'Invalid unsubscribe link',
  html: `<h1>This unsubscribe link is not valid</h1>
<p>It may have been cut off or changed when it was copied. Nothing was changed.</p>
<p>You can turn emails off under <a href="/app/settings/notifications">Settings → Notifications</a>.</p>`,
  json: {
    code: 'TM400',
    message: 'Invalid unsubscribe token: it is malformed or its signature does not match. Nothing was changed.',
  },
};

async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createUnsubscribe({ services: svc }: { services: Services }) {
  const secret = svc.config.unsubscribeSecret;

  /** Email off for (person, kind); false when the person or the kind does not exist. */
  async function unsubscribe({ userId, kind }: UnsubscribeTarget): Promise<boolean> {
    const { rowCount } = await svc.servicePool.query(
      `insert into account.notification_preferences as p (user_id, kind, channel, enabled)
       select $1::uuid, $2, 'email', false
       where exists (select 1 from identity.users u where u.id = $1::uuid)
         and exists (select 1 from private.notification_kinds k where k.kind = $2)
       on conflict (user_id, kind, channel) do update set enabled = false, updated_at = now()`,
      [userId, kind],
    );
    return rowCount === 1;
  }

  return {
    handles(path: string): boolean {
      return path === UNSUBSCRIBE_PATH;
    },
    async handle(req: IncomingMessage, res: ServerResponse, { log }: { log: Logger }): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
        res.writeHead(405, { allow: 'GET, POST', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Method not allowed');
        return;
      }
      const target = verifyUnsubscribeToken(secret, url.searchParams.get('token'));
      if (method === 'POST') {
        const body = await readBody(req);
        if (body === null) {
          write(req, res, {
            ...INVALID,
            status: 413,
            json: { code: 'TM413', message: `Request body exceeds ${MAX_BODY_BYTES} bytes` },
          });
          return;
        }
      }
      if (!target) {
        write(req, res, INVALID);
        return;
      }
      const what = emailsOfKind(target.kind);
      if (method !== 'POST') {
        const action = `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`;
        write(req, res, {
          status: 200,
          title: 'Unsubscribe',
          html: `<h1>Unsubscribe from ${escapeHtml(what)}?</h1>
<p>You will stop getting ${escapeHtml(what)}. In-app notifications and other emails stay as they are.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
          json: { kind: target.kind, unsubscribed: false, message: 'POST to this URL to unsubscribe.' },
        });
        return;
      }
      const changed = await unsubscribe(target);
      if (!changed) {
        write(req, res, INVALID);
        return;
      }
      log.info({ kind: target.kind }, 'unsubscribed from email');
      write(req, res, {
        status: 200,
        title: 'Unsubscribed',
        html: `<h1>You are unsubscribed</h1>
<p role="status">You will no longer get ${escapeHtml(what)}.</p>
<p>Changed your mind? Turn them back on under <a href="/app/settings/notifications">Settings → Notifications</a>.</p>`,
        json: { kind: target.kind, unsubscribed: true, message: `You will no longer get ${what}.` },
      });
    },
  };
}
