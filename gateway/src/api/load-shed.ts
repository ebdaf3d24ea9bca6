// Bulk API operations are shed (503 + Retry-After) while the critical job queue is deeper
// than its limit: every row a bulk write touches records an event and enqueues critical
// jobs (notifications, webhooks) in the writer's transaction, so refusing the few calls
// that write hundreds of rows at once keeps the backlog bounded while single-row edits,
// which people wait for, still go through. The worker measures the depth every few seconds
// (private.queue_classes, workers/src/supervisor.ts); the gateway trusts its last reading
// for QUEUE_PRESSURE_CACHE_MS, so shedding costs no query on most requests.
//
// "Bulk" (docs/api.md#bulk-operations-and-backpressure), REST only:
// - POST (insert/upsert) whose JSON body is an array of more than API_BULK_ROWS rows;
// - PATCH or DELETE on a table without a filter on its primary key (`id=eq.…`, or
//   `id=in.(…)` with at most API_BULK_ROWS ids): such a statement may touch every row the
//   caller can see;
// - POST to an RPC listed in BULK_RPCS.
// GraphQL mutations act on one row by id (PostGraphile's CRUD mutations), so never bulk.
import type pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';
import { ApiError } from './errors.ts';

/** RPCs that write many rows per call (none today; add the name when one is created). */
export const BULK_RPCS: ReadonlySet<string> = new Set<string>([]);

export type BulkRequest = { method: string; path: string; query: URLSearchParams; body: Buffer | undefined };

function idFilterIsNarrow(query: URLSearchParams, maxRows: number): boolean {
  return query.getAll('id').some((v) => {
    if (v.startsWith('eq.')) return true;
    const list = /^in\.\((.*)\)$/.exec(v)?.[1];
    return list !== undefined && list.split(',').length <= maxRows;
  });
}

/** Whether a REST request is a bulk operation (see the header). */
export function isBulk(req: BulkRequest, maxRows: number): boolean {
  const rpc = /^\/rpc\/([^/]+)$/.exec(req.path)?.[1];
  if (rpc !== undefined) return req.method === 'POST' && BULK_RPCS.has(rpc);
  if (!/^\/[^/]+$/.test(req.path)) return false;
  if (req.method === 'POST') {
    if (!req.body || req.body.length === 0) return false;
    // Only an array can be bulk: skip parsing single-object bodies.
    if (req.body.toString('utf8', 0, 64).trimStart()[0] !== '[') return false;
    try {
      const rows: unknown = JSON.parse(req.body.toString('utf8'));
      return Array.isArray(rows) && rows.length > maxRows;
    } catch {
      return false; // the engine answers the malformed body with its own 400
    }
  }
  if (req.method === 'PATCH' || req.method === 'DELETE') return !idFilterIsNarrow(req.query, maxRows);
  return false;
}

export type QueuePressure = { over: boolean; depth: number; limit: number; retryAfterSeconds: number };

/** The critical queue's last measured pressure, cached for cacheMs; failures read as "not over". */
export function createQueuePressure({ pool, cacheMs, log }: { pool: pg.Pool; cacheMs: number; log?: Logger }) {
  let cached: { at: number; value: QueuePressure } | undefined;
  let pending: Promise<QueuePressure> | undefined;
  const read = async (): Promise<QueuePressure> => {
    try {
      const { rows } = await pool.query<{ depth: string; depth_limit: string; retry_after_seconds: number }>(
        `select depth, depth_limit, retry_after_seconds from private.queue_classes where name = 'critical'`,
      );
      const row = rows[0];
      const value: QueuePressure = row
        ? {
            over: Number(row.depth) > Number(row.depth_limit),
            depth: Number(row.depth),
            limit: Number(row.depth_limit),
            retryAfterSeconds: row.retry_after_seconds,
          }
        : { over: false, depth: 0, limit: 0, retryAfterSeconds: 0 };
      cached = { at: Date.now(), value };
      return value;
    } catch (error) {
      // Shedding is an optimisation: a failed reading must not fail the request.
      log?.warn({ err: error }, 'queue pressure unavailable; not shedding');
      return { over: false, depth: 0, limit: 0, retryAfterSeconds: 0 };
    }
  };
  return {
    async current(): Promise<QueuePressure> {
      if (cached && Date.now() - cached.at < cacheMs) return cached.value;
      pending ??= read().finally(() => (pending = undefined));
      return pending;
    },
    /** Throws the 503 when the request is bulk and the critical queue is over its limit. */
    async guard(req: BulkRequest, maxRows: number): Promise<void> {
      if (!isBulk(req, maxRows)) return;
      const p = await this.current();
      if (!p.over) return;
      throw new ApiError(503, 'TM503', 'The job queue is over its limit: bulk operations are paused', {
        details: `${p.depth} critical jobs are waiting (limit ${p.limit}).`,
        hint: 'Retry after the number of seconds in Retry-After, or send fewer rows per request.',
        headers: { 'retry-after': String(p.retryAfterSeconds) },
      });
    },
  };
}
