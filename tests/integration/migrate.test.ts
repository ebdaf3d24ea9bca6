// The migration runner against real scratch databases: forward-only, checksummed, locked.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { MIGRATIONS_DIR, MigrationError, migrate, needsNoTransaction } from '../../lib/db/migrate.ts';
import { createScratchDatabase, dropScratchDatabase, superuserQuery } from '../support/db.ts';

const DB = 'taskmaster_test_migrate';
const log = pino({ level: 'silent' });
let url: string;
let dir: string;

before(async () => {
  url = await createScratchDatabase(DB);
  dir = await mkdtemp(join(tmpdir(), 'tm-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
});
after(async () => {
  await dropScratchDatabase(DB);
  await rm(dir, { recursive: true, force: true });
});

test('two runners racing apply every migration exactly once', async () => {
  const [a, b] = await Promise.all([
    migrate({ connectionString: url, log, migrationsDir: dir }),
    migrate({ connectionString: url, log, migrationsDir: dir }),
  ]);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
  assert.equal(a.applied.length + b.applied.length, files.length);
  const { rows } = await superuserQuery<{ n: number }>(
    'select count(*)::int as n from supabase_migrations.schema_migrations',
    [],
    url,
  );
  assert.equal(rows[0]!.n, files.length);
});

test('a second run applies nothing and re-applies policies', async () => {
  const again = await migrate({ connectionString: url, log, migrationsDir: dir });
  assert.deepEqual(again.applied, []);
  assert.ok(again.reapplied.some((f) => f === 'db/policies/tasks.sql'));
});

test('a new migration is applied in its own transaction; a failing one leaves no trace', async () => {
  await writeFile(join(dir, '29990101000000_test-ok.sql'), '-- Why: test\ncreate table public.tmp_ok (id int);\n');
  await writeFile(
    join(dir, '29990101000001_test-broken.sql'),
    '-- Why: test\ncreate table public.tmp_broken (id int);\nselect 1/0;\n',
  );
  await assert.rejects(migrate({ connectionString: url, log, migrationsDir: dir }), MigrationError);
  const { rows } = await superuserQuery<{ ok: string | null; broken: string | null; recorded: number }>(
    `select to_regclass('public.tmp_ok')::text as ok, to_regclass('public.tmp_broken')::text as broken,
            (select count(*)::int from supabase_migrations.schema_migrations where version like '2999%') as recorded`,
    [],
    url,
  );
  assert.deepEqual(rows[0], { ok: 'tmp_ok', broken: null, recorded: 1 });
  await rm(join(dir, '29990101000001_test-broken.sql'));
});

test('an applied migration that was edited stops the runner', async () => {
  await writeFile(
    join(dir, '29990101000000_test-ok.sql'),
    '-- Why: test, edited\ncreate table public.tmp_ok (id int);\n',
  );
  await assert.rejects(migrate({ connectionString: url, log, migrationsDir: dir }), /was edited after it was applied/);
});

test('a file name without a timestamp is refused', async () => {
  const bad = await mkdtemp(join(tmpdir(), 'tm-bad-'));
  await writeFile(join(bad, 'add-things.sql'), 'select 1;');
  await assert.rejects(
    migrate({ connectionString: url, log, migrationsDir: bad, reapplyDirs: [] }),
    /is not <14-digit/,
  );
  await rm(bad, { recursive: true });
});

test('the no-transaction header is recognised only at the top of the file', () => {
  assert.equal(needsNoTransaction('-- migrate:no-transaction\ncreate index concurrently x on t (a);'), true);
  assert.equal(needsNoTransaction('-- Why: x\ncreate index x on t (a);'), false);
});
