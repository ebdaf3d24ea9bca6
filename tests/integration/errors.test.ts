// Bad input is refused by the database itself and reaches the caller as a readable 4xx.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSTRAINT_MESSAGES, ErrorCode, toAppError } from '../../lib/errors.ts';
import { superuserQuery } from '../support/db.ts';

test('every named check and unique constraint in public and identity has a readable message', async () => {
  const { rows } = await superuserQuery<{ name: string }>(`
    select conname as name from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname in ('public', 'identity') and c.contype = 'c'
    union
    select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid
      join pg_namespace n on n.oid = i.relnamespace
    where n.nspname = 'public' and x.indisunique and not x.indisprimary`);
  const missing = rows.map((r) => r.name).filter((name) => !CONSTRAINT_MESSAGES[name]);
  assert.deepEqual(missing, []);
});

async function refusal(sql: string, params: unknown[] = []) {
  try {
    await superuserQuery(`begin; ${sql}; rollback`, params);
  } catch (error) {
    return toAppError(error);
  }
  throw new Error('expected the database to refuse');
}

test('bad task input maps to a 400 naming the field', async () => {
  const ws = (
    await superuserQuery<{ id: string }>(`insert into public.workspaces (name) values ('errors') returning id`)
  ).rows[0]!.id;
  const cases: [string, string, RegExp][] = [
    [`insert into public.tasks (workspace_id, title) values ('${ws}', '   ')`, 'title', /Title must be/],
    [`insert into public.tasks (workspace_id, title) values ('${ws}', repeat('x', 100000))`, 'title', /Title must be/],
    [`insert into public.tasks (workspace_id, title, priority) values ('${ws}', 't', 9)`, 'priority', /Priority/],
    [
      `insert into public.tasks (workspace_id, title, due_date, due_tz) values ('${ws}', 't', '2026-01-01', 'Mars/Phobos')`,
      'due_tz',
      /IANA/,
    ],
  ];
  for (const [sql, field, message] of cases) {
    const error = await refusal(sql);
    assert.equal(error.status, 400, sql);
    assert.equal(error.code, ErrorCode.Validation);
    assert.equal(error.field, field);
    assert.match(error.message, message);
  }
  const badDate = await refusal(
    `insert into public.tasks (workspace_id, title, due_date) values ('${ws}', 't', '2025-02-30')`,
  );
  assert.equal(badDate.status, 400);
  assert.doesNotMatch(badDate.message, /insert|select|tasks/i, 'no SQL text in the message');
  await superuserQuery('delete from public.workspaces where id = $1', [ws]);
});

test("every data exception (SQLSTATE class 22) is the caller's input: a 400", async () => {
  const cases = [
    `select convert_from('\\x610062'::bytea, 'UTF8')`, // 22021: a NUL byte in text
    `select 'a' ~ '('`, // 2201B: invalid regular expression
    `select 'a' like 'a' escape 'ab'`, // 22025: invalid escape sequence
  ];
  for (const sql of cases) {
    const error = await refusal(sql);
    assert.equal(error.status, 400, sql);
    assert.equal(error.code, ErrorCode.Validation, sql);
  }
});

test('unknown errors never leak their text', () => {
  const error = toAppError(new Error('connection to 10.0.0.5 failed: password authentication failed'));
  assert.equal(error.status, 500);
  assert.equal(error.message, 'Something went wrong.');
});
