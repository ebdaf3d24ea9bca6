// Email over real SMTP: private.notify queues a mail, the worker's mail__send renders and
// sends it to a capture server of this test's own (tests/support/mail.ts), and its
// one-click unsubscribe link (RFC 8058) works against the real gateway without signing in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { config } from '../../lib/config.ts';
import { renderMail } from '../../lib/mail/templates.ts';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../lib/mail/unsubscribe.ts';
import { closeServices } from '../../lib/services.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { startGateway, uniqueEmail, type TestGateway } from '../support/gateway.ts';
import { mailsTo, startTestMailCapture, taskListSendingTo, type MailCapture } from '../support/mail.ts';

const logger = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;
let capture: MailCapture;
let worker: ReturnType<typeof taskListSendingTo>;
let gateway: TestGateway;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  capture = await startTestMailCapture();
  worker = taskListSendingTo(capture);
  gateway = await startGateway();
});
after(async () => {
  worker.close();
  await gateway.close();
  await capture.close();
  await pool.end();
  await closeServices();
});

const runWorker = () => runOnce({ connectionString: testDatabaseUrl(), taskList: worker.taskList, logger });

async function newUser(name = 'Mia Mail'): Promise<{ id: string; email: string }> {
  const email = uniqueEmail('mail');
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ($1, $2, true) returning id`,
    [name, email],
  );
  return { id: rows[0]!.id, email };
}

async function notify(user: string, kind: string, key: string, title: string, body = '', url: string | null = null) {
  const { rows } = await pool.query<{ channels: string[] }>(
    `select private.notify($1, $2, $3, $4, $5, $6) as channels`,
    [user, kind, key, title, body, url],
  );
  return rows[0]!.channels;
}

async function mailRow(user: string, key: string) {
  const { rows } = await pool.query<{ id: string; sent_at: Date | null; message_id: string | null }>(
    `select id, sent_at, message_id from private.outgoing_mail where user_id = $1 and dedupe_key = $2`,
    [user, key],
  );
  return rows[0];
}

/** The gateway's address in place of PUBLIC_URL's (the link is absolute, for PUBLIC_URL). */
function viaGateway(link: string): string {
  const url = new URL(link);
  return `${gateway.url}${url.pathname}${url.search}`;
}

test('a reminder arrives over SMTP with its content, a stable Message-ID and both unsubscribe headers', async () => {
  const user = await newUser('Mia <Mail> & Co');
  const taskId = crypto.randomUUID();
  assert.deepEqual(
    await notify(
      user.id,
      'reminder',
      `r-${taskId}`,
      'Reminder: Pay <rent> & bills',
      'Due today at 17:00.',
      `/app/tasks/${taskId}`,
    ),
    ['in_app', 'email'],
  );
  await runWorker();

  const mails = mailsTo(capture, user.email);
  assert.equal(mails.length, 1, 'exactly one mail for this person');
  const mail = mails[0]!;
  const row = await mailRow(user.id, `r-${taskId}`);
  assert.ok(row?.sent_at, 'sent_at is recorded');
  assert.equal(mail.messageId, `<${row.id}@${new URL(config().PUBLIC_URL).hostname}>`);
  assert.equal(row.message_id, mail.messageId);
  assert.equal(mail.subject, 'Reminder: Pay <rent> & bills');
  assert.match(mail.from, /^"?TaskMaster"? <notifications@/);
  // Plain text and HTML carry the same content; the HTML escapes what it interpolates.
  assert.match(mail.text, /Reminder: Pay <rent> & bills/);
  assert.match(mail.text, /Due today at 17:00\./);
  assert.match(mail.text, new RegExp(`Open the task: ${config().PUBLIC_URL}/app/tasks/${taskId}`));
  assert.ok(mail.html, 'an HTML part');
  assert.match(mail.html, /<h1>Reminder: Pay &lt;rent&gt; &amp; bills<\/h1>/);
  assert.match(mail.html, /Hi Mia &lt;Mail&gt; &amp; Co,/);
  assert.doesNotMatch(mail.html, /<img/i, 'no images: nothing lost when a client blocks them');
  assert.match(mail.html, /<html lang="en">/);

  const unsubscribe = mail.headers['list-unsubscribe'];
  assert.match(unsubscribe ?? '', /^<https?:\/\/[^>]+\/api\/v1\/unsubscribe\?token=[^>]+>$/);
  assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  const link = unsubscribe!.slice(1, -1);
  assert.ok(mail.text.includes(link), 'the text part carries the same unsubscribe link');
  assert.deepEqual(verifyUnsubscribeToken(config().unsubscribeSecret, new URL(link).searchParams.get('token')), {
    userId: user.id,
    kind: 'reminder',
  });
});

test('mail__send run twice for the same mail sends it once', async () => {
  const user = await newUser();
  await notify(user.id, 'member_added', 'twice', 'You were added to Design', 'Ana added you as a member.', '/app');
  const row = await mailRow(user.id, 'twice');
  // A duplicate job for the same mail, as a retry or a second enqueue would make.
  await pool.query(`select graphile_worker.add_job('mail__send', json_build_object('mail_id', $1::uuid))`, [row!.id]);
  await runWorker();
  await pool.query(`select graphile_worker.add_job('mail__send', json_build_object('mail_id', $1::uuid))`, [row!.id]);
  await runWorker();
  const mails = mailsTo(capture, user.email);
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.subject, 'You were added to Design');
  assert.match(mails[0]!.text, /Ana added you as a member\./);
  // Neither run failed. (Whether graphile-worker has deleted a completed job row by the time
  // runOnce resolves is its business: only a recorded error would mean a failed run.)
  const failed = await pool.query(
    `select 1 from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'mail__send' and j.payload->>'mail_id' = $1 and j.last_error is not null`,
    [row!.id],
  );
  assert.equal(failed.rowCount, 0, 'every run succeeded: no job waits for a retry');
});

test('three jobs for the same mail running at the same time send it once (the row lock)', async () => {
  const user = await newUser();
  await notify(user.id, 'reminder', 'race', 'Reminder: only once');
  const row = await mailRow(user.id, 'race');
  for (let i = 0; i < 2; i += 1) {
    await pool.query(`select graphile_worker.add_job('mail__send', json_build_object('mail_id', $1::uuid))`, [row!.id]);
  }
  await runOnce({ connectionString: testDatabaseUrl(), taskList: worker.taskList, logger, concurrency: 3 });
  assert.equal(mailsTo(capture, user.email).length, 1);
  assert.ok((await mailRow(user.id, 'race'))?.sent_at);
});

test('a mail whose person is gone, or who turned the kind off since, is not sent', async () => {
  const gone = await newUser();
  const changed = await newUser();
  await notify(gone.id, 'reminder', 'gone', 'Reminder: gone');
  await notify(changed.id, 'reminder', 'changed', 'Reminder: changed');
  await pool.query(`delete from identity.users where id = $1`, [gone.id]);
  await pool.query(
    `insert into account.notification_preferences (user_id, kind, channel, enabled) values ($1, 'reminder', 'email', false)`,
    [changed.id],
  );
  await runWorker();
  assert.equal(mailsTo(capture, gone.email).length, 0);
  assert.equal(mailsTo(capture, changed.email).length, 0);
  assert.equal((await mailRow(changed.id, 'changed'))?.sent_at, null);
});

test('one-click unsubscribe: POST turns that kind of email off without signing in; GET only asks', async () => {
  const user = await newUser();
  await notify(user.id, 'reminder', 'unsub-1', 'Reminder: water the plants');
  await runWorker();
  const mail = mailsTo(capture, user.email)[0]!;
  const link = viaGateway(mail.headers['list-unsubscribe']!.slice(1, -1));

  const confirm = await fetch(link, { headers: { accept: 'text/html' } });
  assert.equal(confirm.status, 200);
  const page = await confirm.text();
  assert.match(page, /Unsubscribe from reminder emails\?/);
  assert.match(page, /<form method="post" action="\/api\/v1\/unsubscribe\?token=/);
  assert.match(confirm.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const prefs = async () =>
    (
      await pool.query<{ kind: string; channel: string; enabled: boolean }>(
        `select kind, channel, enabled from account.notification_preferences where user_id = $1 order by kind, channel`,
        [user.id],
      )
    ).rows;
  assert.deepEqual(await prefs(), [], 'GET changes nothing (link scanners follow links)');

  // Exactly what a mail client sends (RFC 8058 section 3.2).
  const res = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /You will no longer get reminder emails\./);
  assert.deepEqual(await prefs(), [{ kind: 'reminder', channel: 'email', enabled: false }]);

  const again = await fetch(link, {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(again.status, 200, 'repeating it is fine');
  assert.deepEqual(await again.json(), {
    kind: 'reminder',
    unsubscribed: true,
    message: 'You will no longer get reminder emails.',
  });
  assert.deepEqual(await notify(user.id, 'reminder', 'unsub-2', 'Reminder: again'), ['in_app'], 'in-app stays on');
});

test('a forged, altered or malformed unsubscribe token is refused with 400 and changes nothing', async () => {
  const victim = await newUser();
  const attacker = await newUser();
  const secret = config().unsubscribeSecret;
  const own = createUnsubscribeToken(secret, { userId: attacker.id, kind: 'reminder' });
  const sig = own.split('.')[2]!;
  const forged = [
    // The attacker's valid signature on the victim's id.
    `${victim.id}.reminder.${sig}`,
    // Their own token for another kind.
    `${attacker.id}.member_added.${sig}`,
    // Signed with a different secret.
    createUnsubscribeToken('x'.repeat(40), { userId: victim.id, kind: 'reminder' }),
    // One character of the signature changed.
    `${own.slice(0, -1)}${own.endsWith('A') ? 'B' : 'A'}`,
    'not-a-token',
    '',
  ];
  for (const token of forged) {
    const url = `${gateway.url}/api/v1/unsubscribe?token=${encodeURIComponent(token)}`;
    const post = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(post.status, 400, `POST with ${JSON.stringify(token)}`);
    const body = (await post.json()) as { message: string };
    assert.match(body.message, /Invalid unsubscribe token/);
    const get = await fetch(url);
    assert.equal(get.status, 400, `GET with ${JSON.stringify(token)}`);
    assert.match(await get.text(), /This unsubscribe link is not valid/);
  }
  const { rowCount } = await pool.query(`select 1 from account.notification_preferences where user_id = any($1)`, [
    [victim.id, attacker.id],
  ]);
  assert.equal(rowCount, 0);
  const put = await fetch(`${gateway.url}/api/v1/unsubscribe?token=${own}`, { method: 'PUT' });
  assert.equal(put.status, 405);
});

test('every template renders HTML and text, and refuses data that does not fit it', () => {
  const ctx = { publicUrl: 'https://tm.example', unsubscribeUrl: 'https://tm.example/u?token=t', recipientName: 'Ana' };
  const digest = renderMail(
    'digest',
    {
      title: 'Your day: 1 task due today, 1 overdue',
      body: 'Here is what is due today.',
      url: '/app/today',
      date: '2026-11-23',
      overdue: [{ title: 'File <taxes>', due_date: '2026-11-20', due_time: null, workspace_name: 'Home' }],
      today: [{ title: 'Call Bo', due_date: '2026-11-23', due_time: '14:30', workspace_name: 'Work' }],
    },
    ctx,
  );
  assert.match(digest.text, /Overdue \(1\)\n- File <taxes> — was due Fri 20 Nov \(Home\)/);
  assert.match(digest.text, /Due today \(1\)\n- Call Bo — due at 14:30 \(Work\)/);
  assert.match(digest.html, /<li>File &lt;taxes&gt; — was due Fri 20 Nov \(Home\)<\/li>/);
  assert.match(digest.text, /See today’s tasks: https:\/\/tm\.example\/app\/today/);
  for (const [template, data] of Object.entries({
    task_activity: { title: 'Ana completed “Ship it”', body: 'In Team.', url: '/app/tasks/x', action: 'completed' },
    webhook_disabled: {
      title: 'Webhook disabled',
      endpoint_url: 'https://hooks.example/tm',
      reason: 'HTTP 500 for 3 days',
    },
  })) {
    const out = renderMail(template, data, ctx);
    if ('reason' in data) assert.match(out.text, /Why: HTTP 500 for 3 days/, 'the reason the producer sends is shown');
    assert.equal(out.subject, data.title);
    assert.match(out.text, /Unsubscribe from .+: https:\/\/tm\.example\/u\?token=t/);
    assert.match(out.html, /Notification settings<\/a>/);
  }
  // Title, body and url alone render for every kind (what any producer of notify passes).
  for (const kind of ['reminder', 'task_activity', 'member_added', 'digest', 'webhook_disabled']) {
    assert.match(renderMail(kind, { title: 'Just a title', body: 'And a body.' }, ctx).text, /And a body\./);
  }
  assert.throws(() => renderMail('digest', { title: 'x', date: 'yesterday' }, ctx), /mail data for digest: date/);
  assert.throws(
    () => renderMail('reminder', { title: 'x', url: 'https://evil.example' }, ctx),
    /url: must be an in-app path/,
  );
  assert.throws(() => renderMail('nope', { title: 'x' }, ctx), /unknown mail template/);
});

test('the capture server’s page lists caught mail and shows one with its headers, text and sandboxed HTML', async () => {
  const user = await newUser();
  await notify(user.id, 'reminder', 'page', 'Reminder: <b>bold</b> move', 'Body text.', '/app');
  await runWorker();
  const mail = mailsTo(capture, user.email)[0]!;
  const list = await (await fetch(capture.httpUrl)).text();
  assert.ok(list.includes(`<a href="/messages/${mail.id}">Reminder: &lt;b&gt;bold&lt;/b&gt; move</a>`));
  const detail = await fetch(`${capture.httpUrl}/messages/${mail.id}`);
  const text = await detail.text();
  assert.match(text, /<th scope="row">list-unsubscribe-post<\/th><td class="h">List-Unsubscribe=One-Click<\/td>/);
  assert.match(text, /<iframe title="HTML part of the email" sandbox src="\/messages\/[0-9a-f-]+\/html">/);
  assert.match(text, /Body text\./);
  const part = await fetch(`${capture.httpUrl}/messages/${mail.id}/html`);
  assert.match(part.headers.get('content-security-policy') ?? '', /^sandbox;/);
  const json = (await (await fetch(`${capture.httpUrl}/api/messages/${mail.id}`)).json()) as { subject: string };
  assert.equal(json.subject, 'Reminder: <b>bold</b> move');
});
