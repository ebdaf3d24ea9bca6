// events__notify against the real spine and worker: a teammate's task activity notifies
// the other members who can read the task (guests included, the actor not), a person
// added to a workspace hears about it (but not about their own personal workspace at
// sign-up), and a job run twice notifies once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runOnce } from 'graphile-worker';
import pg from 'pg';
import pino from 'pino';
import { workerLogger } from '../../workers/src/logger.ts';
import { taskList } from '../../workers/src/task-list.ts';
import { testDatabaseUrl } from '../support/db.ts';

const logger = workerLogger(pino({ level: 'silent' }));
let pool: pg.Pool;
before(() => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 3 });
});
after(async () => {
  await pool.end();
});

// Only the consumer under test runs; mail__send jobs this queues are left to the mail tests.
const notifyOnly = { events__notify: taskList.events__notify! };
const runNotify = () => runOnce({ connectionString: testDatabaseUrl(), taskList: notifyOnly, logger });

async function newUser(name: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into identity.users (name, email, email_verified) values ($1, 'en-' || gen_random_uuid() || '@example.test', true) returning id`,
    [name],
  );
  return rows[0]!.id;
}

/** Runs `sql` as `userId` (auth.uid() = them), so events carry them as the actor. */
async function asActor<R extends pg.QueryResultRow>(userId: string, sql: string, params: unknown[] = []) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ sub: userId, role: 'authenticated' }),
    ]);
    const result = await client.query<R>(sql, params);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function notifications(userId: string) {
  const { rows } = await pool.query<{ kind: string; title: string; body: string; url: string; dedupe_key: string }>(
    `select kind, title, body, url, dedupe_key from public.notifications where user_id = $1 order by created_at, title`,
    [userId],
  );
  return rows;
}

async function team() {
  const [owner, member, guest, outsider] = [
    await newUser('Ana Owner'),
    await newUser('Ben Member'),
    await newUser('Gia Guest'),
    await newUser('Otto Outsider'),
  ];
  const { rows } = await asActor<{ id: string }>(
    owner,
    `insert into public.workspaces (name, created_by) values ('Rocket team', $1) returning id`,
    [owner],
  );
  const workspace = rows[0]!.id;
  await asActor(
    owner,
    `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member'), ($1, $4, 'guest')`,
    [workspace, owner, member, guest],
  );
  return { workspace, owner, member, guest, outsider };
}

test('task activity notifies every other member who can read the task, guests included, never the actor', async () => {
  const t = await team();
  await runNotify(); // member.added notifications of the set-up, out of the way
  const { rows } = await asActor<{ id: string }>(
    t.owner,
    `insert into public.tasks (workspace_id, title) values ($1, 'Launch checklist') returning id`,
    [t.workspace],
  );
  const taskId = rows[0]!.id;
  await asActor(t.owner, `update public.tasks set status = 'completed' where id = $1`, [taskId]);
  // Consumers re-read the task (events carry ids only): run before the title changes.
  await runNotify();
  await asActor(t.member, `update public.tasks set title = 'Launch checklist v2', priority = 1 where id = $1`, [
    taskId,
  ]);
  await asActor(t.member, `update public.tasks set position = 42 where id = $1`, [taskId]);
  await runNotify();

  const activity = async (user: string) => (await notifications(user)).filter((n) => n.kind === 'task_activity');
  assert.deepEqual(
    (await activity(t.member)).map((n) => n.title),
    ['Ana Owner created “Launch checklist”', 'Ana Owner completed “Launch checklist”'],
    'the member hears of the owner’s changes, not of their own',
  );
  assert.deepEqual(
    (await activity(t.guest)).map((n) => [n.title, n.body]),
    [
      ['Ana Owner created “Launch checklist”', 'In Rocket team.'],
      ['Ana Owner completed “Launch checklist”', 'In Rocket team.'],
      ['Ben Member updated “Launch checklist v2”', 'Changed priority, title in Rocket team.'],
    ],
    'guests can read the workspace’s tasks, so they are told; moving a task is not news',
  );
  assert.deepEqual(
    (await activity(t.owner)).map((n) => n.title),
    ['Ben Member updated “Launch checklist v2”'],
  );
  assert.equal((await activity(t.owner))[0]!.url, `/app/tasks/${taskId}`);
  assert.deepEqual(await notifications(t.outsider), [], 'not a member: nothing');
});

test('events__notify run twice for the same event notifies once', async () => {
  const t = await team();
  await runNotify();
  await asActor(t.owner, `insert into public.tasks (workspace_id, title) values ($1, 'Once only')`, [t.workspace]);
  const { rows } = await pool.query<{ payload: unknown }>(
    `select json_build_object('workspace_id', workspace_id, 'seq', seq, 'event_id', id) as payload
     from events.log where workspace_id = $1 and type = 'task.created'`,
    [t.workspace],
  );
  await runNotify();
  // The same job again, as a retry or a duplicate delivery would run it.
  await pool.query(`select graphile_worker.add_job('events__notify', $1::json)`, [JSON.stringify(rows[0]!.payload)]);
  await runNotify();
  const titles = (await notifications(t.member)).filter((n) => n.kind === 'task_activity').map((n) => n.title);
  assert.deepEqual(titles, ['Ana Owner created “Once only”']);
});

test('member.added notifies the person added, but not for their own personal workspace at sign-up', async () => {
  const t = await team();
  await runNotify();
  assert.deepEqual(
    (await notifications(t.member)).map((n) => [n.kind, n.title, n.body, n.url]),
    [['member_added', 'You were added to Rocket team', 'Ana Owner added you as a member.', '/app']],
  );
  assert.deepEqual(
    (await notifications(t.guest)).map((n) => n.body),
    ['Ana Owner added you as a guest.'],
  );
  assert.deepEqual(await notifications(t.owner), [], 'adding yourself (creating the workspace) is not news');
  assert.deepEqual(await notifications(t.outsider), [], 'sign-up’s personal workspace is not news');
  // An email was queued too (member_added emails are on by default).
  const { rowCount } = await pool.query(
    `select 1 from private.outgoing_mail where user_id = $1 and kind = 'member_added'`,
    [t.member],
  );
  assert.equal(rowCount, 1);
});

test('a long title of emoji is shortened by whole characters (a cut surrogate pair would fail the job in jsonb)', async () => {
  const t = await team();
  await runNotify();
  // 300 characters, 600 UTF-16 code units: within the tasks' 500-character limit.
  const title = '😀'.repeat(300);
  await asActor(t.owner, `insert into public.tasks (workspace_id, title) values ($1, $2)`, [t.workspace, title]);
  await runNotify();
  const activity = (await notifications(t.member)).filter((n) => n.kind === 'task_activity');
  assert.deepEqual(
    activity.map((n) => n.title),
    [`Ana Owner created “${'😀'.repeat(119)}…”`],
  );
});
