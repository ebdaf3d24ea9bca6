// The PostgREST-dialect REST engine at /rest/<version>/ (issue 3, section 1). See
// ./README.md for what it supports and what it deliberately does not, compared with
// PostgREST 12/13.
//
// Flow per request: route (/, /rpc/<fn>, /<table>) → plan (parse the URL against the
// in-memory schema cache, generate ONE statement with bind parameters) → run it in one
// transaction as the caller (asUser: role + claims + request.headers) → shape the answer
// (status from range and count, Content-Range, single object, CSV, Location).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { asUser, asUserQuery } from '../../../lib/db/as-user.ts';
import type { Services } from '../../../lib/services.ts';
import { ApiError } from '../api/errors.ts';
import type { ApiContext, ApiHandler, ApiResponse } from '../api/types.ts';
import { fromPgError, isPgError } from './errors.ts';
import { findRelation } from './build.ts';
import {
  DEFAULT_LIMITS,
  engineLimits,
  planRpc,
  planTable,
  profileSchema,
  relationVerbs,
  type EngineLimits,
  type Plan,
} from './engine.ts';
import { contentRange, CONTENT_TYPES, negotiate, rangeStatus, toCsv } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { key, loadSchemaCache, type SchemaCache } from './schema-cache.ts';

export type RestEngine = {
  handler: ApiHandler;
  reload(): Promise<void>;
  close(): Promise<void>;
};

// Headers that carry credentials never reach the database settings.
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'apikey', 'proxy-authorization', 'x-api-key']);

function requestHeadersSetting(headers: ApiContext['headers']): string {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return JSON.stringify(out);
}

function singularError(rows: number): ApiError {
  return new ApiError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', {
    details: `The result contains ${rows} rows`,
  });
}

// Frequent statement shapes run as named prepared statements: each pooled connection
// parses and plans them once. Only the first STATEMENT_NAMES shapes get a name, so a
// client sending endless distinct shapes cannot grow the server's per-connection memory.
const STATEMENT_NAMES = 500;
const statementNames = new Map<string, string>();
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < STATEMENT_NAMES) {
    name = `rest_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

type Row = { body: string; page: string | number; total: string | number | null; pk?: string };

/** Plans a request: which statement answers it (no I/O). */
export function planRequest(ctx: ApiContext, cache: SchemaCache, limits: EngineLimits = DEFAULT_LIMITS): Plan {
  const target = ctx.path.length + ctx.rawQuery.length + 1;
  if (target > limits.maxUrlBytes) {
    throw new ApiError(414, 'PGRST414', `The request URL is longer than ${limits.maxUrlBytes} bytes`);
  }
  const segments = ctx.path.split('/').filter(Boolean).map(safeDecode);
  let plan: Plan;
  if (segments.length === 1) plan = planTable(ctx, cache, limits, segments[0] as string);
  else if (segments.length === 2 && segments[0] === 'rpc') plan = planRpc(ctx, cache, limits, segments[1] as string);
  else throw new ApiError(404, 'PGRST125', `Invalid path specified in request URL`);
  checkParameters(plan.sql, plan.params.length);
  return plan;
}

/** OPTIONS (not a CORS preflight, which the pipeline answers): the verbs a resource takes. */
function allowedMethods(ctx: ApiContext, cache: SchemaCache): string {
  if (ctx.path === '/' || ctx.path === '') return 'OPTIONS,GET,HEAD';
  const schema = profileSchema({ ...ctx, method: 'GET' }, cache);
  const [first, second, extra] = ctx.path.split('/').filter(Boolean);
  if (first === 'rpc' && second !== undefined && extra === undefined) {
    const fns = cache.functions.get(key(schema, safeDecode(second))) ?? [];
    if (fns.length === 0) throw new ApiError(404, 'PGRST202', `Could not find the function ${schema}.${second}`);
    return fns.some((f) => f.volatility !== 'v') ? 'OPTIONS,GET,HEAD,POST' : 'OPTIONS,POST';
  }
  if (first === undefined || second !== undefined)
    throw new ApiError(404, 'PGRST125', 'Invalid path specified in request URL');
  return relationVerbs(findRelation(cache, schema, safeDecode(first)));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(404, 'PGRST125', 'Invalid path specified in request URL', {
      details: 'Malformed percent-encoding.',
    });
  }
}

/** Every bound value must be referenced exactly by $1..$n: a mismatch is a planner bug. */
function checkParameters(sql: string, count: number): void {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  if (max !== count) throw new Error(`REST planner bound ${count} parameters but the statement uses ${max}`);
}

export async function createRestEngine({
  services: svc,
  schemas,
}: {
  services: Services;
  schemas: readonly string[];
}): Promise<RestEngine> {
  const limits = engineLimits(svc.config);
  let cache = await loadSchemaCache(svc.servicePool, schemas);
  let closed = false;
  let listener: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let reloading: Promise<void> | undefined;

  // Coalesce bursts of NOTIFYs: at most one load runs, and a request arriving during it
  // schedules exactly one more (the running load may have read the catalog too early).
  let reloadAgain = false;
  async function reload(): Promise<void> {
    if (reloading) {
      reloadAgain = true;
      return reloading;
    }
    reloading = (async () => {
      try {
        do {
          reloadAgain = false;
          cache = await loadSchemaCache(svc.servicePool, schemas);
        } while (reloadAgain && !closed);
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  }

  // LISTEN pgrst on a dedicated connection; reconnect (and reload, since notifications
  // may have been missed) if it drops.
  async function listen(delay = 0): Promise<void> {
    if (closed) return;
    const client = new pg.Client({
      connectionString: svc.config.databaseUrl,
      application_name: 'taskmaster-rest-listen',
    });
    const again = () => {
      if (closed || listener !== client) return;
      listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined); // a dying connection may still emit errors
      void client.end().catch(() => undefined);
      retry = setTimeout(() => void listen(Math.min((delay || 250) * 2, 10_000)), delay || 250);
      retry.unref();
    };
    listener = client;
    client.on('error', again);
    client.on('end', again);
    client.on('notification', (msg) => {
      if (msg.channel !== 'pgrst') return;
      const payload = (msg.payload ?? '').trim();
      if (payload === '' || payload === 'reload schema') void reload().catch(() => undefined);
    });
    try {
      await client.connect();
      // The listener alone never keeps the process alive (the HTTP server does).
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await client.query('listen pgrst');
      if (delay) await reload();
    } catch {
      again();
    }
  }
  await listen();

  async function run(ctx: ApiContext, plan: Plan): Promise<ApiResponse> {
    const anonymous = ctx.caller.claims.role === 'anon';
    const settings = {
      ...ctx.settings,
      'request.headers': requestHeadersSetting(ctx.headers),
      // Transaction-local (asUser sets every setting with is_local): a runaway query is
      // cancelled (57014 → 504) instead of holding a pooled connection.
      statement_timeout: String(limits.statementTimeoutMs),
      ...(plan.prefer.timezone ? { timezone: plan.prefer.timezone } : {}),
    };
    if (plan.prefer.timezone) plan.prefer.applied.push(`timezone=${plan.prefer.timezone}`);
    let row: Row;
    let total: number | null;
    const identity = {
      claims: ctx.caller.claims,
      settings,
      readOnly: ctx.method === 'GET' || ctx.method === 'HEAD',
      admitted: ctx.admitted,
    };
    // One statement with nothing to decide after it (no planned count to EXPLAIN, no
    // singular or max-affected check that must roll back) goes in one round trip.
    const single =
      !plan.planSql && !(plan.kind === 'write' && plan.media === 'object') && plan.maxAffected === undefined;
    try {
      if (single) {
        const result = await asUserQuery<Row>(svc.apiPool, identity, {
          text: plan.sql,
          values: plan.params,
          name: statementName(plan.sql),
        });
        row = result.rows[0] as Row;
        total = row.total === null ? null : Number(row.total);
      } else {
        ({ row, total } = await asUser(svc.apiPool, identity, async (client) => {
          const result = await client.query<Row>({
            text: plan.sql,
            values: plan.params,
            name: statementName(plan.sql),
          });
          const first = result.rows[0] as Row;
          let counted = first.total === null ? null : Number(first.total);
          if (plan.planSql && (plan.count === 'planned' || (counted !== null && counted > limits.maxRows))) {
            const explained = await client.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>({
              text: `explain (format json) ${plan.planSql.sql}`,
              values: plan.planSql.params,
            });
            counted = explained.rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? null;
          }
          // A write asked for one object rolls back when it touched zero or several rows.
          if (plan.kind === 'write' && plan.media === 'object' && Number(first.page) !== 1) {
            throw singularError(Number(first.page));
          }
          if (plan.maxAffected !== undefined && Number(first.page) > plan.maxAffected) {
            throw new ApiError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', {
              details: `The query affects ${Number(first.page)} rows`,
            });
          }
          return { row: first, total: counted };
        }));
      }
    } catch (error) {
      if (isPgError(error)) throw fromPgError(error, anonymous);
      throw error;
    }
    const page = Number(row.page);
    const headers: Record<string, string> = {};
    if (plan.prefer.applied.length) headers['preference-applied'] = plan.prefer.applied.join(', ');
    // PostgREST names the schema that answered when several are exposed.
    if (ctx.version.schemas.length > 1) headers['content-profile'] = plan.schema;

    if (plan.kind === 'rpc-void') return { status: 204, headers };
    if (plan.kind === 'rpc-scalar') {
      if (plan.media === 'csv') {
        // PostgREST's CSV of a scalar: one column, pgrst_scalar, and one row.
        headers['content-type'] = CONTENT_TYPES.csv;
        return { status: 200, headers, body: toCsv(`[{"pgrst_scalar":${row.body ?? 'null'}}]`) };
      }
      headers['content-type'] = CONTENT_TYPES.json;
      return { status: 200, headers, body: row.body };
    }
    let status = plan.status;
    if (plan.kind === 'read') {
      status = rangeStatus(plan.offset, page, total);
      if (status === 416) {
        throw new ApiError(416, 'PGRST103', 'Requested range not satisfiable', {
          details: `An offset of ${plan.offset} was requested, but there are only ${total} rows.`,
          headers: { 'content-range': `*/${total}` },
        });
      }
      headers['content-range'] = contentRange(plan.offset, page, total);
    } else {
      headers['content-range'] = `*/${plan.prefer.count === 'exact' ? page : '*'}`;
    }
    if (plan.location && row.pk) {
      const key = JSON.parse(row.pk) as Record<string, unknown>;
      headers.location = `/${encodeURIComponent(plan.location.table)}?${plan.location.columns
        .map((c) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(String(key[c]))}`)
        .join('&')}`;
    }
    if (!plan.returnBody) return { status, headers };

    let body = row.body;
    if (plan.media === 'object') {
      if (page !== 1) throw singularError(page);
      body = body.slice(1, -1);
    } else if (plan.singleRow) {
      body = page === 0 ? 'null' : body.slice(1, -1);
    }
    if (plan.media === 'csv') body = toCsv(body);
    headers['content-type'] = CONTENT_TYPES[plan.media];
    return { status, headers, body };
  }

  const handler: ApiHandler = async (ctx) => {
    if (ctx.method === 'OPTIONS') return { status: 200, headers: { allow: allowedMethods(ctx, cache) } };
    if (ctx.path === '/' || ctx.path === '') {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        throw new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${ctx.method.slice(0, 20)}`);
      }
      negotiate(typeof ctx.headers.accept === 'string' ? ctx.headers.accept : undefined, ['openapi']);
      const doc = await openApiDocument({ ctx, cache, pool: svc.apiPool, publicUrl: svc.config.PUBLIC_URL });
      return { status: 200, headers: { 'content-type': CONTENT_TYPES.openapi }, body: JSON.stringify(doc) };
    }
    const plan = planRequest(ctx, cache, limits);
    return run(ctx, plan);
  };

  return {
    handler,
    reload,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const client = listener;
      listener = undefined;
      if (client) {
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }
    },
  };
}
