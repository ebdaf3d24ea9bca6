// What the product schema cannot show: it has no jsonb, array or range column and no pair
// of tables joined by two foreign keys. This file creates small fixture tables for its own
// length (as tests/integration/identity.test.ts does with a trigger) and drops them after.
// That covers, through supabase-js, JSON paths (-> and ->>) in select, filter and order,
// cs / cd / ov on jsonb, arrays and ranges, and an ambiguous embed (PGRST201) resolved by
// foreign-key name. Creating them after the gateway started also proves the schema cache
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
const PEOPLE = 'supajs_fixture_people';
const MOVES = 'supajs_fixture_moves';

let gw: TestGateway;
let alice: TestUser;

async function dropFixture() {
  await superuserQuery(
    `drop table if exists public.${TABLE}, public.${MOVES}, public.${PEOPLE}; notify pgrst, 'reload schema'`,
  );
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

      create table public.${PEOPLE} (id int primary key, name text not null);
      create table public.${MOVES} (
        id int primary key,
        from_id int not null constraint moves_from references public.${PEOPLE} (id),
        to_id int not null constraint moves_to references public.${PEOPLE} (id)
      );
      alter table public.${PEOPLE} enable row level security;
      alter table public.${MOVES} enable row level security;
      create policy select_all on public.${PEOPLE} for select to authenticated using (true);
      create policy select_all on public.${MOVES} for select to authenticated using (true);
      grant select on public.${PEOPLE}, public.${MOVES} to authenticated;
      insert into public.${PEOPLE} values (1, 'Ann'), (2, 'Bo'), (3, 'Cy');
      insert into public.${MOVES} values (10, 1, 2), (11, 2, 3), (12, 1, 3);
      notify pgrst, 'reload schema';
    `);
    await waitForTable(alice.db, TABLE);
    await waitForTable(alice.db, MOVES);
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

describe('two foreign keys between the same tables', () => {
  test('an embed without a hint is ambiguous: 300 with PGRST201 and the candidates', async () => {
    const res = await alice.db.from(MOVES).select(`id,${PEOPLE}(name)`);
    const error = assertPgrstError(res, 300, 'PGRST201');
    assert.equal(
      error.message,
      `Could not embed because more than one relationship was found for '${MOVES}' and '${PEOPLE}'`,
    );
    // PostgREST lists the candidates as objects in `details` (an array, not a string).
    assert.deepEqual(error.details, [
      {
        cardinality: 'many-to-one',
        embedding: `${MOVES} with ${PEOPLE}`,
        relationship: `moves_from using ${MOVES}(from_id) and ${PEOPLE}(id)`,
      },
      {
        cardinality: 'many-to-one',
        embedding: `${MOVES} with ${PEOPLE}`,
        relationship: `moves_to using ${MOVES}(to_id) and ${PEOPLE}(id)`,
      },
    ]);
    assert.match(String(error.hint), new RegExp(`'${PEOPLE}!moves_from'`));
    assert.match(String(error.hint), new RegExp(`'${PEOPLE}!moves_to'`));
  });

  test('the foreign key name picks the relationship, both ways', async () => {
    const moves = await alice.db
      .from(MOVES)
      .select(`id,origin:${PEOPLE}!moves_from(name),target:${PEOPLE}!moves_to(name)`)
      .order('id');
    assertOk(moves);
    assert.deepEqual(moves.data, [
      { id: 10, origin: { name: 'Ann' }, target: { name: 'Bo' } },
      { id: 11, origin: { name: 'Bo' }, target: { name: 'Cy' } },
      { id: 12, origin: { name: 'Ann' }, target: { name: 'Cy' } },
    ]);

    const people = await alice.db
      .from(PEOPLE)
      .select(`name,outgoing:${MOVES}!moves_from(id),incoming:${MOVES}!moves_to(id)`)
      .order('id')
      .order('id', { referencedTable: 'outgoing' })
      .order('id', { referencedTable: 'incoming' });
    assertOk(people);
    assert.deepEqual(people.data, [
      { name: 'Ann', outgoing: [{ id: 10 }, { id: 12 }], incoming: [] },
      { name: 'Bo', outgoing: [{ id: 11 }], incoming: [{ id: 10 }] },
      { name: 'Cy', outgoing: [], incoming: [{ id: 11 }, { id: 12 }] },
    ]);
  });

  test('a column name works as the hint too', async () => {
    const res = await alice.db.from(MOVES).select(`id,${PEOPLE}!to_id(name)`).eq('id', 11);
    assertOk(res);
    assert.deepEqual(res.data, [{ id: 11, [PEOPLE]: { name: 'Cy' } }]);
  });
});
