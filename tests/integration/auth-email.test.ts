// The identity email flows over HTTP against the real gateway, with every email sent by
// the real worker task (auth__mail) over SMTP to a capture server of this test's own:
// verification on sign-up, password reset, change password, magic-link sign-in, and the
// rule that an unverified person cannot add workspace members. Expiry is simulated by
// moving expires_at in the database (or signing an already-expired token), never by waiting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runOnce, type TaskList } from 'graphile-worker';
import { SignJWT } from 'jose';
import pg from 'pg';
import pino from 'pino';
import { config } from '../../lib/config.ts';
import { renderAuthMail } from '../../lib/mail/auth-templates.ts';
import { createMailTransport, type MailTransport } from '../../lib/mail/transport.ts';
import { closeServices } from '../../lib/services.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { createAuthMailSend } from '../../workers/src/tasks/auth__mail.ts';
import { testDatabaseUrl } from '../support/db.ts';
import { cookiesFrom, signUp, startGateway, uniqueEmail, type TestGateway } from '../support/gateway.ts';
import { jobsSettled } from '../support/jobs.ts';
import { mailsTo, startTestMailCapture, type MailCapture } from '../support/mail.ts';

const PASSWORD = 'correct horse battery staple';
const logger = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;
let capture: MailCapture;
let transport: MailTransport;
let tasks: TaskList;
let gw: TestGateway;

before(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
  capture = await startTestMailCapture();
  transport = createMailTransport(capture.smtpUrl);
  tasks = { ...taskList, auth__mail: createAuthMailSend({ transport: () => transport }) };
  gw = await startGateway();
});
after(async () => {
  transport.close();
  await gw.close();
  await capture.close();
  await pool.end();
  await closeServices();
});

async function deliver(): Promise<void> {
  await runOnce({ connectionString: testDatabaseUrl(), taskList: tasks, logger });
  await jobsSettled(pool, { task: 'auth__mail' });
}

/** The token of the newest email to `email` whose link opens `page`. */
async function tokenFromMail(email: string, page: string): Promise<string> {
  await deliver();
  const mails = mailsTo(capture, email);
  const mail = mails.at(-1);
  assert.ok(mail, `an email reached ${email}`);
  const match = new RegExp(`${config().PUBLIC_URL}${page}\\?token=([^\\s"&<]+)`).exec(mail.text);
  assert.ok(match, `the email links to ${page}: ${mail.text}`);
  return decodeURIComponent(match[1]!);
}

function post(path: string, body: unknown, cookie = '') {
  return fetch(`${gw.url}/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: gw.url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
}

function get(path: string, cookie = '') {
  return fetch(`${gw.url}/auth${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

async function sessionOf(cookie: string): Promise<{ user: { email: string; emailVerified: boolean } } | null> {
  const res = await get('/get-session', cookie);
  assert.equal(res.status, 200);
  return (await res.json()) as { user: { email: string; emailVerified: boolean } } | null;
}

async function newAccount(prefix: string) {
  const email = uniqueEmail(prefix);
  const res = await signUp(gw.url, email, PASSWORD, 'Ada Example');
  assert.equal(res.status, 200, await res.clone().text());
  return { email, cookie: cookiesFrom(res) };
}

async function signIn(email: string, password = PASSWORD) {
  const res = await post('/sign-in/email', { email, password });
  return { res, cookie: cookiesFrom(res) };
}

async function isVerified(email: string): Promise<boolean> {
  const { rows } = await pool.query<{ v: boolean }>('select email_verified as v from identity.users where email = $1', [
    email,
  ]);
  return rows[0]!.v;
}

describe('email verification', () => {
  test('sign-up mails a link to /verify-email; it verifies, signs in, and works once', async () => {
    const { email } = await newAccount('verify');
    assert.equal(await isVerified(email), false, 'unverified people can sign in, but are not verified yet');
    const token = await tokenFromMail(email, '/verify-email');
    const mail = mailsTo(capture, email).at(-1)!;
    assert.equal(mail.subject, 'Confirm your email address');
    assert.equal(mail.headers['list-unsubscribe'], undefined, 'transactional: no unsubscribe');
    assert.match(mail.text, /If you did not create an account, ignore this email/);
    assert.match(mail.text, /24 hours/);

    const first = await get(`/verify-email?token=${encodeURIComponent(token)}`);
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal(await isVerified(email), true);
    const session = await sessionOf(cookiesFrom(first));
    assert.equal(session?.user.email, email, 'the link signs the person in (autoSignInAfterVerification)');

    const again = await get(`/verify-email?token=${encodeURIComponent(token)}`);
    assert.equal(again.status, 400);
    const body = (await again.json()) as { code: string };
    assert.equal(body.code, 'EMAIL_LINK_ALREADY_USED');
    assert.equal(cookiesFrom(again), '', 'a reused link signs nobody in');
  });

  test('an expired link is refused and verifies nothing', async () => {
    const { email } = await newAccount('verify-expired');
    const expired = await new SignJWT({ email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 2 * 86_400)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 86_400)
      .sign(new TextEncoder().encode(config().BETTER_AUTH_SECRET));
    const res = await get(`/verify-email?token=${encodeURIComponent(expired)}`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'TOKEN_EXPIRED');
    assert.equal(await isVerified(email), false);
  });

  test('a tampered or garbage token is refused', async () => {
    const res = await get('/verify-email?token=not-a-token');
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'INVALID_TOKEN');
  });

  test('the link is valid for 24 hours', async () => {
    const { email } = await newAccount('verify-ttl');
    const token = await tokenFromMail(email, '/verify-email');
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    assert.equal(payload.exp - payload.iat, 24 * 60 * 60);
  });
});

describe('password reset', () => {
  test('same answer for known and unknown addresses; only the known one gets an email', async () => {
    const { email } = await newAccount('reset-enum');
    const unknown = uniqueEmail('nobody');
    const a = await post('/request-password-reset', { email });
    const b = await post('/request-password-reset', { email: unknown });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(await a.json(), await b.json());
    await deliver();
    assert.equal(mailsTo(capture, unknown).length, 0);
    assert.ok(mailsTo(capture, email).some((m) => m.subject === 'Reset your TaskMaster password'));
  });

  test('the link resets the password once, signs out every session, and the new password works', async () => {
    const { email, cookie: first } = await newAccount('reset');
    const { cookie: second } = await signIn(email);
    assert.ok(await sessionOf(second));
    await post('/request-password-reset', { email });
    const token = await tokenFromMail(email, '/reset-password');
    const mail = mailsTo(capture, email).at(-1)!;
    assert.match(mail.text, /30 minutes/);
    assert.match(mail.text, /If it was not you, ignore this email/);

    const newPassword = 'a brand new passphrase';
    const res = await post('/reset-password', { token, newPassword });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await sessionOf(first), null, 'the first session is gone');
    assert.equal(await sessionOf(second), null, 'the second session is gone');

    const reused = await post('/reset-password', { token, newPassword: 'yet another passphrase' });
    assert.equal(reused.status, 400);
    assert.equal(((await reused.json()) as { code: string }).code, 'INVALID_TOKEN');

    assert.equal((await signIn(email)).res.status, 401, 'the old password no longer works');
    assert.equal((await signIn(email, newPassword)).res.status, 200, 'the new one does (not the reused attempt)');
  });

  test('a link older than 30 minutes is refused and changes nothing', async () => {
    const { email } = await newAccount('reset-expired');
    await post('/request-password-reset', { email });
    const token = await tokenFromMail(email, '/reset-password');
    const { rows } = await pool.query<{ minutes: number }>(
      `select round(extract(epoch from expires_at - created_at) / 60)::int as minutes
       from identity.verifications where identifier = $1`,
      [`reset-password:${token}`],
    );
    assert.equal(rows[0]?.minutes, 30, 'stored with a 30-minute lifetime');
    await pool.query(
      `update identity.verifications set expires_at = now() - interval '1 second' where identifier = $1`,
      [`reset-password:${token}`],
    );
    const res = await post('/reset-password', { token, newPassword: 'too late for this one' });
    assert.equal(res.status, 400);
    assert.equal((await signIn(email)).res.status, 200, 'the password is unchanged');
  });

  test('bad input is a 4xx with a message, never a 500, and changes nothing', async () => {
    const { email } = await newAccount('reset-bad');
    const malformed = await post('/request-password-reset', { email: 'not an email' });
    assert.equal(malformed.status, 400);
    assert.ok(((await malformed.json()) as { message: string }).message);

    await post('/request-password-reset', { email });
    const token = await tokenFromMail(email, '/reset-password');
    const huge = await post('/reset-password', { token, newPassword: 'x'.repeat(10 * 1024) });
    assert.equal(huge.status, 400);
    assert.equal(((await huge.json()) as { code: string }).code, 'PASSWORD_TOO_LONG');
    assert.equal((await signIn(email)).res.status, 200, 'the password is unchanged');

    const hugeSignUp = await signUp(gw.url, uniqueEmail('huge'), 'x'.repeat(10 * 1024));
    assert.equal(hugeSignUp.status, 400);
  });
});

describe('change password while signed in', () => {
  test('revokes every other session and keeps this one', async () => {
    const { email, cookie: here } = await newAccount('change-pw');
    const { cookie: elsewhere } = await signIn(email);
    const res = await post(
      '/change-password',
      { currentPassword: PASSWORD, newPassword: 'changed passphrase here', revokeOtherSessions: true },
      here,
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await sessionOf(elsewhere), null, 'the other session is gone');
    assert.equal((await sessionOf(cookiesFrom(res)))?.user.email, email, 'this browser stays signed in');
  });

  test('a wrong current password changes nothing', async () => {
    const { email, cookie } = await newAccount('change-pw-wrong');
    const res = await post(
      '/change-password',
      { currentPassword: 'not the password', newPassword: 'changed passphrase here', revokeOtherSessions: true },
      cookie,
    );
    assert.equal(res.status, 400);
    assert.equal((await signIn(email)).res.status, 200);
  });
});

describe('change email', () => {
  test('the new address gets a link; the email changes only when it is used, once', async () => {
    const { email, cookie } = await newAccount('change-email');
    const newEmail = uniqueEmail('changed');
    const res = await post('/change-email', { newEmail }, cookie);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await sessionOf(cookie))?.user.email, email, 'unchanged until the link is used');
    const token = await tokenFromMail(newEmail, '/verify-email');
    assert.equal(mailsTo(capture, newEmail).at(-1)!.subject, 'Confirm your new email address');
    const used = await get(`/verify-email?token=${encodeURIComponent(token)}`, cookie);
    assert.equal(used.status, 200, await used.clone().text());
    const { rows } = await pool.query<{ email: string; email_verified: boolean }>(
      'select email, email_verified from identity.users where email = $1',
      [newEmail],
    );
    assert.deepEqual(rows[0], { email: newEmail, email_verified: true });
    const again = await get(`/verify-email?token=${encodeURIComponent(token)}`, cookie);
    assert.equal(again.status, 400);
  });
});

describe('magic link', () => {
  test('same answer for unknown addresses, which get no email', async () => {
    const { email } = await newAccount('magic-enum');
    const unknown = uniqueEmail('magic-nobody');
    const a = await post('/sign-in/magic-link', { email });
    const b = await post('/sign-in/magic-link', { email: unknown });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(await a.json(), await b.json());
    await deliver();
    assert.equal(mailsTo(capture, unknown).length, 0);
  });

  test('the link signs in once, is stored hashed, and lives 15 minutes', async () => {
    const { email } = await newAccount('magic');
    await post('/sign-in/magic-link', { email });
    const token = await tokenFromMail(email, '/sign-in/magic-link/verify');
    const { rows } = await pool.query<{ identifier: string; minutes: number }>(
      `select identifier, round(extract(epoch from expires_at - created_at) / 60)::int as minutes
       from identity.verifications where (case when value like '{%' then value::jsonb ->> 'email' end) = $1`,
      [email],
    );
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.identifier, token, 'the token is stored hashed');
    assert.equal(rows[0]!.minutes, 15);

    const first = await get(`/magic-link/verify?token=${encodeURIComponent(token)}`);
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal((await sessionOf(cookiesFrom(first)))?.user.email, email);

    const again = await get(`/magic-link/verify?token=${encodeURIComponent(token)}`);
    assert.equal(again.status, 302);
    assert.match(again.headers.get('location') ?? '', /error=INVALID_TOKEN/);
    assert.equal(cookiesFrom(again), '', 'a reused link signs nobody in');
  });

  test('an expired link signs nobody in', async () => {
    const { email } = await newAccount('magic-expired');
    await post('/sign-in/magic-link', { email });
    const token = await tokenFromMail(email, '/sign-in/magic-link/verify');
    await pool.query(
      `update identity.verifications set expires_at = now() - interval '1 second' where (case when value like '{%' then value::jsonb ->> 'email' end) = $1`,
      [email],
    );
    const res = await get(`/magic-link/verify?token=${encodeURIComponent(token)}`);
    assert.equal(res.status, 302);
    assert.match(res.headers.get('location') ?? '', /error=INVALID_TOKEN/);
    assert.equal(cookiesFrom(res), '');
  });

  test('a malformed address is a 400 with a message', async () => {
    const res = await post('/sign-in/magic-link', { email: 'nope@' });
    assert.equal(res.status, 400);
    assert.ok(((await res.json()) as { message: string }).message);
  });
});

describe('unverified people cannot add workspace members', () => {
  // Raw inserts are not granted yet (invitations arrive in Phase 2): grant one and add an
  // allow-all permissive policy inside a rolled-back transaction, as Phase 2 will.
  async function tryInsert(email: string): Promise<string | null> {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string; ws: string }>(
        `select u.id, w.id as ws from identity.users u join public.workspaces w on w.created_by = u.id
         where u.email = $1 and w.kind = 'personal'`,
        [email],
      );
      const other = await newAccount('invitee');
      const { rows: invitee } = await client.query<{ id: string }>('select id from identity.users where email = $1', [
        other.email,
      ]);
      await client.query('grant insert on public.workspace_members to authenticated');
      await client.query(
        'create policy phase2_invite on public.workspace_members for insert to authenticated with check (true)',
      );
      await client.query(
        `select set_config('role', 'authenticated', true),
        set_config('request.jwt.claims', json_build_object('sub', $1::text, 'role', 'authenticated')::text, true),
        set_config('request.jwt.claim.sub', $1::text, true)`,
        [rows[0]!.id],
      );
      await client.query(
        `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`,
        [rows[0]!.ws, invitee[0]!.id],
      );
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.query('rollback');
      await client.end();
    }
  }

  test('refused by RLS until the email is verified', async () => {
    const { email } = await newAccount('rls-unverified');
    assert.match((await tryInsert(email)) ?? 'allowed', /insert_requires_verified_email/);
    const token = await tokenFromMail(email, '/verify-email');
    assert.equal((await get(`/verify-email?token=${encodeURIComponent(token)}`)).status, 200);
    assert.equal(await tryInsert(email), null);
  });
});

describe('identity email templates', () => {
  const ctx = { publicUrl: 'https://tasks.example.com' };
  test('escape what they are given and say what to do if it was not you', () => {
    const mail = renderAuthMail(
      'verify_email',
      { url: 'https://tasks.example.com/verify-email?token=a', name: '<b>Eve</b>' },
      ctx,
    );
    assert.ok(!mail.html.includes('<b>Eve</b>'));
    assert.ok(mail.html.includes('&lt;b&gt;Eve&lt;/b&gt;'));
    assert.ok(!/unsubscribe/i.test(mail.html + mail.text));
  });
  test('refuse links to another site', () => {
    assert.throws(
      () => renderAuthMail('magic_link', { url: 'https://evil.example/verify?token=a' }, ctx),
      /url: must be a link to this site/,
    );
  });
  test('the worker task refuses a malformed job, naming the field, and sends nothing', async () => {
    const sent: unknown[] = [];
    const task = createAuthMailSend({
      transport: () => ({
        send: async (message) => {
          sent.push(message);
          return { messageId: message.messageId, accepted: [message.to] };
        },
        close: () => undefined,
      }),
    });
    const helpers = { job: { id: '1' }, logger: { info: () => undefined } } as unknown as Parameters<typeof task>[1];
    await assert.rejects(
      async () => task({ template: 'nope', to: 'a@example.com', data: {} }, helpers),
      /auth__mail payload: template/,
    );
    await assert.rejects(async () => task({ template: 'magic_link', to: 'not-an-address', data: {} }, helpers), /to/);
    await assert.rejects(
      async () =>
        task({ template: 'magic_link', to: 'a@example.com', data: { url: 'https://evil.example/x' } }, helpers),
      /must be a link to this site/,
    );
    assert.equal(sent.length, 0);
  });

  test('the lockout email says until when, and from where', () => {
    const mail = renderAuthMail('lockout', { until: '2026-11-24T10:15:00Z', ip: '203.0.113.9' }, ctx);
    assert.match(mail.text, /until 24 Nov, 10:15 UTC/);
    assert.match(mail.text, /203\.0\.113\.9/);
    assert.match(mail.text, /reset it when the lock ends/);
  });
});
