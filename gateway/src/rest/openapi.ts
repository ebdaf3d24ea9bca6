// The OpenAPI 2.0 (Swagger) document at GET /rest/<version>/, as PostgREST serves it:
// generated from the schema cache and the `comment on` texts. Like PostgREST's default
// openapi-mode (follow-privileges) it lists only the tables, views and functions the
// caller's role may use, asked of the database as that role in one statement.
import type pg from 'pg';
import { asUser } from '../../../lib/db/as-user.ts';
import type { ApiContext } from '../api/types.ts';
import { profileSchema } from './engine.ts';
import { PREFS } from './http.ts';
import type { Column, Relation, SchemaCache } from './schema-cache.ts';

type JsonSchema = { type?: string; format: string; description?: string; items?: { type: string } };

function swaggerType(c: { type: string; udt: string }): JsonSchema {
  const t = c.udt.replace(/^_/, '');
  const base = (() => {
    if (['int2', 'int4', 'int8'].includes(t)) return 'integer';
    if (['numeric', 'float4', 'float8'].includes(t)) return 'number';
    if (t === 'bool') return 'boolean';
    if (t === 'json' || t === 'jsonb') return undefined;
    return 'string';
  })();
  if (c.udt.startsWith('_')) return { type: 'array', format: c.type, items: { type: base ?? 'string' } };
  return base ? { type: base, format: c.type } : { format: c.type };
}

function columnSchema(rel: Relation, c: Column): JsonSchema {
  const s = swaggerType(c);
  const notes: string[] = [];
  if (c.description) notes.push(c.description);
  if (rel.primaryKey.includes(c.name)) notes.push('Note:\nThis is a Primary Key.<pk/>');
  if (notes.length) s.description = notes.join('\n\n');
  return s;
}

function argType(type: string) {
  const udt = type.endsWith('[]') ? `_${type.slice(0, -2)}` : type;
  return swaggerType({
    type,
    udt: udt
      .replace('integer', 'int4')
      .replace('smallint', 'int2')
      .replace('bigint', 'int8')
      .replace('boolean', 'bool'),
  });
}

/** The Prefer values the engine honours (http.ts), so the document never offers one it ignores. */
const preferValues = (name: string) => (PREFS[name] ?? []).map((v) => `${name}=${v}`);

export async function openApiDocument({
  ctx,
  cache,
  pool,
  publicUrl,
}: {
  ctx: ApiContext;
  cache: SchemaCache;
  pool: pg.Pool;
  publicUrl: string;
}): Promise<Record<string, unknown>> {
  const schema = profileSchema(ctx, cache);
  const relations = [...cache.relations.values()].filter((r) => r.schema === schema);
  const functions = [...cache.functions.values()].flat().filter((f) => f.schema === schema);
  const allowed = await asUser(
    pool,
    { claims: ctx.caller.claims, settings: ctx.settings, admitted: ctx.admitted },
    async (client) => {
      const result = await client.query<{ tables: string[]; functions: number[] }>(
        `select coalesce((select array_agg(c.relname::text) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                  where n.nspname = $1 and c.relname = any($2::text[])
                    and (has_table_privilege(c.oid, 'select') or has_table_privilege(c.oid, 'insert')
                      or has_table_privilege(c.oid, 'update') or has_table_privilege(c.oid, 'delete')
                      or has_any_column_privilege(c.oid, 'select, insert, update'))), '{}') as tables,
              coalesce((select array_agg(oid::int) from unnest($3::int[]) as oid
                  where has_function_privilege(oid::oid, 'execute')), '{}') as functions`,
        [schema, relations.map((r) => r.name), functions.map((f) => f.oid)],
      );
      return result.rows[0] as { tables: string[]; functions: number[] };
    },
  );
  const tables = new Set(allowed.tables);
  const fns = new Set(allowed.functions);

  const definitions: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {
    preferParams: { name: 'Prefer', in: 'header', type: 'string', enum: preferValues('params') },
    preferReturn: { name: 'Prefer', in: 'header', type: 'string', enum: preferValues('return') },
    preferCount: { name: 'Prefer', in: 'header', type: 'string', enum: preferValues('count') },
    preferPost: {
      name: 'Prefer',
      in: 'header',
      type: 'string',
      enum: [...preferValues('return'), ...preferValues('resolution')],
    },
    select: { name: 'select', description: 'Filtering Columns', required: false, in: 'query', type: 'string' },
    on_conflict: { name: 'on_conflict', description: 'On Conflict', required: false, in: 'query', type: 'string' },
    order: { name: 'order', description: 'Ordering', required: false, in: 'query', type: 'string' },
    range: { name: 'Range', description: 'Limiting and Pagination', required: false, in: 'header', type: 'string' },
    rangeUnit: {
      name: 'Range-Unit',
      description: 'Limiting and Pagination',
      required: false,
      default: 'items',
      in: 'header',
      type: 'string',
    },
    offset: { name: 'offset', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
    limit: { name: 'limit', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
  };
  const paths: Record<string, unknown> = {
    '/': {
      get: {
        tags: ['Introspection'],
        summary: 'OpenAPI description (this document)',
        produces: ['application/openapi+json', 'application/json'],
        responses: { '200': { description: 'OK' } },
      },
    },
  };

  for (const rel of relations) {
    if (!tables.has(rel.name)) continue;
    definitions[rel.name] = {
      description: rel.description ?? undefined,
      required: rel.columnList.filter((c) => !c.nullable && !c.hasDefault && !c.generated).map((c) => c.name),
      properties: Object.fromEntries(rel.columnList.map((c) => [c.name, columnSchema(rel, c)])),
      type: 'object',
    };
    const filters = rel.columnList.map((c) => {
      const ref = `rowFilter.${rel.name}.${c.name}`;
      parameters[ref] = { name: c.name, required: false, format: c.type, in: 'query', type: 'string' };
      return { $ref: `#/parameters/${ref}` };
    });
    parameters[`body.${rel.name}`] = {
      name: rel.name,
      description: rel.name,
      required: false,
      in: 'body',
      schema: { $ref: `#/definitions/${rel.name}` },
    };
    const tag = [rel.name];
    const summary = rel.description?.split('\n')[0];
    const ok = (d: string) => ({ description: d });
    paths[`/${rel.name}`] = {
      get: {
        tags: tag,
        summary,
        parameters: [
          ...filters,
          { $ref: '#/parameters/select' },
          { $ref: '#/parameters/order' },
          { $ref: '#/parameters/range' },
          { $ref: '#/parameters/rangeUnit' },
          { $ref: '#/parameters/offset' },
          { $ref: '#/parameters/limit' },
          { $ref: '#/parameters/preferCount' },
        ],
        responses: {
          '200': { description: 'OK', schema: { items: { $ref: `#/definitions/${rel.name}` }, type: 'array' } },
          '206': ok('Partial Content'),
        },
      },
      post: {
        tags: tag,
        parameters: [
          { $ref: `#/parameters/body.${rel.name}` },
          { $ref: '#/parameters/select' },
          { $ref: '#/parameters/preferPost' },
        ],
        responses: { '201': ok('Created') },
      },
      delete: {
        tags: tag,
        parameters: [...filters, { $ref: '#/parameters/preferReturn' }],
        responses: { '204': ok('No Content') },
      },
      patch: {
        tags: tag,
        parameters: [...filters, { $ref: `#/parameters/body.${rel.name}` }, { $ref: '#/parameters/preferReturn' }],
        responses: { '204': ok('No Content') },
      },
    };
  }

  for (const f of functions) {
    if (!fns.has(f.oid)) continue;
    const body = {
      required: f.args.filter((a) => !a.hasDefault).map((a) => a.name),
      type: 'object',
      properties: Object.fromEntries(f.args.map((a) => [a.name, argType(a.type)])),
    };
    const tag = ['(rpc) ' + f.name];
    const summary = f.description?.split('\n')[0];
    const entry: Record<string, unknown> = {
      post: {
        tags: tag,
        summary,
        description: f.description ?? undefined,
        produces: ['application/json', 'application/vnd.pgrst.object+json'],
        parameters: [{ required: true, schema: body, in: 'body', name: 'args' }, { $ref: '#/parameters/preferParams' }],
        responses: { '200': { description: 'OK' } },
      },
    };
    if (f.volatility !== 'v') {
      entry.get = {
        tags: tag,
        summary,
        description: f.description ?? undefined,
        parameters: f.args.map((a) => ({ name: a.name, required: !a.hasDefault, in: 'query', ...argType(a.type) })),
        responses: { '200': { description: 'OK' } },
      };
    }
    paths[`/rpc/${f.name}`] = entry;
  }

  // The public origin comes from configuration, never from the request's Host header.
  const origin = new URL(publicUrl);
  return {
    swagger: '2.0',
    info: {
      title: 'TaskMaster REST API',
      description: cache.schemaDescriptions.get(schema) ?? `The ${schema} schema, served in PostgREST's dialect.`,
      version: ctx.version.name,
    },
    host: origin.host,
    basePath: `/rest/${ctx.version.name}`,
    schemes: [origin.protocol.slice(0, -1)],
    consumes: ['application/json', 'application/vnd.pgrst.object+json'],
    produces: ['application/json', 'application/vnd.pgrst.object+json', 'text/csv'],
    paths,
    definitions,
    parameters,
    externalDocs: {
      description: 'PostgREST documentation',
      url: 'https://postgrest.org/en/stable/references/api.html',
    },
  };
}
