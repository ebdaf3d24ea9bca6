// The product schema has no jsonb, array or range column, so this file creates a small
// fixture table for the length of the file (as tests/integration/identity.test.ts does
// with a trigger) and drops it afterwards. That covers, through supabase-js, JSON paths
// (-> and ->>) in select, filter and order, and the cs / cd / ov operators on jsonb,
// arrays and ranges. Creating it after the gateway started also proves the schema cache
// reloads on NOTIFY pgrst, 'reload schema'.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { superuserQuery } from '../../support/db.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError } from './fixtures.ts';

const TABLE = 'supajs_fixture_docs';

let gw: TestGateway;
let alice: TestUser;

async function dropFixture() {
  await superuserQuery(`drop table if exists public.${TABLE}; notify pgrst, 'reload schema'`);
}

before(async () => {
  await dropFixture();
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'json');
});
after(async () => {
  await dropFixture();
  await gw.close();
  await closeServices();
});

/** Polls until the engine's schema cache shows `table` (or the attempts run out). */
async function waitForTable(db: TestUser['db'], table: string) {
  let last: { status: number; error: unknown } = { status: 0, error: null };
  for (let attempt = 0; attempt < 100; attempt += 1) {
    last = await db.from(table).select('id').limit(1);
    if (last.status === 200) return;
    await sleep(50);
  }
  assert.fail(`the table never appeared: last answer ${last.status} ${JSON.stringify(last.error)}`);
}

describe('schema cache reload', () => {
  test('a table created after start is unknown (PGRST205) until NOTIFY pgrst reloads the cache', async () => {
    const missing = await alice.db.from(TABLE).select('id');
    assertPgrstError(missing, 404, 'PGRST205');

    await superuserQuery(`
      create table public.${TABLE} (
        id int primary key,
        data jsonb not null,
        tags text[] not null default '{}',
        during daterange
      );
      alter table public.${TABLE} enable row level security;
      create policy select_all on public.${TABLE} for select to authenticated using (true);
      grant select on public.${TABLE} to authenticated;
      insert into public.${TABLE} (id, data, tags, during) values
        (1, '{"kind": "note", "priority": 3, "owner": {"name": "Ann"}, "tags": ["x", "y"]}', '{a,b}', '[2026-01-01,2026-01-10)'),
        (2, '{"kind": "todo", "priority": 1, "owner": {"name": "Bo"}}', '{b,c}', '[2026-02-01,2026-02-05)'),
        (3, '{"kind": "note", "priority": 2}', '{}', '[2026-03-01,2026-03-02)');
      notify pgrst, 'reload schema';
    `);
    await waitForTable(alice.db, TABLE);
  });
});

describe('JSON paths', () => {
  test('-> keeps JSON, ->> gives text; the key is the last path element unless aliased', async () => {
    const res = await alice.db
      .from(TABLE)
      .select('id,owner_name:data->owner->>name,data->>kind,data->priority,data->owner')
      .order('id');
    assertOk(res);
    assert.deepEqual(res.data, [
      { id: 1, owner_name: 'Ann', kind: 'note', priority: 3, owner: { name: 'Ann' } },
      { id: 2, owner_name: 'Bo', kind: 'todo', priority: 1, owner: { name: 'Bo' } },
      { id: 3, owner_name: null, kind: 'note', priority: 2, owner: null },
    ]);
  });

  test('array elements by index', async () => {
    const res = await alice.db.from(TABLE).select('id,first:data->tags->0,second:data->tags->>1').eq('id', 1);
    assertOk(res);
    assert.deepEqual(res.data, [{ id: 1, first: 'x', second: 'y' }]);
  });

  test('filters and order on JSON paths', async () => {
    const byText = await alice.db.from(TABLE).select('id').eq('data->>kind', 'note').order('id');
    assertOk(byText);
    assert.deepEqual(byText.data, [{ id: 1 }, { id: 3 }]);

    const nested = await alice.db.from(TABLE).select('id').eq('data->owner->>name', 'Bo');
    assertOk(nested);
    assert.deepEqual(nested.data, [{ id: 2 }]);

    const ordered = await alice.db.from(TABLE).select('id').order('data->priority', { ascending: false });
    assertOk(ordered);
    assert.deepEqual(ordered.data, [{ id: 1 }, { id: 3 }, { id: 2 }]);

    const missing = await alice.db.from(TABLE).select('id').is('data->owner', null);
    assertOk(missing);
    assert.deepEqual(missing.data, [{ id: 3 }]);
  });
});

describe('contains, containedBy, overlaps', () => {
  test('on jsonb', async () => {
    const cs = await alice.db.from(TABLE).select('id').contains('data', { kind: 'note' }).order('id');
    assertOk(cs);
    assert.deepEqual(cs.data, [{ id: 1 }, { id: 3 }]);

    const csNested = await alice.db
      .from(TABLE)
      .select('id')
      .contains('data', { owner: { name: 'Ann' } });
    assertOk(csNested);
    assert.deepEqual(csNested.data, [{ id: 1 }]);

    const cd = await alice.db.from(TABLE).select('id').containedBy('data', { kind: 'note', priority: 2, extra: true });
    assertOk(cd);
    assert.deepEqual(cd.data, [{ id: 3 }]);
  });

  test('on arrays', async () => {
    const cs = await alice.db.from(TABLE).select('id').contains('tags', ['b']).order('id');
    assertOk(cs);
    assert.deepEqual(cs.data, [{ id: 1 }, { id: 2 }]);

    const cd = await alice.db.from(TABLE).select('id').containedBy('tags', ['a', 'b']).order('id');
    assertOk(cd);
    assert.deepEqual(cd.data, [{ id: 1 }, { id: 3 }], 'the empty array is contained in any array');

    const ov = await alice.db.from(TABLE).select('id').overlaps('tags', ['c', 'z']);
    assertOk(ov);
    assert.deepEqual(ov.data, [{ id: 2 }]);

    const notOv = await alice.db.from(TABLE).select('id').not('tags', 'ov', '{a,c}');
    assertOk(notOv);
    assert.deepEqual(notOv.data, [{ id: 3 }]);
  });

  test('on ranges', async () => {
    const ov = await alice.db.from(TABLE).select('id').overlaps('during', '[2026-01-05,2026-02-02)').order('id');
    assertOk(ov);
    assert.deepEqual(ov.data, [{ id: 1 }, { id: 2 }]);

    const cs = await alice.db.from(TABLE).select('id').contains('during', '[2026-03-01,2026-03-02)');
    assertOk(cs);
    assert.deepEqual(cs.data, [{ id: 3 }]);

    const cd = await alice.db.from(TABLE).select('id').containedBy('during', '[2026-01-01,2026-02-28]').order('id');
    assertOk(cd);
    assert.deepEqual(cd.data, [{ id: 1 }, { id: 2 }]);
  });

  test('arrays and ranges come back in their JSON forms', async () => {
    const res = await alice.db.from(TABLE).select('tags,during').eq('id', 2).single();
    assertOk(res);
    assert.deepEqual(res.data, { tags: ['b', 'c'], during: '[2026-02-01,2026-02-05)' });
  });
});
