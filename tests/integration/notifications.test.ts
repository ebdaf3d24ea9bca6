// private.notify (supabase/migrations/20261123214000_notifications-core.sql): the one way
// the product notifies a person. Preferences decide the channels, a dedupe key makes it
// idempotent, and each person reaches only their own notifications.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { testDatabaseUrl } from '../support/db.ts';

let pool: pg.Pool;
before(() => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
});
after(async () => {
  await pool.end();
});

async function newUser(): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ('N', 'n-' || gen_random_uuid() || '@example.test', true) returning id`,
  );
  return rows[0]!.id;
}

async function notify(user: string, kind: string, key: string): Promise<string[]> {
  const { rows } = await pool.query<{ channels: string[] }>(
    `select private.notify($1, $2, $3, 'Title', 'Body', '/app') as channels`,
    [user, kind, key],
  );
  return rows[0]!.channels;
}

async function mailJobs(user: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     join private.outgoing_mail m on m.id = (j.payload->>'mail_id')::uuid
     where t.identifier = 'mail__send' and m.user_id = $1`,
    [user],
  );
  return rows[0]!.n;
}

test('defaults per kind decide the channels; a person’s choice overrides them', async () => {
  const user = await newUser();
  assert.deepEqual(await notify(user, 'reminder', 'r1'), ['in_app', 'email']);
  assert.deepEqual(await notify(user, 'task_activity', 't1'), ['in_app'], 'task activity: in-app only by default');
  assert.deepEqual(await notify(user, 'digest', 'd1'), [], 'the digest is opt-in');
  await pool.query(
    `insert into account.notification_preferences (user_id, kind, channel, enabled) values ($1, 'reminder', 'email', false), ($1, 'digest', 'email', true)`,
    [user],
  );
  assert.deepEqual(await notify(user, 'reminder', 'r2'), ['in_app']);
  assert.deepEqual(await notify(user, 'digest', 'd2'), ['email']);
  assert.equal(await mailJobs(user), 2, 'one mail__send job per queued email');
});

test('the same dedupe key notifies once, however often it is called', async () => {
  const user = await newUser();
  assert.deepEqual(await notify(user, 'reminder', 'same'), ['in_app', 'email']);
  assert.deepEqual(await notify(user, 'reminder', 'same'), []);
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from public.notifications where user_id = $1`,
    [user],
  );
  assert.equal(rows[0]!.n, 1);
  assert.equal(await mailJobs(user), 1);
});

test('people see and mark read only their own notifications, and cannot create any', async () => {
  const [me, other] = [await newUser(), await newUser()];
  await notify(me, 'reminder', 'mine');
  await notify(other, 'reminder', 'theirs');
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: me, role: 'authenticated' }),
    ]);
    await client.query('set local role authenticated');
    const seen = await client.query<{ dedupe_key: string }>(`select dedupe_key from public.notifications`);
    assert.deepEqual(
      seen.rows.map((r) => r.dedupe_key),
      ['mine'],
    );
    const marked = await client.query<{ n: number }>(`select public.mark_notifications_read() as n`);
    assert.equal(marked.rows[0]!.n, 1);
    await client.query('savepoint s');
    await assert.rejects(
      client.query(
        `insert into public.notifications (user_id, kind, title, dedupe_key) values ($1, 'reminder', 'forged', 'x')`,
        [me],
      ),
      /permission denied/,
    );
    await client.query('rollback to savepoint s');
    await assert.rejects(
      client.query(`select private.notify($1, 'reminder', 'x', 'forged')`, [other]),
      /permission denied/,
    );
  } finally {
    await client.query('rollback');
    client.release();
  }
  const unread = await pool.query<{ n: number }>(
    `select count(*)::int as n from public.notifications where user_id = $1 and read_at is null`,
    [other],
  );
  assert.equal(unread.rows[0]!.n, 1, 'the other person’s notification is untouched');
});

test('an in-app link must stay in the app: //host and /\\host are refused', async () => {
  const user = await newUser();
  for (const url of ['//evil.example', '/\\evil.example']) {
    await assert.rejects(
      pool.query(`select private.notify($1, 'reminder', $2, 'Title', '', $3)`, [user, `bad-${url}`, url]),
      /notifications_url_path/,
    );
  }
  const { rows } = await pool.query<{ channels: string[] }>(
    `select private.notify($1, 'reminder', 'ok', 'Title', '', '/app/today') as channels`,
    [user],
  );
  assert.ok(rows[0]!.channels.includes('in_app'));
});
