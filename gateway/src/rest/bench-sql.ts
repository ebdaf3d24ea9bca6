// The exact statement the REST engine runs for a GET, for the benchmark (scripts/bench-api.ts)
// to feed pgbench the same SQL the gateway executes. Uses the owner pool only to read the
// catalog into a schema cache; the statement itself is run by the caller under its role.
import { config } from '../../../lib/config.ts';
import { services } from '../../../lib/services.ts';
import type { ApiContext } from '../api/types.ts';
import { apiVersions } from '../api/versions.ts';
import { DEFAULT_LIMITS } from './engine.ts';
import { planRequest } from './index.ts';
import { loadSchemaCache } from './schema-cache.ts';

/** `path` is the full request target, e.g. "/rest/v1/tasks?select=*&limit=50". */
export async function sqlForRequest(
  path: string,
  claims: Record<string, unknown>,
): Promise<{ text: string; values: unknown[] }> {
  const url = new URL(path, 'http://bench');
  const m = /^\/rest\/([^/]+)(\/.*)?$/.exec(url.pathname);
  const version = apiVersions(config()).find((v) => v.name === m?.[1]);
  if (!m || !version) throw new Error(`not a REST path: ${path}`);
  const cache = await loadSchemaCache(services().servicePool, version.schemas);
  const ctx = {
    caller: { claims: claims as ApiContext['caller']['claims'], via: 'jwt' },
    requestId: 'bench',
    log: undefined as unknown as ApiContext['log'],
    version,
    method: 'GET',
    headers: {},
    path: m[2] ?? '/',
    query: url.searchParams,
    rawQuery: url.search.slice(1),
    settings: {},
  } satisfies ApiContext;
  const cfg = config();
  const plan = planRequest(ctx, cache, {
    ...DEFAULT_LIMITS,
    maxRows: cfg.API_MAX_ROWS,
    statementTimeoutMs: cfg.API_STATEMENT_TIMEOUT_MS,
  });
  return { text: plan.sql, values: plan.params };
}
