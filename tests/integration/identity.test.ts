// Sign-up over HTTP to an RLS-filtered query as that user: the path every data API takes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { getMigrations } from 'better-auth/db/migration';
import { authOptions } from '../../lib/auth/auth.ts';
import { createTokenVerifier, InvalidTokenError } from '../../lib/auth/claims.ts';
import { asUser, asUserQuery } from '../../lib/db/as-user.ts';
import { createPool } from '../../lib/db/pool.ts';
import { services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, signedUp, signUp, uniqueEmail, useGateway } from '../support/gateway.ts';

const gw = useGateway();

async function newUser(prefix: string) {
  const { email, cookie } = await signedUp(gw.url, prefix);
  const token = await accessToken(gw.url, cookie);
  const claims = await createTokenVerifier({ auth: services().auth, issuer: services().config.PUBLIC_URL })(token);
  return { email, cookie, token, claims };
}

describe('sign-up', () => {
  test('creates the user, a personal workspace and an owner membership, and a session cookie', async () => {
    const { email, cookie, claims } = await newUser('signup');
    assert.match(cookie, /session_token=/);
    const { rows } = await superuserQuery<{ id: string; kind: string; role: string }>(
      `select w.id, w.kind, m.role from identity.users u
         join public.workspace_members m on m.user_id = u.id
         join public.workspaces w on w.id = m.workspace_id
       where u.email = $1`,
      [email],
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.role]),
      [['personal', 'owner']],
    );
    assert.ok(claims.sub);
  });

  test('stores the password with scrypt, never in clear', async () => {
    const password = 'another long passphrase';
    const email = uniqueEmail('hash');
    const res = await signUp(gw.url, email, password);
    assert.equal(res.status, 200);
    const { rows } = await superuserQuery<{ password: string }>(
      `select a.password from identity.accounts a join identity.users u on u.id = a.user_id where u.email = $1`,
      [email],
    );
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.password.includes(password));
    // Better Auth's scrypt format: hex salt, a colon, hex key.
    assert.match(rows[0]!.password, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
  });

  test('a failure while creating the workspace leaves no user behind', async () => {
    const email = uniqueEmail('fail-workspace');
    // A trigger that refuses exactly this user's personal workspace: the failure happens
    // inside the same statement that inserted the user.
    await superuserQuery(`
      create or replace function public.tmp_refuse_workspace() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from identity.users u where u.id = new.created_by and u.email like 'fail-workspace-%') then
          raise exception 'workspace creation refused by test';
        end if;
        return new;
      end $$;
      create trigger _000_tmp_refuse before insert on public.workspaces
        for each row execute function public.tmp_refuse_workspace();
    `);
    try {
      const res = await signUp(gw.url, email);
      assert.ok(res.status >= 400, `expected a refusal, got ${res.status}`);
      const users = await superuserQuery('select 1 from identity.users where email = $1', [email]);
      assert.equal(users.rowCount, 0, 'the user row must roll back with the workspace');
      const accounts = await superuserQuery(
        `select 1 from identity.accounts a left join identity.users u on u.id = a.user_id where u.id is null`,
      );
      assert.equal(accounts.rowCount, 0, 'no orphaned account rows');
    } finally {
      await superuserQuery(`
        drop trigger if exists _000_tmp_refuse on public.workspaces;
        drop function if exists public.tmp_refuse_workspace();
      `);
    }
  });

  test('refuses a short password and a malformed email with a 400 and writes nothing', async () => {
    const shortPw = await signUp(gw.url, uniqueEmail('short'), 'short');
    assert.equal(shortPw.status, 400);
    const badEmail = await signUp(gw.url, 'not-an-email');
    assert.equal(badEmail.status, 400);
    const { rowCount } = await superuserQuery(`select 1 from identity.users where email = 'not-an-email'`);
    assert.equal(rowCount, 0);
  });
});

describe('access token', () => {
  test('is a short-lived EdDSA JWT with Supabase-shaped claims, published in the JWKS', async () => {
    const { token } = await newUser('token');
    const header = decodeProtectedHeader(token);
    const payload = decodeJwt(token);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(payload.role, 'authenticated');
    assert.equal(payload.aud, 'authenticated');
    assert.match(String(payload.sub), /^[0-9a-f-]{36}$/);
    assert.ok(payload.exp! - payload.iat! <= 900, 'lifetime at most 15 minutes');
    const jwks = (await (await fetch(`${gw.url}/auth/jwks`)).json()) as { keys: { kid: string }[] };
    assert.ok(jwks.keys.some((k) => k.kid === header.kid));
  });

  test('a tampered, unsigned or foreign token is refused', async () => {
    const { token } = await newUser('tamper');
    const verify = createTokenVerifier({ auth: services().auth, issuer: services().config.PUBLIC_URL });
    const [h, p, s] = token.split('.');
    const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
    forged.sub = '00000000-0000-4000-8000-000000000000';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    await assert.rejects(verify(tampered), InvalidTokenError);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    await assert.rejects(verify(none), InvalidTokenError);
    const otherIssuer = createTokenVerifier({ auth: services().auth, issuer: 'https://evil.example' });
    await assert.rejects(otherIssuer(token), InvalidTokenError);
  });

  test('a remembered token is still refused once it expires, and tampering is never served from memory', async (t) => {
    const { token } = await newUser('remember');
    const verify = createTokenVerifier({ auth: services().auth, issuer: services().config.PUBLIC_URL });
    const first = await verify(token);
    // The JWKS goes away: only the remembered verification can answer now.
    const noKeys = t.mock.method(services().auth.api, 'getJwks', async () => ({ keys: [] }));
    assert.deepEqual(await verify(token), first);
    const [h, p, s] = token.split('.');
    const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
    forged.sub = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(verify(`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`));
    noKeys.mock.restore();
    t.mock.timers.enable({ apis: ['Date'], now: (Number(first.exp) + 1) * 1000 });
    await assert.rejects(verify(token), InvalidTokenError);
  });
});

describe('row-level security through the access token', () => {
  test('a user reads and writes only their own workspace', async () => {
    const a = await newUser('rls-a');
    const b = await newUser('rls-b');
    const { apiPool } = services();

    const created = await asUser(apiPool, { claims: a.claims }, async (c) => {
      const ws = (await c.query<{ id: string }>('select public.my_personal_workspace_id() as id')).rows[0]!.id;
      const { rows } = await c.query<{ id: string; workspace_id: string }>(
        `insert into public.tasks (workspace_id, title) values ($1, 'A''s secret task') returning id, workspace_id`,
        [ws],
      );
      return rows[0]!;
    });

    const seenByA = await asUser(apiPool, { claims: a.claims }, (c) => c.query('select id from public.tasks'));
    assert.deepEqual(
      seenByA.rows.map((r) => r.id),
      [created.id],
    );

    const seenByB = await asUser(apiPool, { claims: b.claims }, (c) => c.query('select id from public.tasks'));
    assert.equal(seenByB.rowCount, 0);

    // B cannot write into A's workspace, even knowing its id.
    await assert.rejects(
      asUser(apiPool, { claims: b.claims }, (c) =>
        c.query(`insert into public.tasks (workspace_id, title) values ($1, 'intrusion')`, [created.workspace_id]),
      ),
      (error: { code?: string }) => error.code === '42501',
    );
    const updated = await asUser(apiPool, { claims: b.claims }, (c) =>
      c.query(`update public.tasks set title = 'pwned' where id = $1`, [created.id]),
    );
    assert.equal(updated.rowCount, 0);

    // anon sees nothing at all.
    await assert.rejects(
      asUser(apiPool, { claims: { role: 'anon' } }, (c) => c.query('select id from public.tasks')),
      (error: { code?: string }) => error.code === '42501',
    );
  });

  test('the caller identity does not leak between pooled transactions', async () => {
    const a = await newUser('leak');
    // One connection, so the second checkout is provably the connection the first used.
    const pool = createPool({
      connectionString: services().config.authenticatorUrl,
      max: 1,
      applicationName: 'leak-test',
    });
    try {
      const inside = await asUser(pool, { claims: a.claims }, (c) =>
        c.query<{ uid: string; role: string }>('select auth.uid()::text as uid, current_user as role'),
      );
      assert.deepEqual(inside.rows[0], { uid: a.claims.sub, role: 'authenticated' });
      const after = await pool.query<{ role: string; claims: string | null }>(
        `select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims`,
      );
      assert.equal(after.rows[0]!.role, 'authenticator');
      assert.equal(after.rows[0]!.claims, null);
      assert.equal(pool.totalCount, 1);
    } finally {
      await pool.end();
    }
  });

  test('a read-only transaction refuses writes, and its unawaited COMMIT leaks nothing to the next caller', async () => {
    const a = await newUser('ro-a');
    const b = await newUser('ro-b');
    const pool = createPool({
      connectionString: services().config.authenticatorUrl,
      max: 1,
      applicationName: 'ro-test',
    });
    try {
      await assert.rejects(
        asUser(pool, { claims: a.claims, readOnly: true }, (c) =>
          c.query(`insert into public.projects (workspace_id, name) values (public.my_personal_workspace_id(), 'x')`),
        ),
        (error: { code?: string }) => error.code === '25006',
      );
      // Back to back on the one connection: B's transaction starts after A's queued COMMIT.
      const [first, second] = await Promise.all([
        asUser(pool, { claims: a.claims, readOnly: true }, (c) =>
          c.query<{ uid: string }>('select auth.uid()::text as uid'),
        ),
        asUser(pool, { claims: b.claims, readOnly: true }, (c) =>
          c.query<{ uid: string }>('select auth.uid()::text as uid'),
        ),
      ]);
      assert.equal(first.rows[0]!.uid, a.claims.sub);
      assert.equal(second.rows[0]!.uid, b.claims.sub);
      const after = await pool.query<{ role: string; tx: string }>(
        `select current_user as role, current_setting('transaction_read_only') as tx`,
      );
      assert.deepEqual(after.rows[0], { role: 'authenticator', tx: 'off' });
    } finally {
      await pool.end();
    }
  });
});

describe('asUserQuery: one statement as the caller in one round trip', () => {
  function onePool(name: string) {
    return createPool({ connectionString: services().config.authenticatorUrl, max: 1, applicationName: name });
  }

  test('runs as the caller under RLS, and the settings end with its implicit transaction', async () => {
    const a = await newUser('one-a');
    const b = await newUser('one-b');
    const pool = onePool('one-rls');
    try {
      const inserted = await asUserQuery<{ id: string }>(
        pool,
        { claims: a.claims },
        {
          text: `insert into public.tasks (workspace_id, title) values (public.my_personal_workspace_id(), $1) returning id`,
          values: ['committed by one round trip'],
        },
      );
      const who = await asUserQuery<{ uid: string; role: string; tx: string }>(
        pool,
        { claims: b.claims, readOnly: true },
        {
          text: `select auth.uid()::text as uid, current_user as role, current_setting('transaction_read_only') as tx`,
        },
      );
      assert.deepEqual(who.rows[0], { uid: b.claims.sub, role: 'authenticated', tx: 'on' });
      const seenByB = await asUserQuery(pool, { claims: b.claims }, { text: 'select id from public.tasks' });
      assert.equal(seenByB.rowCount, 0);
      const seenByA = await asUserQuery<{ id: string }>(
        pool,
        { claims: a.claims },
        { text: 'select id from public.tasks' },
      );
      assert.deepEqual(
        seenByA.rows.map((r) => r.id),
        [inserted.rows[0]!.id],
      );
      const after = await pool.query<{ role: string; claims: string | null; tx: string }>(
        `select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims,
                current_setting('transaction_read_only') as tx`,
      );
      assert.deepEqual(after.rows[0], { role: 'authenticator', claims: null, tx: 'off' });
    } finally {
      await pool.end();
    }
  });

  test('a refused or failing statement writes nothing and leaves the connection usable', async () => {
    const a = await newUser('one-fail-a');
    const b = await newUser('one-fail-b');
    const pool = onePool('one-fail');
    try {
      const { rows } = await asUserQuery<{ ws: string }>(
        pool,
        { claims: a.claims },
        {
          text: 'select public.my_personal_workspace_id()::text as ws',
        },
      );
      const ws = rows[0]!.ws;
      await assert.rejects(
        asUserQuery(
          pool,
          { claims: a.claims, readOnly: true },
          {
            text: `insert into public.tasks (workspace_id, title) values ($1, 'read-only')`,
            values: [ws],
          },
        ),
        (error: { code?: string }) => error.code === '25006',
      );
      await assert.rejects(
        asUserQuery(
          pool,
          { claims: b.claims },
          {
            text: `insert into public.tasks (workspace_id, title) values ($1, 'intrusion')`,
            values: [ws],
          },
        ),
        (error: { code?: string }) => error.code === '42501',
      );
      // Two rows in one statement, the second violating a constraint: neither is kept.
      await assert.rejects(
        asUserQuery(
          pool,
          { claims: a.claims },
          {
            text: `insert into public.tasks (workspace_id, title) values ($1, 'first'), ($1, '')`,
            values: [ws],
          },
        ),
        (error: { code?: string }) => error.code === '23514',
      );
      const { rows: titles } = await superuserQuery<{ title: string }>(
        'select title from public.tasks where workspace_id = $1',
        [ws],
      );
      assert.deepEqual(titles, []);
      assert.equal(pool.totalCount, 1);
    } finally {
      await pool.end();
    }
  });

  test('a named statement that failed is prepared again on its next use, whether or not Postgres kept it', async () => {
    const a = await newUser('one-named');
    const pool = onePool('one-named');
    try {
      const divide = (n: number) =>
        asUserQuery<{ x: number }>(
          pool,
          { claims: a.claims },
          { text: 'select 6 / $1::int as x', values: [n], name: 'divide' },
        );
      await assert.rejects(divide(0), (error: { code?: string }) => error.code === '22012');
      assert.equal((await divide(3)).rows[0]!.x, 2);
      await assert.rejects(divide(0), (error: { code?: string }) => error.code === '22012');
      assert.equal((await divide(2)).rows[0]!.x, 3);
      // A statement Postgres never created: the error stays the syntax error, not 26000.
      const broken = () => asUserQuery(pool, { claims: a.claims }, { text: 'selec 1', name: 'broken' });
      await assert.rejects(broken(), (error: { code?: string }) => error.code === '42601');
      await assert.rejects(broken(), (error: { code?: string }) => error.code === '42601');
    } finally {
      await pool.end();
    }
  });

  test('a refused admission sends nothing and gives the connection back', async () => {
    const a = await newUser('one-admit');
    const pool = onePool('one-admit');
    try {
      const refused = new Error('over the limit');
      await assert.rejects(
        asUserQuery(
          pool,
          { claims: a.claims, admitted: Promise.reject(refused) },
          {
            text: `insert into public.tasks (workspace_id, title) values (public.my_personal_workspace_id(), 'not admitted')`,
          },
        ),
        (error) => error === refused,
      );
      const { rows } = await superuserQuery<{ n: number }>(
        `select count(*)::int as n from public.tasks where title = 'not admitted'`,
      );
      assert.equal(rows[0]!.n, 0);
      // The one connection is free again.
      assert.equal(
        (await asUserQuery<{ one: number }>(pool, { claims: a.claims }, { text: 'select 1 as one' })).rows[0]!.one,
        1,
      );
    } finally {
      await pool.end();
    }
  });
});

test('Better Auth agrees with the identity schema our migrations create', async () => {
  const svc = services();
  const plan = await getMigrations(authOptions({ config: svc.config, db: svc.serviceDb }) as never);
  assert.deepEqual(
    plan.toBeCreated.map((t) => t.table),
    [],
  );
  assert.deepEqual(
    plan.toBeAdded.map((t) => `${t.table}: ${Object.keys(t.fields).join(',')}`),
    [],
  );
});
