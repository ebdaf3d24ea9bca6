// The REST engine's picture of the database: tables, views, columns, keys, foreign-key
// relationships and functions of the exposed schemas, read from the catalog once (owner
// connection) and kept in memory, so a request never queries the catalog. Identifiers in
// generated SQL come only from here. Reloaded on `NOTIFY pgrst, 'reload schema'` (as
// PostgREST) and by RestEngine.reload().
import type pg from 'pg';

export type Column = {
  name: string;
  /**
   * format_type() spelling without type modifier (a varchar(20) cast would truncate a
   * filter value and match wrongly), safe to splice after `::` (catalog text, never user
   * input); bpchar stays bpchar, since "character" means char(1).
   */
  type: string;
  /** The base type name (udt), e.g. "int2", "text", "_text" for arrays. */
  udt: string;
  category: string;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
  description: string | null;
  position: number;
};

type ForeignKey = {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
};

export type Relation = {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: Map<string, Column>;
  /** Columns in catalog order. */
  columnList: Column[];
  primaryKey: string[];
  uniques: string[][];
  description: string | null;
  /** What the relation takes (tables: everything; views: what Postgres can write through). */
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
};

type FunctionArg = { name: string; type: string; hasDefault: boolean; variadic: boolean };

export type PgFunction = {
  schema: string;
  name: string;
  oid: number;
  args: FunctionArg[];
  returnType: string;
  /** Set when the function returns a composite row of a known relation. */
  returnRelation: { schema: string; name: string } | null;
  /** OUT/TABLE columns of a function returning an anonymous record (`returns table (…)`). */
  returnColumns: Column[];
  returnsSet: boolean;
  returnsComposite: boolean;
  returnsVoid: boolean;
  volatility: 'i' | 's' | 'v';
  description: string | null;
};

/** One way to embed `target` from `source`. */
export type Relationship = {
  kind: 'm2o' | 'o2m' | 'o2o' | 'm2m';
  source: { schema: string; name: string };
  target: { schema: string; name: string };
  /** The constraint name (m2m: the pair of constraint names, and the junction). */
  constraint: string;
  /** Join columns: pairs (sourceColumn, targetColumn); for m2m see junction. */
  columns: [string, string][];
  junction?: {
    schema: string;
    name: string;
    /** (source column, junction column) pairs of the junction's FK to the source. */
    sourceCols: [string, string][];
    /** (junction column, target column) pairs of the junction's FK to the target. */
    targetCols: [string, string][];
    sourceConstraint: string;
    targetConstraint: string;
  };
};

export type SchemaCache = {
  schemas: readonly string[];
  relations: Map<string, Relation>;
  functions: Map<string, PgFunction[]>;
  relationships: Map<string, Relationship[]>;
  /**
   * Computed fields by relation: functions of one argument of the relation's row type,
   * returning one value (PostgREST's computed columns). Keyed by relation, then name.
   */
  computed: Map<string, Map<string, { fn: PgFunction; column: Column }>>;
  /** Type names accepted after `::` in select, mapped to their safe SQL spelling. */
  castTypes: Map<string, string>;
  schemaDescriptions: Map<string, string | null>;
  loadedAt: Date;
};

export const key = (schema: string, name: string) => `${schema}\u0000${name}`;

const RELATIONS_SQL = `
select n.nspname as schema, c.relname as name, c.relkind as relkind,
       obj_description(c.oid, 'pg_class') as description,
       coalesce((select json_agg(json_build_object(
         'name', a.attname, 'type', case t.typname when 'bpchar' then 'bpchar' when '_bpchar' then 'bpchar[]' else format_type(a.atttypid, null) end, 'udt', t.typname,
         'category', t.typcategory, 'nullable', not a.attnotnull, 'hasDefault', a.atthasdef,
         'generated', a.attgenerated <> '' or a.attidentity = 'a', 'position', a.attnum,
         'description', col_description(c.oid, a.attnum)) order by a.attnum)
         from pg_attribute a join pg_type t on t.oid = a.atttypid
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
       coalesce((select json_agg(json_build_object('kind', k.contype, 'columns',
         (select json_agg(a.attname order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
            join pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum)))
         from pg_constraint k where k.conrelid = c.oid and k.contype in ('p', 'u')), '[]') as keys,
       (c.relkind in ('r', 'p') or pg_relation_is_updatable(c.oid::regclass, true) & 8 = 8) as insertable,
       (c.relkind in ('r', 'p') or pg_relation_is_updatable(c.oid::regclass, true) & 4 = 4) as updatable,
       (c.relkind in ('r', 'p') or pg_relation_is_updatable(c.oid::regclass, true) & 16 = 16) as deletable
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')
`;

const FKS_SQL = `
select k.conname as name, n.nspname as schema, c.relname as table,
       rn.nspname as "refSchema", rc.relname as "refTable",
       (select json_agg(a.attname order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
          join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum) as columns,
       (select json_agg(a.attname order by u.ord) from unnest(k.confkey) with ordinality u(attnum, ord)
          join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum) as "refColumns"
from pg_constraint k
join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
join pg_class rc on rc.oid = k.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
where k.contype = 'f' and n.nspname = any($1::text[]) and rn.nspname = any($1::text[])
`;

const FUNCTIONS_SQL = `
select n.nspname as schema, p.proname as name, p.oid::int as oid, p.provolatile as volatility,
       p.proretset as "returnsSet", format_type(p.prorettype, null) as "returnType",
       t.typtype = 'c' or (t.typtype = 'p' and t.typname = 'record') as "returnsComposite",
       t.typname = 'void' as "returnsVoid", t.typname as "returnUdt", t.typcategory as "returnCategory",
       (select json_build_object('schema', an.nspname, 'name', ac.relname) from pg_type at
          join pg_class ac on ac.oid = at.typrelid join pg_namespace an on an.oid = ac.relnamespace
          where p.pronargs = 1 and at.oid = p.proargtypes[0]) as "argRelation",
       rn.nspname as "returnRelSchema", rc.relname as "returnRelName",
       obj_description(p.oid, 'pg_proc') as description,
       p.pronargs as nargs, p.pronargdefaults as ndefaults,
       coalesce(p.proargnames, '{}') as argnames, coalesce(p.proargmodes::text[], '{}') as argmodes,
       (select coalesce(json_agg(case x.t when 'bpchar'::regtype then 'bpchar' else format_type(x.t, null) end order by x.o), '[]')
          from unnest(p.proargtypes) with ordinality x(t, o)) as argtypes,
       p.provariadic <> 0 as variadic,
       (select coalesce(json_agg(json_build_object('type', format_type(x.t, null), 'udt', ty.typname,
                 'category', ty.typcategory) order by x.o), '[]')
          from unnest(p.proallargtypes) with ordinality x(t, o) join pg_type ty on ty.oid = x.t) as allargs
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
join pg_type t on t.oid = p.prorettype
left join pg_class rc on rc.oid = t.typrelid and rc.relkind in ('r', 'p', 'v', 'm', 'f')
left join pg_namespace rn on rn.oid = rc.relnamespace
where n.nspname = any($1::text[]) and p.prokind = 'f'
`;

// Which base-table column each view column shows, read from the view's rewrite rule (as
// PostgREST does): TargetEntry nodes carry resorigtbl/resorigcol. The rule's text lists the
// range table (subqueries) before the top-level target list, so the last entry of a name wins.
const VIEW_COLUMNS_SQL = `
select vn.nspname as schema, v.relname as view, x.m[1] as column,
       bn.nspname as "baseSchema", b.relname as "baseTable", a.attname as "baseColumn"
from pg_class v
join pg_namespace vn on vn.oid = v.relnamespace
join pg_rewrite r on r.ev_class = v.oid
cross join lateral regexp_matches(r.ev_action::text,
  ':resname (\\S+) :ressortgroupref \\d+ :resorigtbl (\\d+) :resorigcol (\\d+)', 'g') with ordinality as x(m, ord)
join pg_class b on b.oid = x.m[2]::oid
join pg_namespace bn on bn.oid = b.relnamespace
join pg_attribute a on a.attrelid = b.oid and a.attnum = x.m[3]::int2
where v.relkind in ('v', 'm') and vn.nspname = any($1::text[])
order by vn.nspname, v.relname, x.ord
`;

const TYPES_SQL = `
select t.typname as name, format_type(t.oid, null) as spelled
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where (n.nspname = 'pg_catalog' or n.nspname = any($1::text[])) and t.typtype in ('b', 'd', 'e', 'r', 'c')
  and t.typname !~ '^_' and t.typname !~ '^pg_'
`;

type RawRelation = {
  schema: string;
  name: string;
  relkind: string;
  description: string | null;
  columns: Column[];
  keys: { kind: 'p' | 'u'; columns: string[] }[];
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
};

type RawFunction = {
  schema: string;
  name: string;
  oid: number;
  volatility: 'i' | 's' | 'v';
  returnsSet: boolean;
  returnType: string;
  returnsComposite: boolean;
  returnsVoid: boolean;
  returnUdt: string;
  returnCategory: string;
  argRelation: { schema: string; name: string } | null;
  returnRelSchema: string | null;
  returnRelName: string | null;
  description: string | null;
  nargs: number;
  ndefaults: number;
  argnames: string[];
  argmodes: string[];
  argtypes: string[];
  variadic: boolean;
  allargs: { type: string; udt: string; category: string }[];
};

// Familiar spellings accepted in `select=col::<type>`, mapped to catalog names.
const CAST_ALIASES: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'bool',
  decimal: 'numeric',
  varchar: 'varchar',
  'character varying': 'varchar',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time without time zone': 'time',
};

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export async function loadSchemaCache(pool: pg.Pool, schemas: readonly string[]): Promise<SchemaCache> {
  const names = [...schemas];
  const [rels, fks, fns, types, nsps, viewCols] = await Promise.all([
    pool.query<RawRelation>(RELATIONS_SQL, [names]),
    pool.query<ForeignKey>(FKS_SQL, [names]),
    pool.query<RawFunction>(FUNCTIONS_SQL, [names]),
    pool.query<{ name: string; spelled: string }>(TYPES_SQL, [names]),
    pool.query<{ name: string; description: string | null }>(
      `select nspname as name, obj_description(oid, 'pg_namespace') as description from pg_namespace where nspname = any($1::text[])`,
      [names],
    ),
    pool.query<{
      schema: string;
      view: string;
      column: string;
      baseSchema: string;
      baseTable: string;
      baseColumn: string;
    }>(VIEW_COLUMNS_SQL, [names]),
  ]);

  const relations = new Map<string, Relation>();
  for (const r of rels.rows) {
    const columnList = r.columns;
    relations.set(key(r.schema, r.name), {
      schema: r.schema,
      name: r.name,
      kind: r.relkind === 'r' || r.relkind === 'p' ? 'table' : 'view',
      columns: new Map(columnList.map((c) => [c.name, c])),
      columnList,
      primaryKey: r.keys.find((k) => k.kind === 'p')?.columns ?? [],
      uniques: r.keys.map((k) => k.columns),
      description: r.description,
      insertable: r.insertable,
      updatable: r.updatable,
      deletable: r.deletable,
    });
  }

  const relationships = new Map<string, Relationship[]>();
  const add = (rel: Relationship) => {
    const k = key(rel.source.schema, rel.source.name);
    const list = relationships.get(k) ?? [];
    list.push(rel);
    relationships.set(k, list);
  };
  for (const fk of fks.rows) {
    const table = relations.get(key(fk.schema, fk.table));
    if (!table) continue;
    const unique = table.uniques.some((u) => sameSet(u, fk.columns));
    const pairs = fk.columns.map((c, i) => [c, fk.refColumns[i] as string] as [string, string]);
    const src = { schema: fk.schema, name: fk.table };
    const dst = { schema: fk.refSchema, name: fk.refTable };
    add({ kind: unique ? 'o2o' : 'm2o', source: src, target: dst, constraint: fk.name, columns: pairs });
    add({
      kind: unique ? 'o2o' : 'o2m',
      source: dst,
      target: src,
      constraint: fk.name,
      columns: pairs.map(([a, b]) => [b, a]),
    });
  }
  // Views inherit the foreign keys of the tables they show (both ends may be views), when
  // they expose every column of the key — PostgREST's view relationships.
  const views = new Map<string, { schema: string; name: string; columns: Map<string, string> }[]>();
  for (const row of viewCols.rows) {
    const view = relations.get(key(row.schema, row.view));
    if (!view?.columns.has(row.column)) continue;
    const baseKey = key(row.baseSchema, row.baseTable);
    const list = views.get(baseKey) ?? [];
    let entry = list.find((v) => v.schema === row.schema && v.name === row.view);
    if (!entry) {
      entry = { schema: row.schema, name: row.view, columns: new Map() };
      list.push(entry);
      views.set(baseKey, list);
    }
    entry.columns.set(row.column, row.baseColumn);
  }
  // The relations standing for a table (itself, and views showing all of `columns`), with
  // the name of each column there.
  const standIns = (schema: string, table: string, columns: string[]) => {
    const out = [{ schema, name: table, map: (c: string) => c }];
    for (const v of views.get(key(schema, table)) ?? []) {
      const inverse = new Map([...v.columns].map(([viewCol, baseCol]) => [baseCol, viewCol]));
      if (columns.every((c) => inverse.has(c))) {
        out.push({ schema: v.schema, name: v.name, map: (c: string) => inverse.get(c) as string });
      }
    }
    return out;
  };
  for (const fk of fks.rows) {
    if (!views.has(key(fk.schema, fk.table)) && !views.has(key(fk.refSchema, fk.refTable))) continue;
    for (const src of standIns(fk.schema, fk.table, fk.columns)) {
      for (const dst of standIns(fk.refSchema, fk.refTable, fk.refColumns)) {
        if (
          src.name === fk.table &&
          src.schema === fk.schema &&
          dst.name === fk.refTable &&
          dst.schema === fk.refSchema
        ) {
          continue; // the table-to-table relationship, added above
        }
        const pairs = fk.columns.map((c, i) => [src.map(c), dst.map(fk.refColumns[i] as string)] as [string, string]);
        const s = { schema: src.schema, name: src.name };
        const d = { schema: dst.schema, name: dst.name };
        add({ kind: 'm2o', source: s, target: d, constraint: fk.name, columns: pairs });
        add({ kind: 'o2m', source: d, target: s, constraint: fk.name, columns: pairs.map(([a, b]) => [b, a]) });
      }
    }
  }

  // Many-to-many: a junction table whose two foreign keys both lie inside its primary key.
  const byTable = new Map<string, ForeignKey[]>();
  for (const fk of fks.rows) {
    const k = key(fk.schema, fk.table);
    byTable.set(k, [...(byTable.get(k) ?? []), fk]);
  }
  for (const [k, list] of byTable) {
    const junction = relations.get(k);
    if (!junction || junction.primaryKey.length === 0) continue;
    const inPk = list.filter((fk) => fk.columns.every((c) => junction.primaryKey.includes(c)));
    for (const a of inPk) {
      for (const b of inPk) {
        if (a === b) continue;
        if (key(a.refSchema, a.refTable) === k || key(b.refSchema, b.refTable) === k) continue;
        add({
          kind: 'm2m',
          source: { schema: a.refSchema, name: a.refTable },
          target: { schema: b.refSchema, name: b.refTable },
          constraint: `${a.name},${b.name}`,
          columns: [],
          junction: {
            schema: junction.schema,
            name: junction.name,
            sourceCols: a.refColumns.map((c, i) => [c, a.columns[i] as string]),
            targetCols: b.columns.map((c, i) => [c, b.refColumns[i] as string]),
            sourceConstraint: a.name,
            targetConstraint: b.name,
          },
        });
      }
    }
  }

  const functions = new Map<string, PgFunction[]>();
  const computed: SchemaCache['computed'] = new Map();
  for (const f of fns.rows) {
    const inputs: FunctionArg[] = [];
    const modes = f.argmodes.length ? f.argmodes : f.argtypes.map(() => 'i');
    let typeIndex = 0;
    modes.forEach((mode, i) => {
      if (mode === 'o' || mode === 't') return;
      const type = f.argtypes[typeIndex] as string;
      typeIndex += 1;
      inputs.push({ name: f.argnames[i] ?? '', type, hasDefault: false, variadic: mode === 'v' });
    });
    inputs.forEach((arg, i) => {
      arg.hasDefault = i >= inputs.length - f.ndefaults;
    });
    const returnColumns: Column[] = [];
    f.allargs.forEach((t, i) => {
      const mode = modes[i];
      if (mode !== 'o' && mode !== 't' && mode !== 'b') return;
      const name = f.argnames[i] || `column${i + 1}`;
      returnColumns.push({
        name,
        type: t.type,
        udt: t.udt,
        category: t.category,
        nullable: true,
        hasDefault: false,
        generated: false,
        description: null,
        position: returnColumns.length + 1,
      });
    });
    const fn: PgFunction = {
      schema: f.schema,
      name: f.name,
      oid: f.oid,
      args: inputs,
      returnType: f.returnType,
      returnRelation:
        f.returnRelSchema && f.returnRelName ? { schema: f.returnRelSchema, name: f.returnRelName } : null,
      returnColumns: f.returnsComposite && !f.returnRelName ? returnColumns : [],
      returnsSet: f.returnsSet,
      returnsComposite: f.returnsComposite,
      returnsVoid: f.returnsVoid,
      volatility: f.volatility,
      description: f.description,
    };
    const k = key(f.schema, f.name);
    functions.set(k, [...(functions.get(k) ?? []), fn]);
    if (f.argRelation && !f.returnsSet && !f.returnsVoid && f.volatility !== 'v') {
      const relKey = key(f.argRelation.schema, f.argRelation.name);
      const fields = computed.get(relKey) ?? new Map<string, { fn: PgFunction; column: Column }>();
      fields.set(f.name, {
        fn,
        column: {
          name: f.name,
          type: f.returnType,
          udt: f.returnUdt,
          category: f.returnCategory,
          nullable: true,
          hasDefault: false,
          generated: true,
          description: f.description,
          position: 0,
        },
      });
      computed.set(relKey, fields);
    }
  }

  const castTypes = new Map<string, string>();
  for (const t of types.rows) castTypes.set(t.name, t.spelled);
  for (const [alias, name] of Object.entries(CAST_ALIASES)) {
    const spelled = castTypes.get(name);
    if (spelled) castTypes.set(alias, spelled);
  }

  return {
    schemas,
    relations,
    functions,
    relationships,
    computed,
    castTypes,
    schemaDescriptions: new Map(nsps.rows.map((n) => [n.name, n.description])),
    loadedAt: new Date(),
  };
}
