import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MIGRATIONS_DIR,
  RULES,
  formatFinding,
  lintMigration,
  maskSql,
  normalizeName,
  splitStatements,
  type Rule,
} from '../../scripts/lint-migrations.ts';

const WHY = '-- Why: test.\n';
const NO_TX = '-- migrate:no-transaction\n';

function rules(sql: string, createdEarlier?: Set<string>): Rule[] {
  return lintMigration('m.sql', sql, createdEarlier).map((f) => f.rule);
}

function assertFlags(sql: string, rule: Rule, createdEarlier?: Set<string>): void {
  assert.ok(rules(sql, createdEarlier).includes(rule), `expected ${rule} for:\n${sql}\ngot ${rules(sql).join(', ')}`);
}

function assertClean(sql: string, createdEarlier?: Set<string>): void {
  assert.deepEqual(
    lintMigration('m.sql', sql, createdEarlier).map(formatFinding),
    [],
    `expected no findings for:\n${sql}`,
  );
}

test('the repository migrations pass', async () => {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
  assert.ok(files.length > 0);
  for (const file of files) {
    const sql = await readFile(join(MIGRATIONS_DIR, file), 'utf8');
    assert.deepEqual(lintMigration(file, sql).map(formatFinding), [], file);
  }
});

test('missing-why-comment', () => {
  assertFlags('create schema s;\n', 'missing-why-comment');
  assertFlags('-- Adds a schema.\ncreate schema s;\n', 'missing-why-comment');
  assertFlags('-- Why:\ncreate schema s;\n', 'missing-why-comment');
  assertFlags('', 'missing-why-comment');
  assertClean('-- Why: schemas.\ncreate schema s;\n');
  assertClean('\n-- why: lower case is fine.\ncreate schema s;\n');
  // The no-transaction directive may come first, as `npm run db:new` suggests.
  assertClean(`${NO_TX}${WHY}create index concurrently i on t (a);\n`);
});

test('adding-not-null-column-without-default', () => {
  assertFlags(`${WHY}alter table t add column c text not null;`, 'adding-not-null-column-without-default');
  assertFlags(
    `${WHY}alter table t add c int NOT NULL references u (id) not valid;`,
    'adding-not-null-column-without-default',
  );
  assertFlags(
    `${WHY}alter table t add column a int, add column b text not null;`,
    'adding-not-null-column-without-default',
  );
  assertClean(`${WHY}alter table t add column c text not null default '';`);
  assertClean(`${WHY}alter table t add column if not exists c text;`);
  assertClean(`${WHY}alter table t add column c timestamptz not null default now();`);
  assertClean(`${WHY}create table t (id int);\nalter table t add column c text not null;`);
});

test('adding-column-that-rewrites-table', () => {
  assertFlags(
    `${WHY}alter table t add column c uuid not null default gen_random_uuid();`,
    'adding-column-that-rewrites-table',
  );
  assertFlags(`${WHY}alter table t add column c bigserial;`, 'adding-column-that-rewrites-table');
  assertFlags(
    `${WHY}alter table t add column c int generated always as identity;`,
    'adding-column-that-rewrites-table',
  );
  assertFlags(
    `${WHY}alter table t add column c int generated always as (a + 1) stored;`,
    'adding-column-that-rewrites-table',
  );
  assertClean(`${WHY}alter table t add column c text not null default 'x';`);
});

test('create-index-without-concurrently', () => {
  assertFlags(`${WHY}create index t_a_idx on t (a);`, 'create-index-without-concurrently');
  assertFlags(`${WHY}CREATE UNIQUE INDEX t_a_key ON public.t (lower(a));`, 'create-index-without-concurrently');
  assertFlags(`${WHY}create index on only s.t using gin (a);`, 'create-index-without-concurrently');
  assertFlags(`${WHY}create index if not exists i on "S"."T" (a);`, 'create-index-without-concurrently');
  assertClean(`${NO_TX}${WHY}create unique index concurrently if not exists t_a_key on t (a);`);
  assertClean(`${WHY}create table s.t (a int);\ncreate index on s.t (a);`);
  // Quoting and an implicit public schema name the same table.
  assertClean(`${WHY}create table "public"."T2" (a int);\ncreate index i on public."T2" (a);`);
  assertClean(`${WHY}create table t (a int);\ncreate index i on public.t (a);`);
  assertFlags(`${WHY}create index i on t (a);\ncreate table t2 (a int);`, 'create-index-without-concurrently');
});

test('concurrently-requires-no-transaction', () => {
  assertFlags(`${WHY}create index concurrently i on t (a);`, 'concurrently-requires-no-transaction');
  assertFlags(`${WHY}drop index concurrently i;`, 'concurrently-requires-no-transaction');
  assertFlags(`${WHY}reindex index concurrently i;`, 'concurrently-requires-no-transaction');
  // The directive must be a line of its own near the top, as the runner reads it.
  assertFlags(
    `${WHY}create index concurrently i on t (a); -- migrate:no-transaction`,
    'concurrently-requires-no-transaction',
  );
  assertClean(`${NO_TX}${WHY}create index concurrently i on t (a);`);
  assertClean(`${NO_TX}${WHY}drop index concurrently if exists i;`);
});

test('no-transaction-single-statement', () => {
  assertFlags(
    `${NO_TX}${WHY}create index concurrently i on t (a);\ncreate index concurrently j on t (b);`,
    'no-transaction-single-statement',
  );
  assertClean(`${NO_TX}${WHY}create index concurrently i on t (a);\n-- a trailing comment;\n`);
});

test('drop-index-without-concurrently', () => {
  assertFlags(`${WHY}drop index if exists s.i cascade;`, 'drop-index-without-concurrently');
  assertClean(`${NO_TX}${WHY}drop index concurrently s.i;`);
  assertClean(`${WHY}create table t (a int);\ncreate index i on t (a);\ndrop index i;`);
});

test('changing-column-type', () => {
  assertFlags(`${WHY}alter table t alter column c type bigint;`, 'changing-column-type');
  assertFlags(`${WHY}alter table t alter c set data type text using c::text;`, 'changing-column-type');
  assertClean(`${WHY}alter table t alter column c set default 0;`);
  assertClean(`${WHY}alter table t alter column type drop default;`);
  assertClean(`${WHY}create table t (c int);\nalter table t alter column c type bigint;`);
});

test('adding-foreign-key-without-not-valid', () => {
  assertFlags(
    `${WHY}alter table t add constraint t_u_fk foreign key (u) references u (id) on delete cascade;`,
    'adding-foreign-key-without-not-valid',
  );
  assertFlags(`${WHY}alter table t add foreign key (u) references u (id);`, 'adding-foreign-key-without-not-valid');
  assertFlags(`${WHY}alter table t add column u uuid references u (id);`, 'adding-foreign-key-without-not-valid');
  assertClean(`${WHY}alter table t add constraint t_u_fk foreign key (u) references u (id) not valid;`);
  assertClean(`${WHY}alter table t validate constraint t_u_fk;`);
  assertClean(`${WHY}create table t (u uuid);\nalter table t add foreign key (u) references u (id);`);
});

test('adding-check-without-not-valid', () => {
  assertFlags(`${WHY}alter table t add constraint t_c check (c > 0);`, 'adding-check-without-not-valid');
  assertFlags(`${WHY}alter table t add check (c > 0), add column d int;`, 'adding-check-without-not-valid');
  assertFlags(`${WHY}alter table t add column c int check (c > 0);`, 'adding-check-without-not-valid');
  assertClean(`${WHY}alter table t add constraint t_c check (c > 0) not valid;`);
  assertClean(`${WHY}create table t (c int);\nalter table t add constraint t_c check (c > 0);`);
});

test('adding-index-backed-constraint', () => {
  assertFlags(`${WHY}alter table t add constraint t_a_key unique (a);`, 'adding-index-backed-constraint');
  assertFlags(`${WHY}alter table t add primary key (id);`, 'adding-index-backed-constraint');
  assertFlags(`${WHY}alter table t add column code text unique;`, 'adding-index-backed-constraint');
  assertClean(`${WHY}alter table t add constraint t_a_key unique using index t_a_key;`);
  assertClean(`${WHY}alter table t add column unique_code text;`);
});

test('setting-not-null', () => {
  assertFlags(`${WHY}alter table t alter column c set not null;`, 'setting-not-null');
  assertClean(`${WHY}alter table t alter column c drop not null;`);
  assertClean(`${WHY}create table t (c int);\nalter table t alter column c set not null;`);
});

test('renaming-column-or-table', () => {
  assertFlags(`${WHY}alter table t rename column a to b;`, 'renaming-column-or-table');
  assertFlags(`${WHY}alter table t rename a to b;`, 'renaming-column-or-table');
  assertFlags(`${WHY}alter table if exists t rename to t2;`, 'renaming-column-or-table');
  assertFlags(`${WHY}alter table t set schema s;`, 'renaming-column-or-table');
  assertClean(`${WHY}alter table t rename constraint a to b;`);
  assertClean(`${WHY}create table t (a int);\nalter table t rename to t2;\ncreate index on t2 (a);`);
});

test('dropping-column-or-table', () => {
  assertFlags(`${WHY}alter table t drop column c;`, 'dropping-column-or-table');
  assertFlags(`${WHY}alter table t drop if exists c cascade;`, 'dropping-column-or-table');
  assertFlags(`${WHY}drop table if exists a, s.b cascade;`, 'dropping-column-or-table');
  assertClean(`${WHY}alter table t drop constraint t_c;`);
  assertClean(`${WHY}alter table t alter column c drop default;`);
  assertClean(`${WHY}create table a (x int);\ndrop table a;`);
  assertClean(
    `${WHY}-- lint:allow dropping-column-or-table contract of 20261201000000_tasks-notes-v2 (release 42 reads notes_v2 only)\nalter table t drop column notes;`,
  );
});

test('tables passed in createdEarlier are exempt, and the caller set is not changed', () => {
  const earlier = new Set(['public.t']);
  assertClean(`${WHY}create index i on t (a);\nalter table t alter column c set not null;`, earlier);
  lintMigration('m.sql', `${WHY}create table u (a int);`, earlier);
  assert.deepEqual([...earlier], ['public.t']);
  assertFlags(`${WHY}create index i on t (a);`, 'create-index-without-concurrently', new Set(['other.t']));
});

test('waivers: the line before, the comment block above, inside the statement', () => {
  assertClean(
    `${WHY}-- lint:allow setting-not-null CHECK (c IS NOT NULL) validated in 20261201000000\nalter table t alter c set not null;`,
  );
  assertClean(
    `${WHY}-- lint:allow create-index-without-concurrently t holds ten rows (lookup table)\n-- Speeds up the lookup.\ncreate index i on t (a);`,
  );
  assertClean(
    `${WHY}alter table t\n  add column a int,\n  -- lint:allow changing-column-type int -> bigint on a 10-row table\n  alter column b type bigint;`,
  );
  assertClean(`${WHY}alter table t drop column c; -- lint:allow dropping-column-or-table contract of release 41`);
  assertClean(
    `${WHY}-- lint:allow setting-not-null,changing-column-type tiny table\nalter table t alter c set not null, alter d type text;`,
  );
});

test('waivers: wrong rule, too far away, or not a comment do not waive', () => {
  assertFlags(
    `${WHY}-- lint:allow changing-column-type tiny table\nalter table t alter c set not null;`,
    'setting-not-null',
  );
  // A blank line or code between the waiver and the statement breaks the link.
  assertFlags(
    `${WHY}-- lint:allow setting-not-null tiny table\n\nalter table t alter c set not null;`,
    'setting-not-null',
  );
  assertFlags(
    `${WHY}-- lint:allow setting-not-null tiny table\nselect 1;\nalter table t alter c set not null;`,
    'setting-not-null',
  );
  // A trailing waiver belongs to its own statement, not the next one.
  assertFlags(
    `${WHY}alter table a drop column x; -- lint:allow dropping-column-or-table contract of release 41\nalter table b drop column y;`,
    'dropping-column-or-table',
  );
  // Text inside a string or a dollar-quoted body is not a comment.
  assertFlags(
    `${WHY}select '-- lint:allow setting-not-null tiny table';\nalter table t alter c set not null;`,
    'setting-not-null',
  );
});

test('waivers need a known rule and a reason', () => {
  const noReason = lintMigration('m.sql', `${WHY}-- lint:allow dropping-column-or-table\nalter table t drop column c;`);
  assert.deepEqual(
    noReason.map((f) => [f.line, f.rule]),
    [
      [2, 'invalid-waiver'],
      [3, 'dropping-column-or-table'],
    ],
  );
  assert.deepEqual(rules(`${WHY}-- lint:allow no-such-rule because\nselect 1;`), ['invalid-waiver']);
  assert.deepEqual(rules(`${WHY}-- lint:allow\nselect 1;`), ['invalid-waiver']);
  assertClean(`${WHY}-- lint:allowance is a different word\nselect 1;`);
});

test('comments, strings and dollar-quoted bodies are not matched', () => {
  assertClean(
    `${WHY}-- alter table t drop column c;\n/* drop table t; /* nested */ alter table t rename to u; */\nselect 1;`,
  );
  assertClean(`${WHY}comment on table t is 'was: alter table t drop column c; -- old';`);
  assertClean(`${WHY}select E'it\\'s; drop table t;';`);
  assertClean(
    `${WHY}do $$\nbegin\n  alter table t alter column c set not null;\n  drop table t;\nend\n$$;\ncreate function f() returns void language sql as $fn$ drop table t; $fn$;`,
  );
  assertClean(`${WHY}do $a$ begin execute $b$ drop table t $b$; end $a$;`);
  assertClean(`${WHY}select "weird;--name" from t;`);
  // What follows a closed dollar quote is still checked, on the right line.
  const findings = lintMigration('m.sql', `${WHY}do $$\nbegin\n  perform 1;\nend\n$$;\nalter table t drop column c;`);
  assert.deepEqual(
    findings.map((f) => [f.line, f.rule]),
    [[7, 'dropping-column-or-table']],
  );
});

test('maskSql keeps length and lines; splitStatements splits on real semicolons only', () => {
  const sql = "select 'a;b' -- c;d\n, $x$ e;f $x$, $1;\n/* g;\nh */ select 2;";
  const masked = maskSql(sql);
  assert.equal(masked.text.length, sql.length);
  assert.equal(masked.text.split('\n').length, sql.split('\n').length);
  assert.deepEqual(masked.comments, [{ line: 1, text: '-- c;d' }]);
  const statements = splitStatements(masked.text);
  assert.equal(statements.length, 2);
  assert.equal(sql.slice(statements[1]!.start, statements[1]!.start + 6), 'select');
  // a$b$ is an identifier, not the start of a dollar quote.
  assert.equal(splitStatements(maskSql('select a$b$ from t; select 2;').text).length, 2);
  // BEGIN ATOMIC bodies keep their semicolons.
  assert.equal(
    splitStatements(maskSql('create function f() returns int language sql begin atomic select 1; end; select 2;').text)
      .length,
    2,
  );
});

test('normalizeName', () => {
  assert.equal(normalizeName('Tasks'), 'public.tasks');
  assert.equal(normalizeName('"identity"."users"'), 'identity.users');
  assert.equal(normalizeName('Identity . "Users"'), 'identity.Users');
  assert.equal(normalizeName('db.s.t'), 's.t');
});

test('findings format as file:line rule message', () => {
  const [finding] = lintMigration('supabase/migrations/x.sql', `${WHY}\nalter table t alter c set not null;`);
  assert.equal(
    finding && formatFinding(finding),
    `supabase/migrations/x.sql:3 setting-not-null ${RULES['setting-not-null']}`,
  );
});
