// MFA over HTTP against the real gateway: TOTP enrolment, the sign-in challenge, wrong and
// replayed codes, hashed single-use backup codes, step-up, aal2 in the access token and in
// create_api_key, and account deletion with its effects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import { decodeJwt } from 'jose';
import * as OTPAuth from 'otpauth';
import pino from 'pino';
import { services } from '../../lib/services.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { superuserQuery, testDatabaseUrl } from '../support/db.ts';
import { accessToken, cookiesFrom, signedUp, signUp, uniqueEmail, useGateway } from '../support/gateway.ts';

const PASSWORD = 'correct horse battery staple';
const gw = useGateway();

function post(path: string, body: unknown, cookie?: string) {
  return fetch(`${gw.url}/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: gw.url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** Cookie jar: the latest value of each cookie. */
function merge(cookie: string, res: Response): string {
  const jar = new Map(
    cookie
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c] as const),
  );
  for (const set of res.headers.getSetCookie()) {
    const pair = set.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (/max-age=0/i.test(set) || pair.endsWith('=')) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
}

async function userId(email: string): Promise<string> {
  const { rows } = await superuserQuery<{ id: string }>(`select id from identity.users where email = $1`, [email]);
  return rows[0]!.id;
}

/** The id of the person's personal workspace. */
async function personalWorkspace(id: string): Promise<string> {
  const { rows } = await superuserQuery<{ id: string }>(
    `select id from public.workspaces where created_by = $1 and kind = 'personal'`,
    [id],
  );
  return rows[0]!.id;
}

/** A new verified person with TOTP enrolled; returns the TOTP generator and backup codes. */
async function enrolled(prefix: string) {
  const { email, userId: id, cookie: signUpCookie } = await signedUp(gw.url, prefix);
  let cookie = signUpCookie;
  await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
  const enable = await post('/two-factor/enable', { password: PASSWORD }, cookie);
  assert.equal(enable.status, 200, await enable.clone().text());
  const { totpURI, backupCodes } = (await enable.json()) as { totpURI: string; backupCodes: string[] };
  const totp = OTPAuth.URI.parse(totpURI) as OTPAuth.TOTP;
  cookie = merge(cookie, enable);
  const verify = await post('/two-factor/verify-totp', { code: totp.generate() }, cookie);
  assert.equal(verify.status, 200, await verify.clone().text());
  cookie = merge(cookie, verify);
  return { email, id, totp, backupCodes, cookie };
}

/** Lets the next TOTP code count as new (as if 30 seconds had passed). */
async function nextPeriod(id: string) {
  await superuserQuery(`delete from private.totp_steps where user_id = $1`, [id]);
}

async function signInChallenge(email: string): Promise<string> {
  const res = await post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(((await res.json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect, true);
  const cookie = cookiesFrom(res);
  assert.match(cookie, /two_factor=/);
  assert.doesNotMatch(cookie, /session_token=[^;]/);
  return cookie;
}

async function sessionRow(cookie: string) {
  const res = await fetch(`${gw.url}/auth/get-session`, { headers: { cookie } });
  const body = (await res.json()) as { session: { id: string } } | null;
  if (!body) return null;
  const { rows } = await superuserQuery<{ aal: string; second_factor_at: Date | null }>(
    `select aal, second_factor_at from identity.sessions where id = $1`,
    [body.session.id],
  );
  return { id: body.session.id, ...rows[0]! };
}

async function makeStale(cookie: string, column: 'second_factor_at' | 'created_at') {
  const s = await sessionRow(cookie);
  await superuserQuery(`update identity.sessions set ${column} = now() - interval '11 minutes' where id = $1`, [s!.id]);
}

async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { code?: string }).code;
}

describe('TOTP enrolment', () => {
  test('enables two-factor, stores backup codes only as hashes, and leaves an aal2 session', async () => {
    const { id, backupCodes, cookie } = await enrolled('enrol');
    const { rows } = await superuserQuery<{ backup_codes: string; enabled: boolean; verified: boolean }>(
      `select t.backup_codes, u.two_factor_enabled as enabled, t.verified
       from identity.two_factors t join identity.users u on u.id = t.user_id where t.user_id = $1`,
      [id],
    );
    assert.equal(rows[0]!.enabled, true);
    assert.equal(rows[0]!.verified, true);
    const stored = JSON.parse(rows[0]!.backup_codes) as string[];
    assert.equal(backupCodes.length, 10);
    assert.equal(stored.length, 10);
    for (const h of stored) assert.match(h, /^h1:[0-9a-f]{64}$/);
    for (const code of backupCodes) assert.ok(!rows[0]!.backup_codes.includes(code), 'a plaintext code is stored');
    const s = await sessionRow(cookie);
    assert.equal(s!.aal, 'aal2');
    assert.ok(s!.second_factor_at);
  });

  test('stored backup codes cannot be viewed: only hashes exist', async () => {
    const { id } = await enrolled('enrol-view');
    await assert.rejects(
      () => services().auth.api.viewBackupCodes({ body: { userId: id } }),
      (error: { body?: { code?: string } }) => error.body?.code === 'BACKUP_CODES_NOT_VIEWABLE',
    );
  });

  test('a wrong code does not finish enrolment', async () => {
    const { email, cookie } = await signedUp(gw.url, 'enrol-wrong');
    const enable = await post('/two-factor/enable', { password: PASSWORD }, cookie);
    assert.equal(enable.status, 200);
    const verify = await post('/two-factor/verify-totp', { code: '000000' }, merge(cookie, enable));
    assert.equal(verify.status, 401);
    const { rows } = await superuserQuery<{ enabled: boolean }>(
      `select two_factor_enabled as enabled from identity.users where email = $1`,
      [email],
    );
    assert.equal(rows[0]!.enabled, false);
  });
});

describe('sign-in challenge', () => {
  test('password alone gives no session; a TOTP code gives an aal2 session and an aal2 token', async () => {
    const { email, id, totp } = await enrolled('challenge');
    await nextPeriod(id);
    const pending = await signInChallenge(email);
    const wrong = await post(
      '/two-factor/verify-totp',
      { code: '123456' === totp.generate() ? '654321' : '123456' },
      pending,
    );
    assert.equal(wrong.status, 401);
    const ok = await post('/two-factor/verify-totp', { code: totp.generate() }, pending);
    assert.equal(ok.status, 200, await ok.clone().text());
    const cookie = merge(pending, ok);
    assert.equal((await sessionRow(cookie))!.aal, 'aal2');
    const claims = decodeJwt(await accessToken(gw.url, cookie));
    assert.equal(claims.aal, 'aal2');
  });

  test('a replayed TOTP code is refused, even in a new sign-in', async () => {
    const { email, id, totp } = await enrolled('replay');
    await nextPeriod(id);
    const code = totp.generate();
    const first = await post('/two-factor/verify-totp', { code }, await signInChallenge(email));
    assert.equal(first.status, 200, await first.clone().text());
    const again = await post('/two-factor/verify-totp', { code }, await signInChallenge(email));
    assert.equal(again.status, 401);
    assert.equal(await errorCode(again), 'TOTP_CODE_REUSED');
  });

  test('a backup code signs in once (aal2), then never again', async () => {
    const { email, backupCodes } = await enrolled('backup');
    const code = backupCodes[0]!;
    const ok = await post('/two-factor/verify-backup-code', { code }, await signInChallenge(email));
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal((await sessionRow(merge('', ok)))!.aal, 'aal2');
    const reused = await post('/two-factor/verify-backup-code', { code }, await signInChallenge(email));
    assert.equal(reused.status, 401);
    const { rows } = await superuserQuery<{ backup_codes: string }>(
      `select backup_codes from identity.two_factors t join identity.users u on u.id = t.user_id where u.email = $1`,
      [email],
    );
    assert.equal((JSON.parse(rows[0]!.backup_codes) as string[]).length, 9);
  });

  test('submitting a stored hash as a backup code does not work', async () => {
    const { email, id } = await enrolled('backup-hash');
    const { rows } = await superuserQuery<{ backup_codes: string }>(
      `select backup_codes from identity.two_factors where user_id = $1`,
      [id],
    );
    const hash = (JSON.parse(rows[0]!.backup_codes) as string[])[0]!;
    const res = await post('/two-factor/verify-backup-code', { code: hash }, await signInChallenge(email));
    assert.equal(res.status, 401);
  });
});

describe('step-up', () => {
  test('a stale second factor refuses change-password; a TOTP step-up makes it fresh', async () => {
    const { id, totp, cookie } = await enrolled('stepup');
    await makeStale(cookie, 'second_factor_at');
    const body = { currentPassword: PASSWORD, newPassword: 'another long passphrase', revokeOtherSessions: false };
    const refused = await post('/change-password', body, cookie);
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), 'FRESH_SECOND_FACTOR_REQUIRED');
    await nextPeriod(id);
    const step = await post('/two-factor/verify-totp', { code: totp.generate() }, cookie);
    assert.equal(step.status, 200, await step.clone().text());
    const fresh = await sessionRow(cookie);
    assert.ok(Date.now() - new Date(fresh!.second_factor_at!).getTime() < 60_000);
    const allowed = await post('/change-password', body, merge(cookie, step));
    assert.equal(allowed.status, 200, await allowed.clone().text());
  });

  test('wrong step-up codes count toward the lockout: after ten, even a right code is refused', async () => {
    const { id, totp, cookie } = await enrolled('stepup-lock');
    const wrong = totp.generate() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 10; i += 1) {
      const res = await post('/two-factor/verify-totp', { code: wrong }, cookie);
      assert.equal(res.status, 401);
    }
    await nextPeriod(id);
    const locked = await post('/two-factor/verify-totp', { code: totp.generate() }, cookie);
    assert.equal(locked.status, 429);
    assert.equal(await errorCode(locked), 'ACCOUNT_TEMPORARILY_LOCKED');
    const backup = await post('/two-factor/verify-backup-code', { code: 'abcde-12345' }, cookie);
    assert.equal(backup.status, 429);
  });

  test('a right step-up code resets the failure count', async () => {
    const { id, totp, cookie } = await enrolled('stepup-reset');
    const wrong = totp.generate() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i += 1) await post('/two-factor/verify-totp', { code: wrong }, cookie);
    await nextPeriod(id);
    const ok = await post('/two-factor/verify-totp', { code: totp.generate() }, cookie);
    assert.equal(ok.status, 200, await ok.clone().text());
    const { rows } = await superuserQuery<{ n: number }>(
      `select failed_verification_count as n from identity.two_factors where user_id = $1`,
      [id],
    );
    assert.equal(rows[0]!.n, 0);
  });

  test('disabling two-factor needs a fresh second factor too', async () => {
    const { cookie } = await enrolled('stepup-disable');
    await makeStale(cookie, 'second_factor_at');
    const refused = await post('/two-factor/disable', { password: PASSWORD }, cookie);
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), 'FRESH_SECOND_FACTOR_REQUIRED');
  });

  test('without a second factor: an old session needs the password, a recent sign-in is enough', async () => {
    const { email, cookie } = await signedUp(gw.url, 'stepup-none');
    await makeStale(cookie, 'created_at');
    const refused = await post('/delete-user', {}, cookie);
    assert.equal(refused.status, 403);
    assert.equal(await errorCode(refused), 'FRESH_SECOND_FACTOR_REQUIRED');
    const signIn = await post('/sign-in/email', { email, password: PASSWORD });
    const recent = await post('/delete-user', {}, cookiesFrom(signIn));
    assert.equal(recent.status, 200, await recent.clone().text());
  });
});

describe('create_api_key and aal', () => {
  async function createKey(token: string, workspaceId: string) {
    return fetch(`${gw.url}/rest/v1/rpc/create_api_key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ workspace_id: workspaceId, name: 'ci' }),
    });
  }
  test('refuses an unverified email', async () => {
    const { userId: id, cookie } = await signedUp(gw.url, 'key-unverified');
    const res = await createKey(await accessToken(gw.url, cookie), await personalWorkspace(id));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Verify your email address/);
  });

  test('refuses aal1 when a second factor is enrolled, accepts aal2', async () => {
    const { id, cookie } = await enrolled('key-aal');
    const workspace = await personalWorkspace(id);
    const s = await sessionRow(cookie);
    await superuserQuery(`update identity.sessions set aal = 'aal1' where id = $1`, [s!.id]);
    const aal1 = await accessToken(gw.url, cookie);
    assert.equal(decodeJwt(aal1).aal, 'aal1');
    const refused = await createKey(aal1, workspace);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /Confirm your second factor/);
    await superuserQuery(`update identity.sessions set aal = 'aal2' where id = $1`, [s!.id]);
    const created = await createKey(await accessToken(gw.url, cookie), workspace);
    assert.equal(created.status, 200, await created.clone().text());
    const { rows } = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from public.api_keys where workspace_id = $1`,
      [workspace],
    );
    assert.equal(rows[0]!.n, 1);
  });

  test('a verified person without a second factor creates keys at aal1', async () => {
    const { email, userId: id, cookie } = await signedUp(gw.url, 'key-plain');
    await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
    const res = await createKey(await accessToken(gw.url, cookie), await personalWorkspace(id));
    assert.equal(res.status, 200, await res.clone().text());
  });
});

describe('account deletion', () => {
  const logger = workerLogger(pino({ level: 'silent' }));

  test('removes the identity and its sessions, schedules the personal workspace, audits it', async () => {
    const { id, cookie } = await enrolled('delete');
    const workspace = await personalWorkspace(id);
    const res = await post('/delete-user', { password: PASSWORD }, cookie);
    assert.equal(res.status, 200, await res.clone().text());

    const { rows } = await superuserQuery<{ users: number; sessions: number; factors: number }>(
      `select (select count(*) from identity.users where id = $1)::int as users,
              (select count(*) from identity.sessions where user_id = $1)::int as sessions,
              (select count(*) from identity.two_factors where user_id = $1)::int as factors`,
      [id],
    );
    assert.deepEqual(rows[0], { users: 0, sessions: 0, factors: 0 });
    assert.equal(
      (await fetch(`${gw.url}/auth/get-session`, { headers: { cookie } }).then((r) => r.json())) ?? null,
      null,
    );

    const { rows: requests } = await superuserQuery<{ id: string; days: number }>(
      `select id, round(extract(epoch from run_at - requested_at) / 86400)::int as days
       from private.erasure_requests where workspace_id = $1`,
      [workspace],
    );
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.days, 30);
    const { rows: jobs } = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'workspaces__erase' and j.payload->>'request_id' = $1
         and j.run_at > now() + interval '29 days'`,
      [requests[0]!.id],
    );
    assert.equal(jobs[0]!.n, 1);
    const { rows: audit } = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from account.audit where event = 'account.deleted' and subject_id = $1 and outcome = 'success'`,
      [id],
    );
    assert.equal(audit[0]!.n, 1);

    // Thirty days later (the job's run_at moved to now): the workspace is erased.
    await superuserQuery(`update graphile_worker._private_jobs set run_at = now() where payload->>'request_id' = $1`, [
      requests[0]!.id,
    ]);
    await runOnce({ connectionString: testDatabaseUrl(), taskList, logger });
    const { rows: left } = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from public.workspaces where id = $1`,
      [workspace],
    );
    assert.equal(left[0]!.n, 0);
  });

  test('a scheduled workspace someone joined since is not erased', async () => {
    const { userId: id, cookie } = await signedUp(gw.url, 'delete-joined');
    const workspace = await personalWorkspace(id);
    const res = await post('/delete-user', { password: PASSWORD }, cookie);
    assert.equal(res.status, 200, await res.clone().text());
    const newcomer = uniqueEmail('delete-newcomer');
    await signUp(gw.url, newcomer);
    await superuserQuery(
      `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner')`,
      [workspace, await userId(newcomer)],
    );
    await superuserQuery(
      `update graphile_worker._private_jobs set run_at = now() where key = 'workspaces__erase:' || $1`,
      [workspace],
    );
    await runOnce({ connectionString: testDatabaseUrl(), taskList, logger });
    const { rows } = await superuserQuery<{ workspaces: number; open: number }>(
      `select (select count(*) from public.workspaces where id = $1)::int as workspaces,
              (select count(*) from private.erasure_requests where workspace_id = $1 and done_at is null)::int as open`,
      [workspace],
    );
    assert.deepEqual(rows[0], { workspaces: 1, open: 0 });
  });

  test('is refused, changing nothing, while the person is the only owner of a shared workspace', async () => {
    const { userId: ownerId, cookie: ownerCookie } = await signedUp(gw.url, 'delete-owner');
    const { userId: otherId } = await signedUp(gw.url, 'delete-other');
    await superuserQuery(
      `with w as (insert into public.workspaces (name, kind, created_by) values ('Shared Team', 'team', $1) returning id)
       insert into public.workspace_members (workspace_id, user_id, role)
       select w.id, u.id, case when u.id = $1 then 'owner' else 'member' end from w, unnest(array[$1, $2]::uuid[]) as u(id)`,
      [ownerId, otherId],
    );
    const res = await post('/delete-user', { password: PASSWORD }, ownerCookie);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /only owner of Shared Team/);
    const { rows } = await superuserQuery<{ users: number; requests: number }>(
      `select (select count(*) from identity.users where id = $1)::int as users,
              (select count(*) from private.erasure_requests where requested_by = $1)::int as requests`,
      [ownerId],
    );
    assert.deepEqual(rows[0], { users: 1, requests: 0 });
  });
});
