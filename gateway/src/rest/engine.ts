// Request → statement planning for the REST engine, separate from I/O so the benchmark
// (and tests) can ask for the exact SQL and parameters a request runs.
import type { Config } from '../../../lib/config.ts';
import { ApiError } from '../api/errors.ts';
import type { ApiContext } from '../api/types.ts';
import {
  argValue,
  buildRead,
  Builder,
  callSql,
  conditionSql,
  findRelation,
  ident,
  orderSql,
  qualified,
  type CountMode,
  type Statement,
} from './build.ts';
import { negotiate, parsePrefer, type MediaType, type Prefer } from './http.ts';
import { parseQuery, parseRangeHeader, type ParsedQuery, type SelectItem } from './parse.ts';
import type { PgFunction, Relation, SchemaCache } from './schema-cache.ts';
import { key } from './schema-cache.ts';

export type EngineLimits = {
  /** PostgREST's db-max-rows: the most rows one read returns. */
  maxRows: number;
  /** Longest accepted request target (path + query), in bytes. */
  maxUrlBytes: number;
  /** statement_timeout for every request's transaction, in milliseconds. */
  statementTimeoutMs: number;
};

export const DEFAULT_LIMITS: EngineLimits = { maxRows: 1000, maxUrlBytes: 8192, statementTimeoutMs: 10_000 };

/** The limits a running gateway plans with (db-max-rows and the statement timeout are configuration). */
export function engineLimits(cfg: Pick<Config, 'API_MAX_ROWS' | 'API_STATEMENT_TIMEOUT_MS'>): EngineLimits {
  return { ...DEFAULT_LIMITS, maxRows: cfg.API_MAX_ROWS, statementTimeoutMs: cfg.API_STATEMENT_TIMEOUT_MS };
}

/** What to run and how to shape the answer. */
export type Plan = {
  sql: string;
  params: unknown[];
  kind: 'read' | 'write' | 'rpc-scalar' | 'rpc-void';
  schema: string;
  media: MediaType;
  prefer: Prefer;
  /** Status of a successful answer before range/count adjustments. */
  status: number;
  /** Whether the body is returned (false for return=minimal/headers-only). */
  returnBody: boolean;
  /** The single composite a function returns: the body is one object, not an array. */
  singleRow: boolean;
  offset: number;
  count: CountMode;
  /** For count=planned / estimated: a statement whose plan estimates the total. */
  planSql?: Statement;
  /** headers-only / minimal single insert: where the created row can be read. */
  location?: { table: string; columns: string[] };
  /** Prefer: max-affected with handling=strict (PATCH/DELETE). */
  maxAffected?: number;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function profileSchema(ctx: ApiContext, cache: SchemaCache): string {
  const read = ctx.method === 'GET' || ctx.method === 'HEAD';
  const header = read ? ctx.headers['accept-profile'] : ctx.headers['content-profile'];
  const exposed = ctx.version.schemas.filter((s) => cache.schemas.includes(s));
  const wanted = typeof header === 'string' && header.trim() ? header.trim() : exposed[0];
  if (!wanted || !exposed.includes(wanted)) {
    throw new ApiError(406, 'PGRST106', `Invalid schema: ${String(wanted ?? '').slice(0, 63)}`, {
      details: null,
      hint: `Only the following schemas are exposed: ${exposed.join(', ')}`,
    });
  }
  return wanted;
}

function readBody(ctx: ApiContext): unknown {
  const type = String(ctx.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json' && type !== 'application/vnd.pgrst.object+json' && type !== '') {
    throw new ApiError(415, 'PGRST107', `The Content-Type "${type?.slice(0, 100)}" is not acceptable`, {
      hint: 'Send the body as application/json.',
    });
  }
  const text = ctx.body?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'PGRST102', 'Empty or invalid json', { details: 'The request body is not valid JSON.' });
  }
}

function rangeOf(ctx: ApiContext, q: ParsedQuery, limits: EngineLimits): { offset: number; limit: number } {
  const root = q.params.get('') ?? { filters: [] };
  const header =
    ctx.method === 'GET' || ctx.method === 'HEAD'
      ? parseRangeHeader(typeof ctx.headers.range === 'string' ? ctx.headers.range : undefined)
      : undefined;
  const offset = root.offset ?? header?.offset ?? 0;
  let limit = root.limit;
  if (header?.limit !== undefined && root.offset === undefined) {
    limit = limit === undefined ? header.limit : Math.min(limit, header.limit);
  }
  return { offset, limit: Math.min(limit ?? limits.maxRows, limits.maxRows) };
}

function starOr(items: SelectItem[]): SelectItem[] {
  return items.length ? items : [{ type: 'star' }];
}

function checkColumns(rel: Relation, names: Iterable<string>) {
  for (const name of names) {
    if (!rel.columns.has(name)) {
      throw new ApiError(400, 'PGRST204', `Could not find the '${name}' column of '${rel.name}' in the schema cache`);
    }
  }
}

/** The verbs a table or view takes (OPTIONS' Allow, and a 405's). */
export function relationVerbs(rel: Relation): string {
  const verbs = ['OPTIONS', 'GET', 'HEAD'];
  if (rel.insertable) verbs.push('POST', 'PUT');
  if (rel.updatable) verbs.push('PATCH');
  if (rel.deletable) verbs.push('DELETE');
  return verbs.join(',');
}

const VIEW_WRITES = {
  insert: ['insert into', 'inserting into', 'INSERT'],
  update: ['update', 'updating', 'UPDATE'],
  delete: ['delete from', 'deleting from', 'DELETE'],
} as const;

/**
 * A write to a view Postgres cannot write through. Postgres refuses it with 55000, which
 * PostgREST answers as a 500; the catalog already knows (pg_relation_is_updatable), so
 * this answers before anything runs: 405 with Allow, and Postgres's code, message and hint.
 */
function notWritable(rel: Relation, verb: keyof typeof VIEW_WRITES): ApiError {
  const [does, doing, command] = VIEW_WRITES[verb];
  return new ApiError(405, '55000', `cannot ${does} view "${rel.name}"`, {
    details: null,
    hint: `To enable ${doing} the view, provide an INSTEAD OF ${command} trigger or an unconditional ON ${command} DO INSTEAD rule.`,
    headers: { allow: relationVerbs(rel) },
  });
}

function requireFilters(q: ParsedQuery, verb: 'UPDATE' | 'DELETE') {
  const root = q.params.get('');
  if (!root || root.filters.length === 0) {
    throw new ApiError(400, '21000', `${verb} requires a WHERE clause`, {
      details: 'A filter is required: an unfiltered request would change every row you can see.',
      hint: 'Add a filter such as id=eq.<id>.',
    });
  }
}

/** Plans a table/view request (GET/HEAD/POST/PATCH/DELETE/PUT). */
export function planTable(ctx: ApiContext, cache: SchemaCache, limits: EngineLimits, table: string): Plan {
  const schema = profileSchema(ctx, cache);
  const rel = findRelation(cache, schema, table);
  const prefer = parsePrefer(ctx.headers);
  const b = new Builder(cache, schema);
  const q = parseQuery(ctx.query);
  const method = ctx.method;
  const accept = typeof ctx.headers.accept === 'string' ? ctx.headers.accept : undefined;
  const base = { schema, prefer, singleRow: false };

  if (method === 'GET' || method === 'HEAD') {
    const media = negotiate(accept, ['json', 'object', 'csv']);
    const { offset, limit } = rangeOf(ctx, q, limits);
    const count = prefer.count;
    if (count) prefer.applied.push(`count=${count}`);
    // estimated: counted exactly, replaced by the planner's estimate above db-max-rows.
    const exact = count === 'exact' || count === 'estimated' ? 'exact' : undefined;
    const explain = count === 'planned' || count === 'estimated';
    const read = buildRead(b, q, {
      from: qualified(schema, rel.name),
      rel,
      offset,
      limit,
      count: exact,
      filter: true,
      explain,
    });
    const plan: Plan = {
      ...base,
      sql: read.sql,
      params: read.params,
      kind: 'read',
      media,
      status: 200,
      returnBody: true,
      offset,
      count,
    };
    // The EXPLAINed statement is the read's own counting part: every join an embed
    // filter, !inner or null filter needs, with the root filters, without paging.
    if (explain) plan.planSql = read.counted;
    return plan;
  }

  if (method !== 'POST' && method !== 'PATCH' && method !== 'DELETE' && method !== 'PUT') {
    throw new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${method.slice(0, 20)}`);
  }
  const media = negotiate(accept, ['json', 'object', 'csv']);
  const ret = prefer.return ?? 'minimal';
  const maxAffected =
    (method === 'PATCH' || method === 'DELETE') && prefer.handling === 'strict' ? prefer.maxAffected : undefined;
  if (maxAffected !== undefined) prefer.applied.push(`max-affected=${maxAffected}`);
  if (prefer.return) prefer.applied.push(`return=${ret}`);
  if (prefer.count === 'exact') prefer.applied.push('count=exact');
  const body = method === 'DELETE' ? undefined : readBody(ctx);
  const target = `${qualified(schema, rel.name)}`;
  let cte: string;
  let status: number;
  let location: Plan['location'];

  const returning = (alias: string) => {
    if (ret === 'representation') return `${alias}.*`;
    if (ret === 'headers-only' && rel.primaryKey.length)
      return rel.primaryKey.map((c) => `${alias}.${ident(c)}`).join(', ');
    return '1';
  };

  if (method === 'POST' || method === 'PUT') {
    if (!rel.insertable) throw notWritable(rel, 'insert');
    const rows = Array.isArray(body) ? body : [body];
    if (body === undefined || !rows.every(isObject)) {
      throw new ApiError(400, 'PGRST102', 'Empty or invalid json', {
        details: 'The body must be a JSON object or an array of objects.',
      });
    }
    let columns: string[];
    if (q.columns) {
      columns = q.columns;
    } else {
      columns = Object.keys(rows[0] ?? {});
      const sig = [...columns].sort().join('\u0000');
      if (rows.some((r) => Object.keys(r).sort().join('\u0000') !== sig)) {
        throw new ApiError(400, 'PGRST102', 'All object keys must match', {
          details: 'Every object in a bulk insert needs the same keys, or use the columns parameter.',
        });
      }
    }
    checkColumns(rel, columns);
    const cols = columns.map(ident).join(', ');
    let source: string;
    if (rows.length === 0) {
      source = '';
    } else if (columns.length === 0) {
      // Objects without keys: one row of defaults each (PostgREST inserts them the same way).
      source = `values ${rows.map(() => '(default)').join(', ')}`;
    } else if (prefer.missing === 'default') {
      prefer.applied.push('missing=default');
      if (rows.length * Math.max(columns.length, 1) > 30_000) {
        throw new ApiError(400, 'PGRST102', 'Too many values for missing=default', {
          details: 'Split the request: at most 30,000 values per insert with missing=default.',
        });
      }
      source = `values ${rows
        .map(
          (r) =>
            `(${columns
              .map((c) => {
                if (!Object.hasOwn(r, c)) return 'default';
                const type = rel.columns.get(c)?.type ?? 'text';
                return b.bind(argValue(r[c], type), type);
              })
              .join(', ')})`,
        )
        .join(', ')}`;
    } else {
      source = `select ${cols} from json_populate_recordset(null::${target}, ${b.bind(JSON.stringify(rows), 'json')})`;
    }
    let conflict = '';
    const upsert = method === 'PUT' || prefer.resolution !== undefined;
    if (upsert) {
      const on = q.onConflict ?? rel.primaryKey;
      checkColumns(rel, on);
      if (on.length === 0) throw new ApiError(400, '42P10', 'there is no unique or exclusion constraint for an upsert');
      const resolution = method === 'PUT' ? 'merge-duplicates' : prefer.resolution;
      if (prefer.resolution) prefer.applied.push(`resolution=${prefer.resolution}`);
      // The conflict-target columns are left out of SET: on a conflict they are equal by
      // definition, and naming them would need UPDATE privilege on keys (workspace_id, id)
      // that the grants rightly withhold. PostgREST sets them too; the result is the same.
      const merged = columns.filter((c) => !on.includes(c));
      conflict =
        resolution === 'ignore-duplicates' || merged.length === 0
          ? ` on conflict (${on.map(ident).join(', ')}) do nothing`
          : ` on conflict (${on.map(ident).join(', ')}) do update set ${merged
              .map((c) => `${ident(c)} = excluded.${ident(c)}`)
              .join(', ')}`;
    }
    if (method === 'PUT') {
      // PUT replaces one row named by its full primary key in the filters.
      const root = q.params.get('') ?? { filters: [] };
      const pkEq = new Map<string, string>();
      for (const f of root.filters) {
        if (f.type === 'filter' && f.op === 'eq' && !f.negate && f.field.json.length === 0) {
          pkEq.set(f.field.name, f.value as string);
        }
      }
      if (
        rows.length !== 1 ||
        rel.primaryKey.length === 0 ||
        root.filters.length !== rel.primaryKey.length ||
        !rel.primaryKey.every((c) => pkEq.has(c))
      ) {
        throw new ApiError(405, 'PGRST105', 'Filters must include all and only primary key columns with eq operators');
      }
      const row = rows[0] as Record<string, unknown>;
      if (!rel.primaryKey.every((c) => Object.hasOwn(row, c) && String(row[c]) === pkEq.get(c))) {
        throw new ApiError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');
      }
    }
    const colList = columns.length ? ` (${cols})` : '';
    cte =
      rows.length === 0
        ? `with _w as (select "_i".* from ${target} as "_i" where false) `
        : `with _w as (insert into ${target} as "_i"${colList} ${source}${conflict} returning ${returning('"_i"')}) `;
    status = method === 'PUT' ? 200 : 201;
    if (ret === 'headers-only' && rows.length === 1 && rel.primaryKey.length) {
      location = { table: rel.name, columns: rel.primaryKey };
    }
  } else {
    if (!(method === 'PATCH' ? rel.updatable : rel.deletable))
      throw notWritable(rel, method === 'PATCH' ? 'update' : 'delete');
    requireFilters(q, method === 'PATCH' ? 'UPDATE' : 'DELETE');
    const root = q.params.get('') ?? { filters: [] };
    const alias = b.alias();
    const where = root.filters.map((f) => conditionOnTable(b, rel, alias, f));
    // order/limit on a write: only the first `limit` matching rows (by ctid, as PostgREST).
    if (root.limit !== undefined || root.offset !== undefined) {
      const inner = b.alias();
      const innerWhere = root.filters.map((f) => conditionOnTable(b, rel, inner, f));
      let sub = `select ${inner}.ctid from ${target} as ${inner} where ${innerWhere.join(' and ')}`;
      if (root.order?.length) sub += ` order by ${orderOnTable(b, rel, inner, root.order)}`;
      if (root.limit !== undefined) sub += ` limit ${b.bind(root.limit, 'bigint')}`;
      if (root.offset !== undefined) sub += ` offset ${b.bind(root.offset, 'bigint')}`;
      where.push(`${alias}.ctid = any(array(${sub}))`);
    }
    if (method === 'PATCH') {
      if (!isObject(body)) {
        throw new ApiError(400, 'PGRST102', 'Empty or invalid json', { details: 'PATCH takes one JSON object.' });
      }
      const columns = Object.keys(body);
      checkColumns(rel, columns);
      if (columns.length === 0) {
        // Nothing to set: PostgREST answers without touching a row.
        cte = `with _w as (select ${alias}.* from ${target} as ${alias} where false and ${where.join(' and ')}) `;
      } else {
        const p = ident('_p');
        cte = `with _w as (update ${target} as ${alias} set ${columns
          .map((c) => `${ident(c)} = ${p}.${ident(c)}`)
          .join(
            ', ',
          )} from json_populate_record(null::${target}, ${b.bind(JSON.stringify(body), 'json')}) as ${p} where ${where.join(
          ' and ',
        )} returning ${returning(alias)}) `;
      }
    } else {
      cte = `with _w as (delete from ${target} as ${alias} where ${where.join(' and ')} returning ${returning(alias)}) `;
    }
    status = 200;
  }

  const representation = ret === 'representation';
  if (representation) {
    const read = buildRead(
      b,
      { ...q, select: starOr(q.select) },
      {
        from: '_w',
        rel,
        offset: 0,
        limit: undefined,
        count: undefined,
        filter: false,
        with: cte,
      },
    );
    return {
      ...base,
      sql: read.sql,
      params: read.params,
      kind: 'write',
      media,
      status,
      returnBody: true,
      offset: 0,
      count: undefined,
      location,
      maxAffected,
    };
  }
  const pk = location ? `, coalesce((select row_to_json(_w) from _w limit 1)::text, '') as pk` : '';
  const sql = `${cte}select '' as body, (select count(*) from _w) as page, null::bigint as total${pk}`;
  return {
    ...base,
    sql,
    params: b.params,
    kind: 'write',
    media,
    status: method === 'POST' ? 201 : 204,
    returnBody: false,
    offset: 0,
    count: undefined,
    location,
    maxAffected,
  };
}

// Root conditions of a write: no embeds in scope.
function conditionOnTable(b: Builder, rel: Relation, alias: string, f: Parameters<typeof conditionSql>[3]) {
  return conditionSql(b, rel, alias, f, new Map());
}
function orderOnTable(b: Builder, rel: Relation, alias: string, terms: Parameters<typeof orderSql>[3]) {
  return orderSql(b, rel, alias, terms, new Map());
}

// ---------------------------------------------------------------------------------------
// RPC

function functionNotFound(schema: string, name: string, args: string[]): ApiError {
  return new ApiError(
    404,
    'PGRST202',
    `Could not find the function ${schema}.${name}(${args.join(', ')}) in the schema cache`,
    {
      details: `Searched for the function ${schema}.${name} with parameter${args.length === 1 ? '' : 's'} ${args.join(', ') || '(none)'}, but no matches were found in the schema cache.`,
      hint: null,
    },
  );
}

export function planRpc(ctx: ApiContext, cache: SchemaCache, limits: EngineLimits, name: string): Plan {
  const method = ctx.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    throw new ApiError(405, 'PGRST101', 'For functions, only GET and POST verbs are allowed');
  }
  const schema = profileSchema(ctx, cache);
  const overloads = cache.functions.get(key(schema, name)) ?? [];
  const prefer = parsePrefer(ctx.headers);
  const argNames = new Set(overloads.flatMap((f) => f.args.map((a) => a.name)));
  const q = parseQuery(ctx.query, method === 'POST' ? () => false : (n) => argNames.has(n));
  const read = method !== 'POST';
  // The overload taking one json/jsonb argument: it can take the whole body.
  const jsonOverload = overloads.find((f) => f.args.length === 1 && /^jsonb?$/.test(f.args[0]?.type ?? ''));
  let args = new Map<string, unknown>();
  let whole: unknown;
  let hasBody = false;
  if (read) {
    for (const [k, v] of q.rest) args.set(k, v);
  } else {
    const body = readBody(ctx);
    hasBody = body !== undefined;
    whole = body;
    if (body !== undefined && !isObject(body) && prefer.params !== 'single-object') {
      if (!jsonOverload)
        throw new ApiError(400, 'PGRST102', 'Empty or invalid json', {
          details: 'Send the arguments as a JSON object.',
        });
    }
    if (isObject(body)) args = new Map(Object.entries(body));
  }
  const given = [...args.keys()];
  let fn: PgFunction | undefined;
  let singleObject: unknown;
  if (prefer.params === 'single-object' || (hasBody && !isObject(whole))) {
    fn = jsonOverload;
    if (fn) {
      singleObject = whole ?? {};
      if (prefer.params) prefer.applied.push('params=single-object');
    }
  }
  if (!fn) {
    const matching = overloads.filter(
      (f) =>
        given.every((g) => f.args.some((a) => a.name === g)) &&
        f.args.every((a) => a.hasDefault || given.includes(a.name)),
    );
    // One unnamed json argument takes the whole body (PostgREST's single unnamed parameter).
    const unnamedJson = overloads.find(
      (f) => f.args.length === 1 && f.args[0]?.name === '' && /^jsonb?$/.test(f.args[0].type),
    );
    if (matching.length === 0 && unnamedJson && !read) {
      fn = unnamedJson;
      singleObject = whole ?? {};
    } else if (matching.length > 1) {
      throw new ApiError(
        300,
        'PGRST203',
        `Could not choose the best candidate function between: ${matching
          .map((f) => `${schema}.${name}(${f.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`)
          .join(', ')}`,
      );
    } else {
      fn = matching[0];
    }
  }
  if (!fn) throw functionNotFound(schema, name, given);
  if (read && fn.volatility === 'v') {
    throw new ApiError(405, '25006', `cannot execute ${name}() with ${method}: the function is volatile`, {
      hint: 'Call it with POST, or declare it stable or immutable.',
    });
  }
  const b = new Builder(cache, schema);
  const typed = new Map<string, unknown>();
  for (const a of fn.args)
    if (args.has(a.name)) typed.set(a.name, read ? args.get(a.name) : argValue(args.get(a.name), a.type));
  const call = callSql(b, fn, typed, singleObject);
  const accept = typeof ctx.headers.accept === 'string' ? ctx.headers.accept : undefined;
  const base = { schema, prefer, status: 200, returnBody: true, offset: 0 };

  if (fn.returnsVoid) {
    return {
      ...base,
      sql: `select ${call}, '' as body, 0 as page, null::bigint as total`,
      params: b.params,
      kind: 'rpc-void',
      media: 'json',
      singleRow: false,
      count: undefined,
      returnBody: false,
      status: 204,
    };
  }
  const composite = fn.returnsComposite;
  if (!composite) {
    for (const [path, p] of q.params) {
      if (p.filters.length || p.order || path !== '') {
        throw new ApiError(400, 'PGRST127', `Filtering the result of ${name}() is not supported: it returns scalars`);
      }
    }
    const media = negotiate(accept, ['json', 'object', 'csv']);
    if (!fn.returnsSet) {
      return {
        ...base,
        sql: `select to_json(${call})::text as body, 1 as page, null::bigint as total`,
        params: b.params,
        kind: 'rpc-scalar',
        media,
        singleRow: false,
        count: undefined,
      };
    }
    const { offset, limit } = rangeOf(ctx, q, limits);
    // As CSV, PostgREST names the one column of scalar rows pgrst_scalar.
    const value = media === 'csv' ? `json_build_object('pgrst_scalar', _t.v)` : '_t.v';
    const sql = `select coalesce(json_agg(${value}), '[]')::text as body, count(_t) as page, null::bigint as total from (select _f.v from ${call} as _f(v) limit ${b.bind(limit, 'bigint')} offset ${b.bind(offset, 'bigint')}) as _t`;
    return { ...base, sql, params: b.params, kind: 'read', media, singleRow: false, count: undefined, offset };
  }
  const rel = fn.returnRelation
    ? (cache.relations.get(key(fn.returnRelation.schema, fn.returnRelation.name)) ?? null)
    : fn.returnColumns.length
      ? {
          // `returns table (…)`: its columns filter and order like a view's (no relationships).
          schema: fn.schema,
          name: `${fn.name}()`,
          kind: 'view' as const,
          columns: new Map(fn.returnColumns.map((c) => [c.name, c])),
          columnList: fn.returnColumns,
          primaryKey: [],
          uniques: [],
          description: fn.description,
          insertable: false,
          updatable: false,
          deletable: false,
        }
      : null;
  const media = negotiate(accept, ['json', 'object', 'csv']);
  const { offset, limit } = rangeOf(ctx, q, limits);
  const count = prefer.count === 'exact' ? 'exact' : undefined;
  if (count) prefer.applied.push('count=exact');
  if (!rel) {
    for (const [path, p] of q.params) {
      if (p.filters.length || p.order || path !== '') {
        throw new ApiError(
          400,
          'PGRST127',
          `Filtering the result of ${name}() is not supported: its columns are not known`,
        );
      }
    }
  }
  const statement = buildRead(b, q, { from: call, rel, offset, limit, count, filter: true });
  return {
    ...base,
    sql: statement.sql,
    params: statement.params,
    kind: 'read',
    media,
    singleRow: !fn.returnsSet,
    count,
    offset,
  };
}
