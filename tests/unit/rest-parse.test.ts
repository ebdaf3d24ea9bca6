// The REST engine's URL grammar (select trees, filters, logic trees, order, Range) and the
// rule that no caller text ever becomes SQL text: planned statements are checked against
// a hand-made schema cache, without a database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../gateway/src/api/errors.ts';
import type { ApiContext } from '../../gateway/src/api/types.ts';
import { planRequest } from '../../gateway/src/rest/index.ts';
import {
  parseLogic,
  parseOperation,
  parseOrder,
  parseQuery,
  parseRangeHeader,
  parseSelect,
} from '../../gateway/src/rest/parse.ts';
import { key, type Column, type Relation, type SchemaCache } from '../../gateway/src/rest/schema-cache.ts';

function rejects(fn: () => unknown, status: number, code: string) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.deepEqual({ status: error.status, code: error.code }, { status, code });
    return true;
  });
}

const field = (name: string) => ({ name, json: [] });

describe('select', () => {
  test('empty or missing select is *', () => {
    assert.deepEqual(parseSelect(null), [{ type: 'star' }]);
    assert.deepEqual(parseSelect(''), [{ type: 'star' }]);
  });

  test('columns, aliases, casts and JSON paths', () => {
    assert.deepEqual(parseSelect('id, name:title,priority::text,meta->a->>b,x:meta->>0::int'), [
      { type: 'column', field: field('id'), alias: undefined, cast: undefined },
      { type: 'column', field: field('title'), alias: 'name', cast: undefined },
      { type: 'column', field: field('priority'), alias: undefined, cast: 'text' },
      {
        type: 'column',
        field: {
          name: 'meta',
          json: [
            { arrow: '->', key: 'a' },
            { arrow: '->>', key: 'b' },
          ],
        },
        alias: undefined,
        cast: undefined,
      },
      { type: 'column', field: { name: 'meta', json: [{ arrow: '->>', key: '0' }] }, alias: 'x', cast: 'int' },
    ]);
  });

  test('embeds with aliases, hints, !inner, spread and nesting', () => {
    const [embed] = parseSelect('project:projects!tasks_project_fkey!inner(name,tasks(id,labels(*)))');
    assert.deepEqual(embed, {
      type: 'embed',
      name: 'projects',
      alias: 'project',
      hint: 'tasks_project_fkey',
      inner: true,
      spread: false,
      children: [
        { type: 'column', field: field('name'), alias: undefined, cast: undefined },
        {
          type: 'embed',
          name: 'tasks',
          alias: undefined,
          hint: undefined,
          inner: false,
          spread: false,
          children: [
            { type: 'column', field: field('id'), alias: undefined, cast: undefined },
            {
              type: 'embed',
              name: 'labels',
              alias: undefined,
              hint: undefined,
              inner: false,
              spread: false,
              children: [{ type: 'star' }],
            },
          ],
        },
      ],
    });
    const [spread] = parseSelect('...projects(name)');
    assert.equal(spread?.type === 'embed' && spread.spread, true);
    const [empty] = parseSelect('projects!inner()');
    assert.deepEqual(empty?.type === 'embed' && empty.children, []);
  });

  test('quoted identifiers keep punctuation', () => {
    assert.deepEqual(parseSelect('"odd, name"'), [
      { type: 'column', field: field('odd, name'), alias: undefined, cast: undefined },
    ]);
  });

  test('malformed select lists are PGRST100', () => {
    for (const bad of ['id,', 'tasks(id', 'tasks(id))', 'a::', '...id', 'a!b!c!d(x)']) {
      rejects(() => parseSelect(bad), 400, 'PGRST100');
    }
  });

  test('embedding deeper than the limit is refused', () => {
    const deep = `${'a('.repeat(50)}id${')'.repeat(50)}`;
    rejects(() => parseSelect(deep), 400, 'PGRST100');
    assert.doesNotThrow(() => parseSelect(`${'a('.repeat(8)}id${')'.repeat(8)}`));
  });
});

describe('filters', () => {
  test('operators with values taken literally', () => {
    assert.deepEqual(parseOperation(field('title'), 'eq.a.b,c', 'q'), {
      type: 'filter',
      field: field('title'),
      negate: false,
      op: 'eq',
      value: 'a.b,c',
    });
    const not = parseOperation(field('title'), 'not.ilike.*milk*', 'q');
    assert.equal(not.negate, true);
    assert.equal(not.op, 'ilike');
    assert.equal(not.value, '*milk*');
  });

  test('in lists unquote "a,b" and keep the rest', () => {
    assert.deepEqual(parseOperation(field('t'), 'in.(1,"a,b","q\\"x",)', 'q').value, ['1', 'a,b', 'q"x', '']);
    assert.deepEqual(parseOperation(field('t'), 'in.()', 'q').value, []);
    rejects(() => parseOperation(field('t'), 'in.1,2', 'q'), 400, 'PGRST100');
    rejects(() => parseOperation(field('t'), 'in.("open)', 'q'), 400, 'PGRST100');
  });

  test('is accepts only null, not_null, true, false, unknown', () => {
    assert.equal(parseOperation(field('t'), 'is.NULL', 'q').value, 'NULL');
    rejects(() => parseOperation(field('t'), 'is.maybe', 'q'), 400, 'PGRST100');
  });

  test('full-text configurations and any/all quantifiers', () => {
    const f = parseOperation(field('notes'), 'plfts(english).oat milk', 'q');
    assert.deepEqual([f.op, f.config, f.value], ['plfts', 'english', 'oat milk']);
    const any = parseOperation(field('title'), 'like(any).{a*,"b,c"}', 'q');
    assert.deepEqual([any.quantifier, any.value], ['any', ['a*', 'b,c']]);
    rejects(() => parseOperation(field('t'), "fts(english');drop).x", 'q'), 400, 'PGRST100');
    rejects(() => parseOperation(field('t'), 'eq(some).{a}', 'q'), 400, 'PGRST100');
  });

  test('unknown operators and missing operators are PGRST100', () => {
    for (const bad of ['foo.bar', 'eq', 'not.eq', 'EQ.1', '1', '', 'drop table.x']) {
      rejects(() => parseOperation(field('t'), bad, 'q'), 400, 'PGRST100');
    }
  });
});

describe('logic trees', () => {
  test('nested and/or, negation and quoted values', () => {
    const tree = parseLogic('or', false, '(priority.eq.1,and(status.eq.open,title.not.like.*a*),title.eq."x,(y)")');
    assert.equal(tree.op, 'or');
    assert.equal(tree.children.length, 3);
    const [first, and, quoted] = tree.children;
    assert.deepEqual(first, { type: 'filter', field: field('priority'), negate: false, op: 'eq', value: '1' });
    assert.equal(and?.type, 'logic');
    assert.equal(and?.type === 'logic' && and.children[1]?.type === 'filter' && and.children[1].negate, true);
    assert.equal(quoted?.type === 'filter' && quoted.value, 'x,(y)');
  });

  test('in lists and negated sub-trees inside a tree', () => {
    const tree = parseLogic('and', true, '(id.in.(1,2,3),not.or(a.is.null,b.gt.2))');
    assert.equal(tree.negate, true);
    assert.deepEqual(tree.children[0]?.type === 'filter' && tree.children[0].value, ['1', '2', '3']);
    assert.equal(tree.children[1]?.type === 'logic' && tree.children[1].negate, true);
  });

  test('malformed trees are PGRST100', () => {
    for (const bad of ['(a.eq.1', 'a.eq.1', '()', '(a.eq.1,)', '(a.eq.1))', '(and(a.eq.1)', '(a.eq."x)', '(a)']) {
      rejects(() => parseLogic('or', false, bad), 400, 'PGRST100');
    }
  });
});

describe('order and query structure', () => {
  test('order terms with direction, nulls and related columns', () => {
    assert.deepEqual(parseOrder('priority.desc.nullslast,title,projects(name).asc,meta->>k'), [
      { field: field('priority'), dir: 'desc', nulls: 'last' },
      { field: field('title') },
      { field: field('name'), relation: 'projects', dir: 'asc' },
      { field: { name: 'meta', json: [{ arrow: '->>', key: 'k' }] } },
    ]);
    rejects(() => parseOrder('title.sideways'), 400, 'PGRST100');
    rejects(() => parseOrder('title,'), 400, 'PGRST100');
  });

  test('filters, order and limits are grouped by embed path', () => {
    const q = parseQuery(
      new URLSearchParams(
        'select=id,tasks(id)&status=eq.open&tasks.title=like.*a*&tasks.order=position&tasks.limit=2&not.or=(a.eq.1)&limit=5&columns=a,b&on_conflict=id',
      ),
    );
    const root = q.params.get('');
    const tasks = q.params.get('tasks');
    assert.equal(root?.filters.length, 2);
    assert.equal(root?.limit, 5);
    assert.equal(root?.filters[1]?.type === 'logic' && root.filters[1].negate, true);
    assert.equal(tasks?.filters.length, 1);
    assert.equal(tasks?.limit, 2);
    assert.deepEqual(tasks?.order, [{ field: field('position') }]);
    assert.deepEqual(q.columns, ['a', 'b']);
    assert.deepEqual(q.onConflict, ['id']);
  });

  test('columns= and on_conflict= need at least one name, and no empty ones (PostgREST: sepBy1)', () => {
    for (const query of ['columns=', 'columns=a,,b', 'columns=a,', 'columns=%20', 'on_conflict=', 'on_conflict=id,']) {
      rejects(() => parseQuery(new URLSearchParams(query)), 400, 'PGRST100');
    }
    assert.deepEqual(parseQuery(new URLSearchParams('columns=a,%20b')).columns, ['a', 'b']);
  });

  test('too many filters, bad limits', () => {
    const many = new URLSearchParams(Array.from({ length: 101 }, (_, i) => [`c${i}`, 'eq.1']));
    rejects(() => parseQuery(many), 400, 'PGRST100');
    rejects(() => parseQuery(new URLSearchParams('limit=-1')), 400, 'PGRST100');
    rejects(() => parseQuery(new URLSearchParams('offset=1e3')), 400, 'PGRST100');
  });

  test('Range headers', () => {
    assert.deepEqual(parseRangeHeader('0-24'), { offset: 0, limit: 25 });
    assert.deepEqual(parseRangeHeader('10-'), { offset: 10 });
    assert.equal(parseRangeHeader('bytes=0-1'), undefined);
    assert.equal(parseRangeHeader(undefined), undefined);
    rejects(() => parseRangeHeader('5-2'), 416, 'PGRST103');
  });
});

// ---------------------------------------------------------------------------------------
// Planned SQL: identifiers from the cache, values as parameters.

function column(name: string, type: string, udt: string, position: number): Column {
  return {
    name,
    type,
    udt,
    category: 'S',
    nullable: true,
    hasDefault: false,
    generated: false,
    description: null,
    position,
  };
}

function relation(name: string, cols: Column[], pk: string[]): Relation {
  return {
    schema: 'public',
    name,
    kind: 'table',
    columns: new Map(cols.map((c) => [c.name, c])),
    columnList: cols,
    primaryKey: pk,
    uniques: [pk],
    description: null,
    insertable: true,
    updatable: true,
    deletable: true,
  };
}

const cache: SchemaCache = {
  schemas: ['public'],
  relations: new Map([
    [
      key('public', 'tasks'),
      relation(
        'tasks',
        [
          column('id', 'uuid', 'uuid', 1),
          column('project_id', 'uuid', 'uuid', 2),
          column('title', 'text', 'text', 3),
          column('priority', 'smallint', 'int2', 4),
          column('meta', 'jsonb', 'jsonb', 5),
        ],
        ['id'],
      ),
    ],
    [
      key('public', 'projects'),
      relation('projects', [column('id', 'uuid', 'uuid', 1), column('name', 'text', 'text', 2)], ['id']),
    ],
  ]),
  functions: new Map(),
  computed: new Map(),
  relationships: new Map([
    [
      key('public', 'tasks'),
      [
        {
          kind: 'm2o',
          source: { schema: 'public', name: 'tasks' },
          target: { schema: 'public', name: 'projects' },
          constraint: 'tasks_project_id_fkey',
          columns: [['project_id', 'id']],
        },
      ],
    ],
  ]),
  castTypes: new Map([['text', 'text']]),
  schemaDescriptions: new Map(),
  loadedAt: new Date(),
};

function ctx(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): ApiContext {
  const url = new URL(target, 'http://x');
  return {
    caller: { claims: { role: 'authenticated', sub: 'u' }, via: 'jwt' },
    requestId: 'r',
    log: undefined as unknown as ApiContext['log'],
    version: { name: 'v1', schemas: ['public'] },
    method,
    headers: { 'content-type': 'application/json', ...headers },
    path: url.pathname,
    query: url.searchParams,
    rawQuery: url.search.slice(1),
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    settings: {},
  };
}

const HOSTILE = `x'); drop table tasks; -- /* */ "q" $1 \\`;

describe('planned statements', () => {
  test('hostile filter, order and JSON-key values become parameters, never SQL text', () => {
    const target = `/tasks?select=id,meta->>${encodeURIComponent(HOSTILE.replace(/[,()!:.">-]/g, ''))}&title=eq.${encodeURIComponent(
      HOSTILE,
    )}&or=(title.like.${encodeURIComponent(`"${HOSTILE.replace(/["\\]/g, '')}"`)},priority.in.(1,2))`;
    const plan = planRequest(ctx('GET', target), cache);
    assert.ok(!plan.sql.includes('drop table'), plan.sql);
    assert.ok(plan.params.includes(HOSTILE));
    assert.match(plan.sql, /"_0"\."title" = \$\d+::text/);
    assert.match(plan.sql, /"_0"\."priority" = any\(\$\d+::smallint\[\]\)/);
  });

  test('unknown columns (hostile or not) are refused before any SQL exists', () => {
    rejects(() => planRequest(ctx('GET', `/tasks?select=${encodeURIComponent('id;drop')}`), cache), 400, '42703');
    rejects(() => planRequest(ctx('GET', `/tasks?${encodeURIComponent('title--')}=eq.1`), cache), 400, '42703');
    rejects(() => planRequest(ctx('GET', '/tasks?order=nope'), cache), 400, '42703');
    rejects(() => planRequest(ctx('GET', '/tasks?select=id::evil'), cache), 400, '42704');
    rejects(() => planRequest(ctx('POST', '/tasks', { 'title"; drop': 1 }), cache), 400, 'PGRST204');
    rejects(() => planRequest(ctx('GET', '/nope'), cache), 404, 'PGRST205');
    rejects(() => planRequest(ctx('GET', '/tasks?select=id,nope(id)'), cache), 400, 'PGRST200');
  });

  test('writes: body values travel as one JSON parameter; unfiltered PATCH/DELETE are refused', () => {
    const plan = planRequest(ctx('POST', '/tasks', { title: HOSTILE }), cache);
    assert.ok(!plan.sql.includes('drop table'));
    assert.equal(plan.params[0], JSON.stringify([{ title: HOSTILE }]));
    rejects(() => planRequest(ctx('PATCH', '/tasks', { title: 'x' }), cache), 400, '21000');
    rejects(() => planRequest(ctx('PATCH', '/tasks?limit=1', { title: 'x' }), cache), 400, '21000');
    rejects(() => planRequest(ctx('DELETE', '/tasks'), cache), 400, '21000');
    assert.doesNotThrow(() => planRequest(ctx('DELETE', '/tasks?id=eq.1'), cache));
  });

  test('db max rows caps every read', () => {
    const plan = planRequest(ctx('GET', '/tasks?limit=5000'), cache, {
      maxRows: 1000,
      maxUrlBytes: 8192,
      statementTimeoutMs: 1000,
    });
    assert.ok(plan.params.includes(1000));
    rejects(() => planRequest(ctx('GET', `/tasks?title=eq.${'x'.repeat(9000)}`), cache), 414, 'PGRST414');
  });

  test('profiles outside the exposed schemas are 406', () => {
    rejects(
      () => planRequest(ctx('GET', '/tasks', undefined, { 'accept-profile': 'private' }), cache),
      406,
      'PGRST106',
    );
  });
});
