// Signing-key rotation (lib/auth/keys.ts) through the real gateway: the new key is in the
// JWKS before any token carries its kid; a token signed with the previous key is accepted
// during the overlap and refused once the key is past its grace and deleted.
//
// Time is moved by shifting the key rows' timestamps (created_at, expires_at) into the
// past, as if the publish lead and the grace period had elapsed; tokens themselves are
// real and unexpired, so a refusal at the end is the key's withdrawal, not token expiry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { runOnce } from 'graphile-worker';
import { decodeProtectedHeader } from 'jose';
import pino from 'pino';
import { keyGraceSeconds, rotateSigningKeys } from '../../lib/auth/keys.ts';
import { services } from '../../lib/services.ts';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { superuserQuery, testDatabaseUrl } from '../support/db.ts';
import { accessToken, signedUp, startGateway, useGateway } from '../support/gateway.ts';

const gw = useGateway();

async function newSession(prefix: string): Promise<string> {
  return (await signedUp(gw.url, prefix)).cookie;
}

async function jwksKids(base: string): Promise<string[]> {
  const res = await fetch(`${base}/auth/jwks`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** A data API call with the token: 200 when the gateway accepts it. */
async function restStatus(base: string, token: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}/rest/v1/workspaces?select=id`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.text() };
}

/** Moves every key's timestamps `seconds` into the past (the clock moving forward). */
async function timePasses(seconds: number) {
  await superuserQuery(
    `update identity.jwks set created_at = created_at - make_interval(secs => $1),
                              expires_at = expires_at - make_interval(secs => $1)`,
    [seconds],
  );
}

test('a rotated key is published before it signs; the old key verifies during the overlap and not after', async () => {
  const svc = services();
  const cfg = svc.config;
  const rotate = () => rotateSigningKeys({ db: svc.serviceDb, auth: svc.auth, config: cfg, source: 'test' });
  // Start from a clean key table: one key, signing now.
  await superuserQuery('delete from identity.jwks');
  const first = await rotate();
  assert.ok(first.newKid);
  const oldKid = first.newKid;

  // Two different tokens signed with the old key (two sessions), unexpired throughout.
  const cookieA = await newSession('rot-a');
  const cookieB = await newSession('rot-b');
  const tokenA = await accessToken(gw.url, cookieA);
  const tokenB = await accessToken(gw.url, cookieB);
  assert.equal(kidOf(tokenA), oldKid);
  assert.equal(kidOf(tokenB), oldKid);

  // Rotate: the new key is in the JWKS at once, but tokens still carry the old kid.
  const rotation = await rotate();
  assert.ok(rotation.newKid);
  const newKid = rotation.newKid;
  assert.deepEqual(rotation.retiring, [oldKid]);
  assert.ok(rotation.signsFrom.getTime() - Date.now() > 60_000, 'the publish lead exceeds the verifier JWKS cache');
  assert.deepEqual((await jwksKids(gw.url)).sort(), [oldKid, newKid].sort());
  assert.equal(kidOf(await accessToken(gw.url, cookieA)), oldKid, 'the new key does not sign before its time');

  // A second rotation while one is pending publishes nothing new.
  const again = await rotate();
  assert.equal(again.newKid, null);
  assert.equal((await jwksKids(gw.url)).length, 2);

  // The publish lead passes: the new key signs, the old one is still published.
  await timePasses(cfg.JWT_KEY_PUBLISH_LEAD_SECONDS);
  const fresh = await accessToken(gw.url, cookieA);
  assert.equal(kidOf(fresh), newKid);
  assert.deepEqual((await jwksKids(gw.url)).sort(), [oldKid, newKid].sort());
  const duringOverlap = await restStatus(gw.url, tokenA);
  assert.equal(duringOverlap.status, 200, duringOverlap.body);
  assert.equal((await restStatus(gw.url, fresh)).status, 200);

  // The grace (access-token lifetime + skew) passes: the old key leaves the JWKS and the
  // next rotation deletes it.
  await timePasses(keyGraceSeconds(cfg) + 1);
  assert.deepEqual(await jwksKids(gw.url), [newKid]);
  const later = await rotate();
  assert.ok(later.deleted.includes(oldKid));
  const { rows: left } = await superuserQuery<{ id: string }>('select id from identity.jwks where id = $1', [oldKid]);
  assert.equal(left.length, 0);

  // A gateway that fetches the JWKS now (the running one refreshes within its 60 s cache)
  // refuses a still-unexpired token signed with the withdrawn key.
  const second = await startGateway();
  try {
    const afterOverlap = await restStatus(second.url, tokenB);
    assert.equal(afterOverlap.status, 401, afterOverlap.body);
    assert.match(afterOverlap.body, /invalid or expired/);
    assert.equal((await restStatus(second.url, fresh)).status, 200, 'tokens of the current key still work');
  } finally {
    await second.close();
  }

  // Every rotation is audited.
  const { rows: audited } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from account.audit where event = 'keys.rotated' and data->>'source' = 'test'`,
  );
  assert.ok(audited[0]!.n >= 4);
});

test('the weekly worker task and `npm run auth:rotate-keys` rotate the same way, audited with their source', async () => {
  const since = new Date();
  await superuserQuery('delete from identity.jwks');
  const connectionString = testDatabaseUrl();
  const logger = workerLogger(pino({ level: 'silent' }));
  const scheduled = async () => {
    await superuserQuery(`select graphile_worker.add_job('auth__rotate_keys', '{}'::json)`);
    await runOnce({ connectionString, taskList, logger });
  };
  const keys = async () =>
    (
      await superuserQuery<{ id: string; pending: boolean; retiring: boolean }>(
        `select id, created_at > now() as pending, expires_at is not null as retiring from identity.jwks order by created_at`,
      )
    ).rows;

  // On an empty key table the first key signs at once; the next run publishes a pending one.
  await scheduled();
  assert.deepEqual(
    (await keys()).map((k) => [k.pending, k.retiring]),
    [[false, false]],
  );
  await scheduled();
  assert.deepEqual(
    (await keys()).map((k) => [k.pending, k.retiring]),
    [
      [false, true],
      [true, false],
    ],
  );

  // The command line, while that rotation is pending, publishes nothing and says so.
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/auth-rotate-keys.ts'], {
    env: process.env,
  });
  assert.match(stdout, /already pending/);
  assert.equal((await keys()).length, 2);
  assert.doesNotMatch(stdout, /private|"d"/i, 'no key material is printed');

  const { rows } = await superuserQuery<{ source: string; n: number }>(
    `select data->>'source' as source, count(*)::int as n from account.audit
      where event = 'keys.rotated' and data->>'source' in ('schedule', 'cli') and occurred_at >= $1
      group by 1 order by 1`,
    [since],
  );
  assert.deepEqual(rows, [
    { source: 'cli', n: 1 },
    { source: 'schedule', n: 2 },
  ]);
  const { rows: left } = await superuserQuery(
    `select 1 from graphile_worker.jobs where task_identifier = 'auth__rotate_keys'`,
  );
  assert.equal(left.length, 0, 'the jobs succeeded');
});

test('emergency rotation: every key is withdrawn at once and a new one signs immediately', async () => {
  const run = promisify(execFile);
  const cookie = await newSession('rot-emergency');
  const before = await accessToken(gw.url, cookie);
  const { rows: old } = await superuserQuery<{ id: string }>('select id from identity.jwks');
  assert.ok(old.length > 0);

  await assert.rejects(
    run(process.execPath, ['scripts/auth-rotate-keys.ts', '--now'], { env: process.env }),
    (error) => {
      assert.equal((error as { code?: number }).code, 64);
      assert.match((error as { stderr?: string }).stderr ?? '', /Unknown argument --now/);
      return true;
    },
  );
  const { stdout } = await run(process.execPath, ['scripts/auth-rotate-keys.ts', '--emergency'], { env: process.env });
  assert.match(stdout, /Deleted keys/);
  const { rows: keys } = await superuserQuery<{ id: string; signing: boolean }>(
    'select id, created_at <= now() and expires_at is null as signing from identity.jwks',
  );
  assert.equal(keys.length, 1);
  assert.ok(keys[0]!.signing);
  assert.ok(!old.some((k) => k.id === keys[0]!.id));
  assert.deepEqual(await jwksKids(gw.url), [keys[0]!.id]);
  assert.equal(kidOf(await accessToken(gw.url, cookie)), keys[0]!.id, 'the new key signs at once');

  const fresh = await startGateway();
  try {
    assert.equal((await restStatus(fresh.url, before)).status, 401, 'tokens of the withdrawn keys are refused');
  } finally {
    await fresh.close();
  }
  const { rows: audit } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from account.audit where event = 'keys.rotated' and reason = 'emergency'`,
  );
  assert.ok(audit[0]!.n >= 1);
});
