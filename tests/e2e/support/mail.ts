// Reading the emails the app sent during a browser test: scripts/test-e2e.sh starts a
// capture SMTP server and a worker that sends identity emails to it; this polls the
// capture server's JSON API for the newest email to an address and returns its links.
import { expect } from '@playwright/test';

export type CaughtMail = { subject: string; text: string; html: string | null; links: string[]; receivedAt: string };

type ApiMail = { envelope: { to: string[] }; subject: string; text: string; html: string | null; receivedAt: string };

function mailApi(): string {
  const port = process.env.E2E_MAIL_HTTP_PORT ?? String(Number(process.env.TEST_GATEWAY_PORT ?? '54331') + 2000);
  return `http://127.0.0.1:${port}/api/messages`;
}

function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
}

export type MailQuery = {
  /** Only an email whose subject matches. */
  subject?: string | RegExp;
  /** Only an email received after this instant (e.g. the second link of a flow). */
  after?: Date;
  timeoutMs?: number;
};

/** The newest email to `address` (waits for it: the worker sends within a second or two). */
export async function newestMailTo(address: string, query: MailQuery = {}): Promise<CaughtMail> {
  const wanted = address.toLowerCase();
  let found: ApiMail | undefined;
  await expect
    .poll(
      async () => {
        const res = await fetch(mailApi());
        const mails = (await res.json()) as ApiMail[];
        // The API lists newest first.
        found = mails.find(
          (m) =>
            m.envelope.to.some((to) => to.toLowerCase() === wanted) &&
            (query.subject === undefined ||
              (typeof query.subject === 'string' ? m.subject === query.subject : query.subject.test(m.subject))) &&
            (query.after === undefined || new Date(m.receivedAt) > query.after),
        );
        return found !== undefined;
      },
      { message: `an email to ${address}`, timeout: query.timeoutMs ?? 20_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  const mail = found!;
  return {
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    links: linksIn(mail.text),
    receivedAt: mail.receivedAt,
  };
}

/** The first link in the newest email to `address` that opens `path` (e.g. "/verify-email"). */
export async function linkFromMail(address: string, path: string, query: MailQuery = {}): Promise<string> {
  const mail = await newestMailTo(address, query);
  const link = mail.links.find((l) => new URL(l).pathname === path);
  expect(link, `a link to ${path} in “${mail.subject}”: ${mail.text}`).toBeTruthy();
  return link!;
}
