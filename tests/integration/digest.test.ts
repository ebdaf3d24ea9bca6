// The daily digest (workers/src/tasks/notifications__digest.ts) with an injected clock:
// at a given instant only the people in their own 07:00 hour get one, with their overdue
// and due-today open tasks; it arrives over SMTP; a second run queues nothing new; people
// with nothing due get nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { uniqueEmail } from '../support/gateway.ts';
import { mailsTo, startTestMailCapture, taskListSendingTo, type MailCapture } from '../support/mail.ts';

const logger = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;
let capture: MailCapture;
let worker: ReturnType<typeof taskListSendingTo>;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  capture = await startTestMailCapture();
  worker = taskListSendingTo(capture);
});
after(async () => {
  worker.close();
  await capture.close();
  await pool.end();
});

/** A digest run for the instant `now`, then whatever mail it queued. */
async function digestAt(now: string) {
  await pool.query(`select graphile_worker.add_job('notifications__digest', json_build_object('now', $1::text))`, [
    now,
  ]);
  await runOnce({ connectionString: testDatabaseUrl(), taskList: worker.taskList, logger });
}

/** A new person and their personal workspace (made by the sign-up trigger). */
async function person(prefix: string) {
  const email = uniqueEmail(prefix);
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ('Dee Gest', $1, true) returning id`,
    [email],
  );
  const id = rows[0]!.id;
  const ws = await pool.query<{ id: string }>(
    `select id from public.workspaces where created_by = $1 and kind = 'personal'`,
    [id],
  );
  return { id, email, workspace: ws.rows[0]!.id };
}

/** A person opted in to the digest email, in `zone` (null: never chose one = UTC). */
async function subscriber(zone: string | null) {
  const p = await person('digest');
  if (zone) await pool.query(`insert into account.user_settings (user_id, time_zone) values ($1, $2)`, [p.id, zone]);
  await pool.query(
    `insert into account.notification_preferences (user_id, kind, channel, enabled) values ($1, 'digest', 'email', true)`,
    [p.id],
  );
  return p;
}

async function addTask(workspace: string, title: string, due: string | null, extra: Record<string, unknown> = {}) {
  await pool.query(
    `insert into public.tasks (workspace_id, title, due_date, due_time, due_tz, status)
     values ($1, $2, $3::date, $4::time, $5, $6)`,
    [workspace, title, due, extra.due_time ?? null, extra.due_tz ?? null, extra.status ?? 'open'],
  );
}

async function digests(userId: string) {
  const { rows } = await pool.query<{
    dedupe_key: string;
    data: { title: string; today_count: number; overdue_count: number };
  }>(`select dedupe_key, data from private.outgoing_mail where user_id = $1 and kind = 'digest' order by created_at`, [
    userId,
  ]);
  return rows;
}

test('at 06:30 UTC in November Berlin is in its 07:00 hour and New York is not; later New York is', async () => {
  const berlin = await subscriber('Europe/Berlin');
  const newYork = await subscriber('America/New_York');
  for (const person of [berlin, newYork]) {
    await addTask(person.workspace, 'Pay rent', '2026-11-23');
    await addTask(person.workspace, 'Renew passport', '2026-11-20');
    await addTask(person.workspace, 'Done already', '2026-11-23', { status: 'completed' });
    await addTask(person.workspace, 'Next week', '2026-11-30');
    await addTask(person.workspace, 'Someday', null);
  }
  await addTask(berlin.workspace, 'Dentist', '2026-11-23', { due_time: '14:30', due_tz: 'Europe/Berlin' });

  await digestAt('2026-11-23T06:30:00Z'); // 07:30 in Berlin (CET), 01:30 in New York
  assert.deepEqual(
    (await digests(berlin.id)).map((d) => d.dedupe_key),
    [`digest:${berlin.id}:2026-11-23`],
  );
  assert.deepEqual(await digests(newYork.id), [], 'not yet 07:00 in New York');

  const [mail, ...more] = mailsTo(capture, berlin.email);
  assert.equal(more.length, 0);
  assert.equal(mail!.subject, 'Your day: 2 tasks due today, 1 overdue');
  assert.match(mail!.text, /Overdue \(1\)\n- Renew passport — was due Fri 20 Nov \(Personal\)/);
  assert.match(
    mail!.text,
    /Due today \(2\)\n- Pay rent — due today \(Personal\)\n- Dentist — due at 14:30 \(Personal\)|Due today \(2\)\n- Dentist — due at 14:30 \(Personal\)\n- Pay rent — due today \(Personal\)/,
  );
  assert.doesNotMatch(mail!.text, /Done already|Next week|Someday/);
  assert.equal(mail!.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');

  await digestAt('2026-11-23T06:45:00Z'); // the same hour again: a retry or a backfill
  assert.equal((await digests(berlin.id)).length, 1, 'one digest per person and local day');
  assert.equal(mailsTo(capture, berlin.email).length, 1);

  await digestAt('2026-11-23T12:00:00Z'); // 07:00 in New York (EST)
  assert.deepEqual(
    (await digests(newYork.id)).map((d) => [d.dedupe_key, d.data.title]),
    [[`digest:${newYork.id}:2026-11-23`, 'Your day: 1 task due today, 1 overdue']],
  );
  assert.equal((await digests(berlin.id)).length, 1, 'Berlin is at 13:00: nothing more');
});

test('the zone defaults to UTC; nobody gets an empty digest; people who did not opt in get none', async () => {
  const utc = await subscriber(null);
  const idle = await subscriber(null);
  const notOptedIn = await person('nodigest');
  await addTask(utc.workspace, 'Water plants', '2027-03-01');
  await addTask(notOptedIn.workspace, 'Water plants', '2027-03-01');
  await addTask(idle.workspace, 'Far away', '2027-04-01');

  await digestAt('2027-03-01T07:10:00Z');
  assert.deepEqual(
    (await digests(utc.id)).map((d) => d.data.title),
    ['Your day: 1 task due today'],
  );
  assert.deepEqual(await digests(idle.id), [], 'nothing overdue or due today: no digest');
  assert.deepEqual(await digests(notOptedIn.id), [], 'the digest is opt-in');
});
