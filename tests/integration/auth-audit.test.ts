// Identity audit mapping (lib/auth/audit-plugin.ts): Better Auth's own endpoints, called
// over HTTP through the real gateway, each leave one account.audit row with actor,
// subject, IP, user agent, outcome and reason; and the log cannot be rewritten.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createEmailVerificationToken } from 'better-auth/api';
import { TOTP, URI } from 'otpauth';
import { superuserQuery } from '../support/db.ts';
import { postAuth, type AuthGateway, useAuthGateway } from '../support/auth-gateway.ts';
import { cookiesFrom, uniqueEmail } from '../support/gateway.ts';

const PASSWORD = 'correct horse battery staple';
const IP = '203.0.113.9';
const gateway = useAuthGateway();

type Row = {
  event: string;
  outcome: string;
  actor_id: string | null;
  subject_id: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  data: Record<string, unknown>;
};

async function eventsOf(userId: string): Promise<Row[]> {
  const { rows } = await superuserQuery<Row>(
    `select event, outcome, actor_id, subject_id, host(ip) as ip, user_agent, reason, data
     from account.audit where subject_id = $1 order by occurred_at, id`,
    [userId],
  );
  return rows;
}

async function newUser(g: AuthGateway) {
  const email = uniqueEmail('audit');
  const res = await postAuth(g, '/sign-up/email', { name: 'Audit', email, password: PASSWORD }, IP);
  assert.equal(res.status, 200, await res.clone().text());
  const { user } = (await res.json()) as { user: { id: string } };
  return { email, id: user.id, cookie: cookiesFrom(res) };
}

function has(rows: Row[], event: string, outcome: 'success' | 'failure', extra: Partial<Row> = {}) {
  const found = rows.find((r) => r.event === event && r.outcome === outcome);
  assert.ok(found, `${event}/${outcome} missing in ${rows.map((r) => `${r.event}/${r.outcome}`).join(', ')}`);
  for (const [k, v] of Object.entries(extra)) assert.deepEqual(found[k as keyof Row], v, `${event}.${k}`);
  return found;
}

describe('identity events are recorded', () => {
  test('sign-up, failed and successful sign-in, sign-out, with IP and user agent', async () => {
    const g = await gateway();
    const u = await newUser(g);
    const bad = await postAuth(g, '/sign-in/email', { email: u.email, password: 'wrong password 123' }, IP);
    assert.equal(bad.status, 401);
    const good = await postAuth(g, '/sign-in/email', { email: u.email, password: PASSWORD }, IP);
    assert.equal(good.status, 200);
    const out = await postAuth(g, '/sign-out', {}, IP, cookiesFrom(good));
    assert.equal(out.status, 200);
    const rows = await eventsOf(u.id);
    has(rows, 'auth.sign_up', 'success', { actor_id: u.id, ip: IP, user_agent: 'TaskMaster tests' });
    has(rows, 'auth.sign_in', 'failure', { actor_id: null, reason: 'invalid_email_or_password' });
    has(rows, 'auth.sign_in', 'success', { reason: null, data: { method: 'password' } });
    has(rows, 'auth.sign_out', 'success', { actor_id: u.id });
  });

  test('a failed sign-in for an unknown email is recorded without a subject', async () => {
    const g = await gateway();
    const email = uniqueEmail('unknown');
    await (
      await postAuth(g, '/sign-in/email', { email, password: 'wrong password 123' }, '203.0.113.10')
    ).arrayBuffer();
    const { rows } = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from account.audit where event = 'auth.sign_in' and outcome = 'failure'
         and subject_id is null and ip = '203.0.113.10' and occurred_at > now() - interval '1 minute'`,
    );
    assert.ok(rows[0]!.n >= 1);
  });

  test('password changed (and a refused change), password reset, email verified', async () => {
    const g = await gateway();
    const u = await newUser(g);
    const wrong = await postAuth(
      g,
      '/change-password',
      { currentPassword: 'not my password', newPassword: 'another good passphrase' },
      IP,
      u.cookie,
    );
    assert.equal(wrong.status, 400);
    const change = await postAuth(
      g,
      '/change-password',
      { currentPassword: PASSWORD, newPassword: 'another good passphrase' },
      IP,
      u.cookie,
    );
    assert.equal(change.status, 200, await change.clone().text());

    const ctx = await g.auth.$context;
    const token = randomBytes(16).toString('hex');
    await ctx.internalAdapter.createVerificationValue({
      identifier: `reset-password:${token}`,
      value: u.id,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const reset = await postAuth(g, '/reset-password', { token, newPassword: 'a third good passphrase' }, IP);
    assert.equal(reset.status, 200, await reset.clone().text());

    const jwt = await createEmailVerificationToken(ctx.secret, u.email);
    const verify = await fetch(`${g.url}/auth/verify-email?token=${jwt}`, {
      redirect: 'manual',
      headers: { 'user-agent': 'TaskMaster tests' },
    });
    assert.ok(verify.status < 400, `verify-email answered ${verify.status}`);

    const rows = await eventsOf(u.id);
    has(rows, 'password.changed', 'failure', { reason: 'invalid_password' });
    has(rows, 'password.changed', 'success', { actor_id: u.id });
    has(rows, 'password.reset', 'success', { subject_id: u.id });
    has(rows, 'email.verified', 'success', { subject_id: u.id });
  });

  test('MFA enabled, challenge failed and passed, disabled; other sessions revoked', async () => {
    const g = await gateway();
    const u = await newUser(g);
    const enable = await postAuth(g, '/two-factor/enable', { password: PASSWORD }, IP, u.cookie);
    assert.equal(enable.status, 200, await enable.clone().text());
    const { totpURI, backupCodes } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
    const totp = URI.parse(totpURI) as TOTP;
    const confirm = await postAuth(g, '/two-factor/verify-totp', { code: totp.generate() }, IP, u.cookie);
    assert.equal(confirm.status, 200, await confirm.clone().text());

    // A new sign-in now waits for the second factor.
    const signIn = await postAuth(g, '/sign-in/email', { email: u.email, password: PASSWORD }, IP);
    assert.equal(signIn.status, 200);
    const pending = cookiesFrom(signIn);
    const wrong = await postAuth(g, '/two-factor/verify-totp', { code: '000000' }, IP, pending);
    assert.equal(wrong.status, 401);
    const backup = await postAuth(g, '/two-factor/verify-backup-code', { code: backupCodes[0] }, IP, pending);
    assert.equal(backup.status, 200, await backup.clone().text());

    const revoke = await postAuth(g, '/revoke-other-sessions', {}, IP, cookiesFrom(backup));
    assert.equal(revoke.status, 200, await revoke.clone().text());
    const disable = await postAuth(g, '/two-factor/disable', { password: PASSWORD }, IP, cookiesFrom(backup));
    assert.equal(disable.status, 200, await disable.clone().text());

    const rows = await eventsOf(u.id);
    has(rows, 'mfa.enabled', 'success', { data: { method: 'totp' } });
    has(rows, 'auth.sign_in', 'success', { reason: 'second_factor_required' });
    has(rows, 'mfa.challenge', 'failure', { reason: 'invalid_code', data: { method: 'totp' } });
    has(rows, 'mfa.challenge', 'success', { data: { method: 'backup_code' } });
    // One row per session ended (lib/auth/sessions.ts), naming the session and why.
    has(rows, 'session.revoked', 'success', { reason: 'revoked_others' });
    has(rows, 'mfa.disabled', 'success');
  });

  test('magic-link sign-in', async () => {
    const g = await gateway();
    const u = await newUser(g);
    const res = await postAuth(g, '/sign-in/magic-link', { email: u.email }, IP);
    assert.equal(res.status, 200);
    const { rows: jobs } = await superuserQuery<{ url: string }>(
      `select j.payload->'data'->>'url' as url from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'auth__mail' and j.payload->>'to' = $1 and j.payload->>'template' = 'magic_link'`,
      [u.email],
    );
    // The mailed link opens the app's confirm page, which calls Better Auth's verify endpoint.
    const token = new URL(jobs[0]!.url).searchParams.get('token') ?? '';
    const verify = await fetch(`${g.url}/auth/magic-link/verify?token=${encodeURIComponent(token)}`, {
      redirect: 'manual',
      headers: { 'user-agent': 'TaskMaster tests' },
    });
    assert.ok(verify.status < 400, `magic-link verify answered ${verify.status}`);
    const rows = await eventsOf(u.id);
    has(rows, 'magic_link.requested', 'success');
    has(rows, 'auth.sign_in', 'success', { data: { method: 'magic_link' } });
  });
});

describe('account.audit is append-only', () => {
  test('UPDATE, DELETE and TRUNCATE are refused, even for the owner', async () => {
    const g = await gateway();
    const u = await newUser(g);
    for (const statement of [
      `update account.audit set reason = 'tampered' where subject_id = '${u.id}'`,
      `delete from account.audit where subject_id = '${u.id}'`,
      'truncate account.audit',
    ]) {
      await assert.rejects(superuserQuery(statement), /append-only/, statement);
    }
    assert.ok((await eventsOf(u.id)).length >= 1);
  });
});
