// Horizontal filtering, ordering, pagination and counting through supabase-js: every
// filter method the client has for the operators PostgREST speaks, against the seeded
// workspace (five tasks; see fixtures.ts), asserting the exact rows PostgREST returns.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeServices } from '../../../lib/services.ts';
import { startGateway, type TestGateway } from '../../support/gateway.ts';
import { signUpClient, type TestUser } from '../../support/supabase.ts';
import { assertOk, assertPgrstError, seedWorkspace, type Seed } from './fixtures.ts';

let gw: TestGateway;
let alice: TestUser;
let seed: Seed;

before(async () => {
  gw = await startGateway();
  alice = await signUpClient(gw.url, 'filters');
  seed = await seedWorkspace(alice);
});
after(async () => {
  await gw.close();
  await closeServices();
});

type Query = ReturnType<ReturnType<TestUser['db']['from']>['select']>;

/** Titles of the tasks `filter` keeps, in position order. */
async function titlesWhere(filter: (q: Query) => Query): Promise<string[]> {
  const res = await filter(alice.db.from('tasks').select('title')).order('position');
  assertOk(res);
  return (res.data as { title: string }[]).map((r) => r.title);
}

const MILK = 'Buy milk';
const RENT = 'Pay rent';
const REPORT = 'Write quarterly report';
const PLUMBER = 'Call the plumber';
const REVIEW = 'Review pull request (50%)';

describe('comparison operators', () => {
  test('eq / neq', async () => {
    assert.deepEqual(await titlesWhere((q) => q.eq('priority', 1)), [MILK, REPORT]);
    assert.deepEqual(await titlesWhere((q) => q.neq('status', 'open')), [REPORT]);
    assert.deepEqual(await titlesWhere((q) => q.eq('id', seed.tasks.plumber)), [PLUMBER]);
  });

  test('gt / gte / lt / lte on numbers and dates', async () => {
    assert.deepEqual(await titlesWhere((q) => q.gt('priority', 2)), [PLUMBER, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.gte('priority', 3)), [PLUMBER, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.lt('priority', 2)), [MILK, REPORT]);
    assert.deepEqual(await titlesWhere((q) => q.lte('priority', 2)), [MILK, RENT, REPORT]);
    assert.deepEqual(await titlesWhere((q) => q.gte('due_date', '2026-12-01')), [MILK, RENT]);
    assert.deepEqual(await titlesWhere((q) => q.lt('due_date', '2026-12-01')), [PLUMBER]);
    assert.deepEqual(
      await titlesWhere((q) => q.gt('due_at', '2026-12-01T00:00:00Z').lt('due_at', '2026-12-02T00:00:00Z')),
      [MILK],
    );
  });

  test('several filters on one request are ANDed', async () => {
    assert.deepEqual(await titlesWhere((q) => q.eq('priority', 1).eq('status', 'open')), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.gte('priority', 2).lte('priority', 3)), [RENT, REVIEW]);
  });

  test('a value of the wrong type is a 400 with PostgreSQL code 22P02', async () => {
    const res = await alice.db.from('tasks').select('id').eq('priority', 'high');
    const error = assertPgrstError(res, 400, '22P02');
    assert.equal(error.message, 'invalid input syntax for type smallint: "high"');
  });
});

describe('null semantics and literal values', () => {
  test('neq and not.eq follow SQL: rows where the column is null do not match', async () => {
    assert.deepEqual(await titlesWhere((q) => q.neq('due_date', '2026-12-01')), [RENT, PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.not('due_date', 'eq', '2026-12-01')), [RENT, PLUMBER]);
  });

  test('a timestamp with an offset survives the query string (+ is not a space)', async () => {
    assert.deepEqual(await titlesWhere((q) => q.eq('due_at', '2026-12-02T00:59:59+01:00')), [MILK]);
  });

  test('a backslash escapes a LIKE wildcard, so % can be matched literally', async () => {
    assert.deepEqual(await titlesWhere((q) => q.like('title', '%50\\%%')), [REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.like('title', '%5\\%%')), []);
  });

  test('non-ASCII values round-trip through filters', async () => {
    const id = (
      await alice.db
        .from('tasks')
        .insert({ workspace_id: alice.workspaceId, title: 'Café ☕ für Zoë', priority: 4, position: 99 })
        .select('id')
        .single()
    ).data as { id: string };
    try {
      assert.deepEqual(await titlesWhere((q) => q.eq('title', 'Café ☕ für Zoë')), ['Café ☕ für Zoë']);
      assert.deepEqual(await titlesWhere((q) => q.ilike('title', 'CAFÉ%')), ['Café ☕ für Zoë']);
    } finally {
      assertOk(await alice.db.from('tasks').delete().eq('id', id.id), 204);
    }
  });
});

describe('pattern matching', () => {
  test('like is case-sensitive; % and * are both wildcards', async () => {
    assert.deepEqual(await titlesWhere((q) => q.like('title', '%rent%')), [RENT]);
    assert.deepEqual(await titlesWhere((q) => q.like('title', '*milk')), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.like('title', '%MILK%')), []);
  });

  test('ilike ignores case', async () => {
    assert.deepEqual(await titlesWhere((q) => q.ilike('title', '%MILK%')), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.ilike('notes', '*the*')), [REPORT, REVIEW]);
  });

  test('values with commas, parentheses and percent signs are matched literally', async () => {
    assert.deepEqual(await titlesWhere((q) => q.eq('title', REVIEW)), [REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.eq('notes', 'the parser, comma, and parens')), [REVIEW]);
  });
});

describe('quantified and regular-expression matches (beyond issue 3 section 1)', () => {
  test('likeAnyOf / ilikeAllOf', async () => {
    assert.deepEqual(await titlesWhere((q) => q.likeAnyOf('title', ['%milk%', '%rent%'])), [MILK, RENT]);
    assert.deepEqual(await titlesWhere((q) => q.ilikeAllOf('title', ['%A%', '%R%'])), [RENT, REPORT, PLUMBER]);
  });

  test('regexMatch / regexIMatch', async () => {
    assert.deepEqual(await titlesWhere((q) => q.regexMatch('title', '^[BP]')), [MILK, RENT]);
    assert.deepEqual(await titlesWhere((q) => q.regexIMatch('title', '^call|^write')), [REPORT, PLUMBER]);
  });
});

describe('in, is, not', () => {
  test('in() matches any of a list, quoting values with reserved characters', async () => {
    assert.deepEqual(await titlesWhere((q) => q.in('id', [seed.tasks.plumber, seed.tasks.milk])), [MILK, PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.in('title', [REVIEW, RENT, 'nope'])), [RENT, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.in('priority', [])), []);
  });

  test('is null / is not null', async () => {
    assert.deepEqual(await titlesWhere((q) => q.is('due_date', null)), [REPORT, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.is('deleted_at', null)), [MILK, RENT, REPORT, PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.not('deleted_at', 'is', null)), [REVIEW]);
  });

  test('not() negates any operator', async () => {
    assert.deepEqual(await titlesWhere((q) => q.not('priority', 'in', '(1,2)')), [PLUMBER, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.not('title', 'ilike', '%e%')), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.not('status', 'eq', 'open')), [REPORT]);
    assert.deepEqual(await titlesWhere((q) => q.notIn('priority', [1, 4])), [RENT, REVIEW]);
  });
});

describe('or / and', () => {
  test('or() combines conditions', async () => {
    assert.deepEqual(await titlesWhere((q) => q.or('priority.eq.4,status.eq.completed')), [REPORT, PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.or('due_date.is.null,priority.gte.4')), [REPORT, PLUMBER, REVIEW]);
  });

  test('or() nests and() and accepts negated operators', async () => {
    assert.deepEqual(await titlesWhere((q) => q.or('and(priority.eq.1,status.eq.open),title.eq.Pay rent')), [
      MILK,
      RENT,
    ]);
    assert.deepEqual(
      await titlesWhere((q) => q.or('and(priority.lt.3,status.not.eq.open),and(priority.gt.3,due_date.not.is.null)')),
      [REPORT, PLUMBER],
    );
  });

  test('or() quotes values holding reserved characters', async () => {
    assert.deepEqual(await titlesWhere((q) => q.or(`title.eq."${REVIEW}",title.eq.${MILK}`)), [MILK, REVIEW]);
  });

  test('the usual search box: or() of ilike on several columns, with % or * wildcards', async () => {
    assert.deepEqual(await titlesWhere((q) => q.or('title.ilike.%milk%,notes.ilike.%milk%')), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.or('title.ilike.*BOARD*,notes.ilike.*board*')), [REPORT]);
  });

  test('not in with quoted values', async () => {
    assert.deepEqual(await titlesWhere((q) => q.not('title', 'in', `("${REVIEW}","${RENT}")`)), [
      MILK,
      REPORT,
      PLUMBER,
    ]);
  });

  test('or() is ANDed with the other filters', async () => {
    assert.deepEqual(await titlesWhere((q) => q.eq('status', 'open').or('priority.eq.1,priority.eq.4')), [
      MILK,
      PLUMBER,
    ]);
  });

  test('a malformed logic tree is a 400 with PGRST100', async () => {
    const res = await alice.db.from('tasks').select('id').or('priority.eq.1,(status');
    assertPgrstError(res, 400, 'PGRST100');
  });
});

describe('match and filter', () => {
  test('match() is eq on every key', async () => {
    assert.deepEqual(await titlesWhere((q) => q.match({ priority: 1, status: 'open' })), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.match({ project_id: seed.projects.work, priority: 3 })), [REVIEW]);
  });

  test('filter() passes the raw PostgREST operator', async () => {
    assert.deepEqual(await titlesWhere((q) => q.filter('priority', 'in', '(3,4)')), [PLUMBER, REVIEW]);
    assert.deepEqual(await titlesWhere((q) => q.filter('title', 'ilike', '*plumber*')), [PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.filter('due_date', 'is', 'null')), [REPORT, REVIEW]);
  });

  test('an unknown operator is a 400 with PGRST100', async () => {
    const res = await alice.db.from('tasks').select('id').filter('priority', 'approx', '1');
    assertPgrstError(res, 400, 'PGRST100');
  });

  test('a filter on an unknown column is a 400 with 42703', async () => {
    const res = await alice.db.from('tasks').select('id').eq('nope', 1);
    assertPgrstError(res, 400, '42703');
  });
});

describe('full-text search on text columns', () => {
  test('textSearch() uses to_tsquery (fts)', async () => {
    assert.deepEqual(await titlesWhere((q) => q.textSearch('notes', "'oat' & 'milk'")), [MILK]);
    assert.deepEqual(await titlesWhere((q) => q.textSearch('notes', 'kitchen | board')), [REPORT, PLUMBER]);
  });

  test('a text search configuration changes stemming', async () => {
    assert.deepEqual(await titlesWhere((q) => q.textSearch('title', 'plumbers', { config: 'english' })), [PLUMBER]);
    assert.deepEqual(await titlesWhere((q) => q.textSearch('title', 'plumbers', { config: 'simple' })), []);
  });

  test('plain (plfts), phrase (phfts) and websearch (wfts) queries', async () => {
    assert.deepEqual(
      await titlesWhere((q) => q.textSearch('notes', 'board meeting', { type: 'plain', config: 'english' })),
      [REPORT],
    );
    assert.deepEqual(
      await titlesWhere((q) => q.textSearch('notes', 'oat milk', { type: 'phrase', config: 'english' })),
      [MILK],
    );
    assert.deepEqual(
      await titlesWhere((q) => q.textSearch('notes', 'milk oat', { type: 'phrase', config: 'english' })),
      [],
    );
    assert.deepEqual(
      await titlesWhere((q) => q.textSearch('notes', 'board or leaking', { type: 'websearch', config: 'english' })),
      [REPORT, PLUMBER],
    );
    assert.deepEqual(
      await titlesWhere((q) => q.textSearch('notes', 'milk -oat', { type: 'websearch', config: 'english' })),
      [],
    );
  });

  test('not() negates a text search', async () => {
    assert.deepEqual(await titlesWhere((q) => q.is('deleted_at', null).not('notes', 'plfts(english)', 'milk')), [
      RENT,
      REPORT,
      PLUMBER,
    ]);
  });
});

describe('order', () => {
  test('several columns, asc and desc', async () => {
    const res = await alice.db.from('tasks').select('title').order('priority', { ascending: false }).order('position');
    assertOk(res);
    assert.deepEqual(
      (res.data as { title: string }[]).map((r) => r.title),
      [PLUMBER, REVIEW, RENT, MILK, REPORT],
    );
  });

  test('nullsFirst / nulls last', async () => {
    const first = await alice.db
      .from('tasks')
      .select('title')
      .order('due_date', { ascending: true, nullsFirst: true })
      .order('position');
    assertOk(first);
    assert.deepEqual(
      (first.data as { title: string }[]).map((r) => r.title),
      [REPORT, REVIEW, PLUMBER, MILK, RENT],
    );

    const last = await alice.db
      .from('tasks')
      .select('title')
      .order('due_date', { ascending: false, nullsFirst: false })
      .order('position', { ascending: false });
    assertOk(last);
    assert.deepEqual(
      (last.data as { title: string }[]).map((r) => r.title),
      [RENT, MILK, PLUMBER, REVIEW, REPORT],
    );
  });

  test('desc puts nulls first by default, as PostgreSQL does', async () => {
    const res = await alice.db.from('tasks').select('title').order('due_date', { ascending: false }).order('position');
    assertOk(res);
    assert.deepEqual(
      (res.data as { title: string }[]).map((r) => r.title),
      [REPORT, REVIEW, RENT, MILK, PLUMBER],
    );
  });

  test('ordering by an unknown column is a 400 with 42703', async () => {
    const res = await alice.db.from('tasks').select('id').order('nope');
    assertPgrstError(res, 400, '42703');
  });
});

describe('limit, range and count', () => {
  test('limit() and range()', async () => {
    const limited = await alice.db.from('tasks').select('title').order('position').limit(2);
    assertOk(limited);
    assert.deepEqual(limited.data, [{ title: MILK }, { title: RENT }]);

    const ranged = await alice.db.from('tasks').select('title').order('position').range(1, 3);
    assertOk(ranged);
    assert.deepEqual(ranged.data, [{ title: RENT }, { title: REPORT }, { title: PLUMBER }]);

    const past = await alice.db.from('tasks').select('title').order('position').range(10, 19);
    assertOk(past);
    assert.deepEqual(past.data, []);
  });

  test("count: 'exact' gives the total; a partial page is 206 Partial Content", async () => {
    const page = await alice.db.from('tasks').select('id', { count: 'exact' }).order('position').range(0, 1);
    assertOk(page, 206);
    assert.equal(page.count, 5);
    assert.equal(page.data?.length, 2);

    const all = await alice.db.from('tasks').select('id', { count: 'exact' });
    assertOk(all, 200);
    assert.equal(all.count, 5);

    const filtered = await alice.db.from('tasks').select('id', { count: 'exact' }).eq('status', 'open').limit(1);
    assertOk(filtered, 206);
    assert.equal(filtered.count, 4);
  });

  test('without a count preference the count is null', async () => {
    const res = await alice.db.from('tasks').select('id').limit(2);
    assertOk(res);
    assert.equal(res.count, null);
  });

  test('head: true returns only the count', async () => {
    const res = await alice.db.from('tasks').select('*', { count: 'exact', head: true }).eq('priority', 1);
    assertOk(res);
    assert.equal(res.data, null);
    assert.equal(res.count, 2);
  });

  test("count: 'planned' is the planner's estimate, a non-negative integer", async () => {
    const res = await alice.db.from('tasks').select('id', { count: 'planned' });
    assert.equal(res.error, null, JSON.stringify(res.error));
    assert.ok([200, 206].includes(res.status), `status ${res.status}`);
    assert.ok(Number.isInteger(res.count) && (res.count as number) >= 0, `count was ${res.count}`);
    assert.equal(res.data?.length, 5);
  });

  test("count: 'estimated' is exact below the max-rows threshold", async () => {
    const res = await alice.db.from('tasks').select('id', { count: 'estimated' }).limit(3);
    assertOk(res, 206);
    assert.equal(res.count, 5);
  });

  test('a range starting past the counted total is a 416 with PGRST103', async () => {
    const res = await alice.db.from('tasks').select('id', { count: 'exact' }).range(10, 12);
    const error = assertPgrstError(res, 416, 'PGRST103');
    assert.equal(error.message, 'Requested range not satisfiable');
    assert.equal(error.details, 'An offset of 10 was requested, but there are only 5 rows.');
  });

  test('range boundaries follow PostgREST: empty 200, offset at the total 206, past it 416', async () => {
    const none = await alice.db.from('tasks').select('id', { count: 'exact' }).eq('title', 'none').range(0, 9);
    assertOk(none, 200);
    assert.deepEqual(none.data, []);
    assert.equal(none.count, 0);

    const exact = await alice.db.from('tasks').select('id', { count: 'exact' }).range(0, 4);
    assertOk(exact, 200);
    assert.equal(exact.data?.length, 5);

    const atEnd = await alice.db.from('tasks').select('id', { count: 'exact' }).range(5, 9);
    assertOk(atEnd, 206);
    assert.deepEqual(atEnd.data, []);
    assert.equal(atEnd.count, 5);

    const zero = await alice.db.from('tasks').select('id', { count: 'exact' }).limit(0);
    assertOk(zero, 206);
    assert.deepEqual(zero.data, []);
    assert.equal(zero.count, 5);

    assertPgrstError(await alice.db.from('tasks').select('id', { count: 'exact' }).range(6, 9), 416, 'PGRST103');
  });

  test('count works together with embedding and !inner', async () => {
    const res = await alice.db
      .from('tasks')
      .select('title,labels!inner(name)', { count: 'exact' })
      .eq('labels.name', 'urgent')
      .order('position');
    assertOk(res);
    assert.equal(res.count, 2);
    assert.deepEqual(res.data, [
      { title: MILK, labels: [{ name: 'urgent' }] },
      { title: RENT, labels: [{ name: 'urgent' }] },
    ]);
  });
});

describe('operators the schema has no column for', () => {
  // tasks, projects and labels have no array, jsonb or range column, so cs/cd/ov have
  // nothing to apply to; on a text column PostgreSQL has no such operator.
  test('contains() on a text column is refused with a 4xx, never a 500', async () => {
    const res = await alice.db.from('tasks').select('id').contains('title', ['milk']);
    assert.ok(res.error, 'an error');
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  });
});
