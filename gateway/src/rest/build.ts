// SQL generation. Every identifier comes from the schema cache and is quoted here; every
// value a caller sends is a bind parameter, typed with the catalog's spelling of the
// column's type ($1::smallint). Each request becomes ONE statement whose single row holds
// the response body already rendered as JSON text by Postgres (as PostgREST does), plus
// the page size and, when asked, the total count.
import { ApiError } from '../api/errors.ts';
import { json, type ApiResponse } from '../api/types.ts';
import type {
  Condition,
  EmbedParams,
  Field,
  Filter,
  OrderTerm,
  ParsedQuery,
  SelectEmbed,
  SelectItem,
} from './parse.ts';
import { LIMITS, OPERATORS } from './parse.ts';
import type { Column, PgFunction, Relation, Relationship, SchemaCache } from './schema-cache.ts';
import { key } from './schema-cache.ts';

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

export type Statement = { sql: string; params: unknown[] };

/** Per-statement state: the parameter list and a counter for relation aliases. */
export class Builder {
  readonly cache: SchemaCache;
  readonly schema: string;
  readonly params: unknown[] = [];
  private aliases = 0;
  /** Embed paths the query string filtered/ordered; every one must name a real embed. */
  readonly usedPaths = new Set<string>(['']);
  constructor(cache: SchemaCache, schema: string) {
    this.cache = cache;
    this.schema = schema;
  }
  bind(value: unknown, type?: string): string {
    this.params.push(value);
    return type ? `$${this.params.length}::${type}` : `$${this.params.length}`;
  }
  alias(): string {
    const a = `_${this.aliases}`;
    this.aliases += 1;
    return ident(a);
  }
}

/** An ApiError whose `details` is structured JSON (PostgREST's PGRST201 lists objects). */
class RichApiError extends ApiError {
  readonly richDetails: unknown;
  constructor(status: number, code: string, message: string, details: unknown, hint: string | null) {
    super(status, code, message, { hint });
    this.richDetails = details;
  }
  override toResponse(): ApiResponse {
    return json(this.status, { code: this.code, message: this.message, details: this.richDetails, hint: this.hint });
  }
}

function tableNotFound(schema: string, name: string): ApiError {
  return new ApiError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, {
    hint: null,
  });
}

function columnNotFound(rel: { name: string }, name: string): ApiError {
  return new ApiError(400, '42703', `column ${rel.name}.${name} does not exist`);
}

export function findRelation(cache: SchemaCache, schema: string, name: string): Relation {
  const rel = cache.relations.get(key(schema, name));
  if (!rel) throw tableNotFound(schema, name);
  return rel;
}

// ---------------------------------------------------------------------------------------
// Columns and filters

type Resolved = { expr: string; type: string; column: Column | undefined; outName: string };

const TEXTUAL = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);

function resolveField(b: Builder, rel: Relation | null, alias: string, field: Field): Resolved {
  let column = rel?.columns.get(field.name);
  let expr = `${alias}.${ident(field.name)}`;
  if (rel && !column) {
    // A computed field: fn(row). The row is cast to the relation's type, so it also works
    // on a write's CTE rows and a function's result rows.
    const computed = b.cache.computed.get(key(rel.schema, rel.name))?.get(field.name);
    if (!computed) throw columnNotFound(rel, field.name);
    column = computed.column;
    expr = `${qualified(computed.fn.schema, computed.fn.name)}(${alias}::${qualified(rel.schema, rel.name)})`;
  }
  if (field.json.length && column && column.udt !== 'json' && column.udt !== 'jsonb') {
    throw new ApiError(400, '42883', `operator does not exist: ${column.type} ${field.json[0]?.arrow} unknown`, {
      hint: `'${field.name}' is not a json or jsonb column: the -> and ->> operators need one.`,
    });
  }
  let type = column?.type ?? 'text';
  for (const step of field.json) {
    const k = /^-?\d+$/.test(step.key) ? b.bind(Number(step.key), 'int') : b.bind(step.key, 'text');
    expr = `${expr}${step.arrow}${k}`;
    type = step.arrow === '->>' ? 'text' : 'jsonb';
  }
  const last = field.json.at(-1);
  return { expr, type, column, outName: last ? last.key : field.name };
}

function textExpr(r: Resolved): string {
  return r.column && !TEXTUAL.has(r.column.udt) && r.type !== 'text' ? `${r.expr}::text` : r.expr;
}

function filterSql(b: Builder, rel: Relation | null, alias: string, f: Filter): string {
  const r = resolveField(b, rel, alias, f.field);
  const op = OPERATORS[f.op];
  let sql: string;
  switch (f.op) {
    case 'is': {
      const v = (f.value as string).toLowerCase();
      sql = `${r.expr} is ${v === 'not_null' ? 'not null' : v}`;
      break;
    }
    case 'in':
      sql = `${r.expr} = any(${b.bind(f.value, `${r.type}[]`)})`;
      break;
    case 'like':
    case 'ilike':
    case 'match':
    case 'imatch': {
      const pattern = (v: string) => (f.op === 'like' || f.op === 'ilike' ? v.replace(/\*/g, '%') : v);
      sql = f.quantifier
        ? `${textExpr(r)} ${op} ${f.quantifier}(${b.bind((f.value as string[]).map(pattern), 'text[]')})`
        : `${textExpr(r)} ${op} ${b.bind(pattern(f.value as string), 'text')}`;
      break;
    }
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const fn = {
        fts: 'to_tsquery',
        plfts: 'plainto_tsquery',
        phfts: 'phraseto_tsquery',
        wfts: 'websearch_to_tsquery',
      }[f.op];
      const cfg = f.config ? `${b.bind(f.config, 'regconfig')}, ` : '';
      const vector = r.column?.udt === 'tsvector' ? r.expr : `to_tsvector(${cfg}${textExpr(r)})`;
      sql = `${vector} @@ ${fn}(${cfg}${b.bind(f.value, 'text')})`;
      break;
    }
    default:
      sql = f.quantifier
        ? `${r.expr} ${op} ${f.quantifier}(${b.bind(f.value, `${r.type}[]`)})`
        : `${r.expr} ${op} ${b.bind(f.value, r.type)}`;
  }
  return f.negate ? `not (${sql})` : sql;
}

type EmbedInfo = {
  alias: string;
  toOne: boolean;
  outNames: string[];
  /** Output names that are the unaltered column of the same name. */
  plain: Set<string>;
  /** To-one: a scalar subquery for any column of the embedded row (ordering by it). */
  scalar?: (field: Field) => string;
};

function conditionSql(
  b: Builder,
  rel: Relation | null,
  alias: string,
  c: Condition,
  embeds: Map<string, EmbedInfo>,
): string {
  if (c.type === 'logic') {
    const parts = c.children.map((x) => conditionSql(b, rel, alias, x, embeds));
    const sql = `(${parts.join(c.op === 'and' ? ' and ' : ' or ')})`;
    return c.negate ? `not ${sql}` : sql;
  }
  // `embed=is.null` / `embed=not.is.null`: filter the parents on the embedded resource.
  const embed = c.field.json.length === 0 ? embeds.get(c.field.name) : undefined;
  if (embed && !rel?.columns.has(c.field.name)) {
    const value = typeof c.value === 'string' ? c.value.toLowerCase() : '';
    if (c.op !== 'is' || (value !== 'null' && value !== 'not_null')) {
      throw new ApiError(400, 'PGRST120', 'Only is null or not is null filters are allowed on embedded resources');
    }
    const isNull = (value === 'null') !== c.negate;
    const present = embed.toOne ? `${embed.alias} is not null` : `${embed.alias}."v"::text <> '[]'`;
    return isNull ? `not (${present})` : present;
  }
  return filterSql(b, rel, alias, c);
}

function orderSql(b: Builder, rel: Relation | null, alias: string, terms: OrderTerm[], embeds: Map<string, EmbedInfo>) {
  return terms
    .map((t) => {
      let expr: string;
      if (t.relation !== undefined) {
        const e = embeds.get(t.relation);
        if (!e || !e.toOne) {
          throw new ApiError(400, 'PGRST118', `A related order on '${t.relation}' is not possible`, {
            details: `'${t.relation}' is not a to-one embedded resource in this request`,
          });
        }
        expr =
          t.field.json.length === 0 && e.plain.has(t.field.name)
            ? `${e.alias}.${ident(t.field.name)}`
            : (e.scalar as (field: Field) => string)(t.field);
      } else {
        expr = resolveField(b, rel, alias, t.field).expr;
      }
      return `${expr}${t.dir ? ` ${t.dir}` : ''}${t.nulls ? ` nulls ${t.nulls}` : ''}`;
    })
    .join(', ');
}

// ---------------------------------------------------------------------------------------
// Relationships

function resolveRelationship(cache: SchemaCache, source: Relation, embed: SelectEmbed): Relationship {
  const all = cache.relationships.get(key(source.schema, source.name)) ?? [];
  let candidates = all.filter((r) => r.target.name === embed.name && r.target.schema === source.schema);
  if (embed.hint !== undefined) {
    const h = embed.hint;
    candidates = candidates.filter((r) =>
      r.kind === 'm2m'
        ? r.junction?.name === h || r.junction?.sourceConstraint === h || r.junction?.targetConstraint === h
        : r.constraint === h || r.columns.some(([s, t]) => s === h || t === h),
    );
  }
  if (candidates.length === 0) {
    throw new ApiError(
      400,
      'PGRST200',
      `Could not find a relationship between '${source.name}' and '${embed.name}' in the schema cache`,
      {
        details: embed.hint
          ? `Searched for a foreign key relationship between '${source.name}' and '${embed.name}' using the hint '${embed.hint}' in the schema '${source.schema}', but no matches were found.`
          : `Searched for a foreign key relationship between '${source.name}' and '${embed.name}' in the schema '${source.schema}', but no matches were found.`,
        hint: null,
      },
    );
  }
  if (candidates.length > 1) {
    // PostgREST answers 300 and lists the candidates as objects in `details`.
    const cardinality = { m2o: 'many-to-one', o2m: 'one-to-many', o2o: 'one-to-one', m2m: 'many-to-many' } as const;
    const cols = (list: string[]) => list.join(', ');
    const details = candidates.map((r) => ({
      cardinality: cardinality[r.kind],
      embedding: `${source.name} with ${embed.name}`,
      relationship:
        r.kind === 'm2m' && r.junction
          ? `${r.junction.name} using ${r.junction.sourceConstraint}(${cols(r.junction.sourceCols.map(([, j]) => j))}) and ${r.junction.targetConstraint}(${cols(r.junction.targetCols.map(([j]) => j))})`
          : `${r.constraint} using ${source.name}(${cols(r.columns.map(([a]) => a))}) and ${r.target.name}(${cols(r.columns.map(([, t]) => t))})`,
    }));
    throw new RichApiError(
      300,
      'PGRST201',
      `Could not embed because more than one relationship was found for '${source.name}' and '${embed.name}'`,
      details,
      `Try changing '${embed.name}' to one of the following: ${candidates
        .map((r) => `'${embed.name}!${r.kind === 'm2m' ? r.junction?.name : r.constraint}'`)
        .join(', ')}. Find the desired relationship in the 'details' key.`,
    );
  }
  return candidates[0] as Relationship;
}

// ---------------------------------------------------------------------------------------
// Select lists and embedding

type Node = {
  /** The relation describing the rows (null: columns unknown, e.g. a function returning record). */
  rel: Relation | null;
  alias: string;
  items: SelectItem[];
  path: string;
};

type BuiltSelect = {
  columns: string[];
  outNames: string[];
  plain: Set<string>;
  /** Lateral joins of the embeds; `alias` names the joined row, `needed` when it filters the parents. */
  joins: { sql: string; alias: string; needed: boolean }[];
  embeds: Map<string, EmbedInfo>;
};

function paramsFor(q: ParsedQuery, b: Builder, path: string): EmbedParams | undefined {
  const p = q.params.get(path);
  if (p) b.usedPaths.add(path);
  return p;
}

function buildSelect(b: Builder, q: ParsedQuery, node: Node, depth: number): BuiltSelect {
  const out: BuiltSelect = { columns: [], outNames: [], plain: new Set(), joins: [], embeds: new Map() };
  for (const item of node.items) {
    if (item.type === 'star') {
      if (!node.rel) {
        out.columns.push(`${node.alias}.*`);
        continue;
      }
      for (const c of node.rel.columnList) {
        out.columns.push(`${node.alias}.${ident(c.name)}`);
        out.outNames.push(c.name);
        out.plain.add(c.name);
      }
      continue;
    }
    if (item.type === 'column') {
      const r = resolveField(b, node.rel, node.alias, item.field);
      let expr = r.expr;
      if (item.cast !== undefined) {
        const spelled = b.cache.castTypes.get(item.cast.toLowerCase());
        if (!spelled) throw new ApiError(400, '42704', `type "${item.cast.slice(0, 63)}" does not exist`);
        expr = `(${expr})::${spelled}`;
      }
      const name = item.alias ?? r.outName;
      out.columns.push(`${expr} as ${ident(name)}`);
      out.outNames.push(name);
      if (name === item.field.name && item.field.json.length === 0 && item.cast === undefined) out.plain.add(name);
      else out.plain.delete(name);
      continue;
    }
    embedItem(b, q, node, item, depth, out);
  }
  return out;
}

function embedItem(b: Builder, q: ParsedQuery, node: Node, item: SelectEmbed, depth: number, out: BuiltSelect) {
  if (depth >= LIMITS.maxEmbedDepth) {
    throw new ApiError(400, 'PGRST100', `Embedding is limited to ${LIMITS.maxEmbedDepth} levels`);
  }
  if (!node.rel)
    throw new ApiError(400, 'PGRST200', `'${item.name}' cannot be embedded: the result has no relationships`);
  const r = resolveRelationship(b.cache, node.rel, item);
  const target = findRelation(b.cache, r.target.schema, r.target.name);
  const childAlias = b.alias();
  const outName = item.alias ?? item.name;
  // Filters for an embed are keyed by its alias when it has one, else by its name.
  const childPath = node.path ? `${node.path}.${outName}` : outName;
  const childParams = paramsFor(q, b, childPath) ?? { filters: [] };
  // `tasks(count)`: PostgREST keeps this legacy embedded count working while aggregates
  // are disabled — one row {count} of the embedded rows (after the embed's filters).
  const only = item.children.length === 1 ? item.children[0] : undefined;
  const countName =
    only?.type === 'column' &&
    only.field.name === 'count' &&
    only.field.json.length === 0 &&
    !only.cast &&
    !target.columns.has('count')
      ? (only.alias ?? 'count')
      : undefined;
  const child: BuiltSelect = countName
    ? {
        columns: [`count(*) as ${ident(countName)}`],
        outNames: [countName],
        plain: new Set(),
        joins: [],
        embeds: new Map(),
      }
    : buildSelect(b, q, { rel: target, alias: childAlias, items: item.children, path: childPath }, depth + 1);

  const conds: string[] = [];
  let from = `${qualified(target.schema, target.name)} as ${childAlias}`;
  if (r.kind === 'm2m' && r.junction) {
    const j = r.junction;
    const jAlias = b.alias();
    from += ` join ${qualified(j.schema, j.name)} as ${jAlias} on ${j.targetCols
      .map(([jc, tc]) => `${jAlias}.${ident(jc)} = ${childAlias}.${ident(tc)}`)
      .join(' and ')}`;
    for (const [sc, jc] of j.sourceCols) conds.push(`${jAlias}.${ident(jc)} = ${node.alias}.${ident(sc)}`);
  } else {
    for (const [sc, tc] of r.columns) conds.push(`${childAlias}.${ident(tc)} = ${node.alias}.${ident(sc)}`);
  }
  for (const f of childParams.filters) conds.push(conditionSql(b, target, childAlias, f, child.embeds));
  const toOne = r.kind === 'm2o' || r.kind === 'o2o';
  const joinsSql = child.joins.map((j) => ` ${j.sql}`).join('');
  const cols = child.columns.length ? child.columns.join(', ') : '';
  let inner = `select ${cols} from ${from}${joinsSql} where ${conds.join(' and ')}`;
  if (childParams.order?.length && !countName)
    inner += ` order by ${orderSql(b, target, childAlias, childParams.order, child.embeds)}`;
  if (!toOne && !countName) {
    if (childParams.limit !== undefined) inner += ` limit ${b.bind(childParams.limit, 'bigint')}`;
    if (childParams.offset !== undefined) inner += ` offset ${b.bind(childParams.offset, 'bigint')}`;
  }
  const lateral = b.alias();
  const kind = item.inner ? 'inner join lateral' : 'left join lateral';
  if (toOne) {
    out.joins.push({ sql: `${kind} (${inner}) as ${lateral} on true`, alias: lateral, needed: item.inner });
    if (item.spread) {
      for (const name of child.outNames) {
        out.columns.push(`${lateral}.${ident(name)} as ${ident(name)}`);
        out.outNames.push(name);
      }
    } else if (item.children.length) {
      out.columns.push(`row_to_json(${lateral}.*) as ${ident(outName)}`);
      out.outNames.push(outName);
    }
  } else {
    if (item.spread) throw new ApiError(400, 'PGRST127', 'Spreading a to-many embedded resource is not supported');
    const agg = item.inner ? `json_agg(_s)` : `coalesce(json_agg(_s), '[]')`;
    out.joins.push({
      sql: `${kind} (select ${agg} as "v" from (${inner}) as _s) as ${lateral} on ${item.inner ? `${lateral}."v" is not null` : 'true'}`,
      alias: lateral,
      needed: item.inner,
    });
    if (item.children.length) {
      out.columns.push(`${lateral}."v" as ${ident(outName)}`);
      out.outNames.push(outName);
    }
  }
  const scalar = toOne
    ? (field: Field) => {
        const x = b.alias();
        const expr = resolveField(b, target, x, field).expr;
        const on = r.columns.map(([sc, tc]) => `${x}.${ident(tc)} = ${node.alias}.${ident(sc)}`).join(' and ');
        return `(select ${expr} from ${qualified(target.schema, target.name)} as ${x} where ${on})`;
      }
    : undefined;
  const info: EmbedInfo = { alias: lateral, toOne, outNames: child.outNames, plain: child.plain, scalar };
  out.embeds.set(outName, info);
  if (item.alias && !out.embeds.has(item.name)) out.embeds.set(item.name, info);
}

// ---------------------------------------------------------------------------------------
// Statements

export type CountMode = 'exact' | 'planned' | 'estimated' | undefined;

type ReadOptions = {
  /** FROM item for the root: a table, a CTE name, or a function call. */
  from: string;
  rel: Relation | null;
  offset: number;
  limit: number | undefined;
  count: CountMode;
  /** `with …` prefix (writes). */
  with?: string;
  /** Root filters/order apply (false for write representations: the write already filtered). */
  filter: boolean;
  /** Also return the rows-to-count statement on its own, for EXPLAIN (count=planned/estimated). */
  explain?: boolean;
};

export type Read = Statement & {
  /** `select 1 from …` with the root's filters and every join that filters rows, unpaged. */
  counted?: Statement;
};

/**
 * A statement built from part of a Builder's SQL: only the parameters `sql` references,
 * renumbered $1..$n in order. The generated SQL has no comments or dollar quotes; quoted
 * identifiers and string literals are skipped, so only real placeholders are renumbered.
 */
function substatement(sql: string, params: readonly unknown[]): Statement {
  const kept: unknown[] = [];
  const numbers = new Map<number, number>();
  const out = sql.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'|\$(\d+)/g, (match, n: string | undefined) => {
    if (n === undefined) return match;
    const old = Number(n);
    let now = numbers.get(old);
    if (now === undefined) {
      kept.push(params[old - 1]);
      now = kept.length;
      numbers.set(old, now);
    }
    return `$${now}`;
  });
  return { sql: out, params: kept };
}

/**
 * The read statement: one row (body text, page size, total). The body is the JSON array
 * of the selected rows; with `count=exact` the total is counted by the same statement.
 */
export function buildRead(b: Builder, q: ParsedQuery, o: ReadOptions): Read {
  const alias = b.alias();
  const root = buildSelect(b, q, { rel: o.rel, alias, items: q.select, path: '' }, 0);
  const params = q.params.get('') ?? { filters: [] };
  const where = o.filter ? params.filters.map((f) => conditionSql(b, o.rel, alias, f, root.embeds)) : [];
  const whereSql = where.length ? ` where ${where.join(' and ')}` : '';
  const from = `${o.from} as ${alias}`;
  const joins = root.joins.map((j) => ` ${j.sql}`).join('');
  let body = `select ${root.columns.length ? root.columns.join(', ') : ''} from ${from}${joins}${whereSql}`;
  if (o.filter && params.order?.length) body += ` order by ${orderSql(b, o.rel, alias, params.order, root.embeds)}`;
  if (o.limit !== undefined) body += ` limit ${b.bind(o.limit, 'bigint')}`;
  if (o.offset) body += ` offset ${b.bind(o.offset, 'bigint')}`;
  for (const path of q.params.keys()) {
    if (!b.usedPaths.has(path)) {
      throw new ApiError(400, 'PGRST108', `'${path}' is not an embedded resource in this request`, {
        hint: `Verify that '${path}' is included in the 'select' query parameter.`,
      });
    }
  }
  // Only the joins that filter rows (!inner, embed is-null filters) take part in counting.
  const countJoins = root.joins
    .filter((j) => j.needed || where.some((w) => w.includes(j.alias)))
    .map((j) => ` ${j.sql}`)
    .join('');
  const countFrom = `select 1 from ${from}${countJoins}${whereSql}`;
  const total = o.count === 'exact' ? `(select count(*) from (${countFrom}) as _c)` : 'null::bigint';
  const sql = `${o.with ?? ''}select coalesce(json_agg(_t), '[]')::text as body, count(_t) as page, ${total} as total from (${body}) as _t`;
  return { sql, params: b.params, ...(o.explain ? { counted: substatement(countFrom, b.params) } : {}) };
}

/** Arguments of a function call, named, typed by the catalog. */
export function callSql(b: Builder, fn: PgFunction, args: Map<string, unknown>, singleObject: unknown): string {
  if (singleObject !== undefined) {
    const arg = fn.args[0] as { name: string; type: string };
    const value = b.bind(JSON.stringify(singleObject), arg.type);
    return `${qualified(fn.schema, fn.name)}(${arg.name ? `${ident(arg.name)} => ` : ''}${value})`;
  }
  const list: string[] = [];
  for (const arg of fn.args) {
    if (!args.has(arg.name)) continue;
    list.push(`${arg.variadic ? 'variadic ' : ''}${ident(arg.name)} => ${b.bind(args.get(arg.name), arg.type)}`);
  }
  return `${qualified(fn.schema, fn.name)}(${list.join(', ')})`;
}

/** Converts a JSON value to the text Postgres parses for a parameter of `type`. */
export function argValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'json' || type === 'jsonb') return JSON.stringify(value);
  if (Array.isArray(value)) return type.endsWith('[]') ? value : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export { conditionSql, orderSql };
