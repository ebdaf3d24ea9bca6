// Idempotency-Key on POST, PUT, PATCH and DELETE, with Stripe's semantics:
// - the first request with a key runs; its status, content headers and body are stored;
// - the same key with the same request replays the stored response (even a 4xx), marked
//   `Idempotent-Replayed: true`, and writes nothing;
// - the same key with a different request (method/path scope equal, fingerprint not) → 422;
// - the same key while the first attempt is still running → 409;
// - records expire after 24 hours (ignored once expired; purged by a worker cron task).
// One deliberate difference from Stripe's API v1, which also stores 500s: a 5xx is NOT
// stored and the key is released. Stripe's v1 endpoints can fail half-way after side
// effects, so a replayed 500 is the honest answer there; here every request runs in one
// database transaction that rolls back on error, so after a 5xx nothing happened and the
// retry must be allowed to run (what Stripe's API v2 does: retries complete failed work).
// Requests refused before the engine runs (bad key, 401, 413, 429) store nothing, as
// Stripe stores nothing for requests that never started executing.
//
// A key is scoped by caller (API key, user or anonymous IP), method and path. The
// fingerprint is sha256 over method, path, query, the headers that change a request's
// meaning and the body. Storage: private.idempotency_keys through security-definer
// functions on the owner connection (supabase/migrations/20261123170060_api-idempotency-keys.sql).
// Unlike the rate limiter this fails CLOSED (503): answering without the record could
// perform a write twice, which is exactly what the client asked us to prevent.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type pg from 'pg';
import type { Logger } from '../../../lib/logger.ts';
import { ApiError } from './errors.ts';
import type { ApiResponse } from './types.ts';

export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Visible ASCII, 1 to 255 characters (a UUID v4 is the recommended form). */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** Headers that change what a request does or returns: part of the fingerprint. */
const MEANINGFUL_HEADERS = ['content-type', 'prefer', 'accept', 'accept-profile', 'content-profile'] as const;

/** Response headers stored with the response; the pipeline recomputes the rest per request. */
const STORED_HEADERS = new Set([
  'content-type',
  'content-range',
  'location',
  'preference-applied',
  'content-location',
  'content-profile',
]);

/** The request's Idempotency-Key, or undefined; 400 when present but malformed. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw : [raw];
  if (value.length !== 1 || !KEY_FORMAT.test(value[0] as string)) {
    throw new ApiError(400, 'TM400', 'Invalid Idempotency-Key header', {
      details: 'The key must be one value of 1 to 255 visible ASCII characters.',
      hint: 'Use a random UUID per logical operation and reuse it only for retries.',
    });
  }
  return value[0];
}

export type Fingerprinted = {
  method: string;
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body?: Buffer;
};

export function requestFingerprint({ method, path, rawQuery, headers, body }: Fingerprinted): Buffer {
  const hash = createHash('sha256');
  // Length-prefixed fields: no two different requests serialise to the same bytes.
  const field = (value: string | Buffer) => {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(method);
  field(path);
  field(rawQuery);
  for (const name of MEANINGFUL_HEADERS) {
    const value = headers[name];
    field(Array.isArray(value) ? value.join(', ') : (value ?? ''));
  }
  field(body ?? Buffer.alloc(0));
  return hash.digest();
}

export type IdempotencyRecord = { scope: string; key: string; method: string; path: string; fingerprint: Buffer };

export type BeginOutcome =
  | { outcome: 'started'; lockToken: string }
  | { outcome: 'replay'; response: ApiResponse }
  | { outcome: 'in_flight' }
  | { outcome: 'mismatch' };

const unavailable = () =>
  new ApiError(503, 'TM503', 'Idempotency-Key storage is unavailable', {
    details: 'The request was not performed.',
    hint: 'Retry with the same Idempotency-Key.',
    headers: { 'retry-after': '1' },
  });

export function createIdempotencyStore({ pool, ttlSeconds = 24 * 3600 }: { pool: pg.Pool; ttlSeconds?: number }) {
  async function begin(record: IdempotencyRecord, log: Logger): Promise<BeginOutcome> {
    let row:
      | {
          outcome: 'started' | 'replay' | 'in_flight' | 'mismatch';
          lock_token: string | null;
          response_status: number | null;
          response_headers: Record<string, string> | null;
          response_body: Buffer | null;
        }
      | undefined;
    try {
      const result = await pool.query(
        `select * from private.idempotency_begin($1, $2, $3, $4, $5, make_interval(secs => $6))`,
        [record.scope, record.key, record.method, record.path, record.fingerprint, ttlSeconds],
      );
      row = result.rows[0];
    } catch (error) {
      log.error({ err: error }, 'idempotency_begin failed: refusing the request (503) rather than risk a double write');
      throw unavailable();
    }
    if (!row) throw unavailable();
    if (row.outcome === 'started') return { outcome: 'started', lockToken: row.lock_token as string };
    if (row.outcome === 'replay') {
      return {
        outcome: 'replay',
        response: {
          status: row.response_status as number,
          headers: { ...(row.response_headers ?? {}), 'idempotent-replayed': 'true' },
          body: row.response_body ?? undefined,
        },
      };
    }
    return { outcome: row.outcome };
  }

  /** Stores the response (< 500) or releases the key (5xx). Never throws: the write already happened. */
  async function settle(record: IdempotencyRecord, lockToken: string, response: ApiResponse, log: Logger) {
    const key = [record.scope, record.key, record.method, record.path, lockToken];
    try {
      if (response.status >= 500) {
        await pool.query('select private.idempotency_release($1, $2, $3, $4, $5)', key);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).filter(([name]) => STORED_HEADERS.has(name.toLowerCase())),
      );
      const body = response.body === undefined ? null : Buffer.from(response.body);
      await pool.query('select private.idempotency_finish($1, $2, $3, $4, $5, $6, $7, $8)', [
        ...key,
        response.status,
        JSON.stringify(headers),
        body,
      ]);
    } catch (error) {
      // The key stays in flight until the lock timeout (5 minutes), then a retry takes it over.
      log.error(
        { err: error },
        'storing the Idempotency-Key response failed; retries get 409 until the lock times out',
      );
    }
  }

  return { begin, settle };
}

export function idempotencyConflict(outcome: 'in_flight' | 'mismatch'): ApiError {
  if (outcome === 'in_flight') {
    return new ApiError(409, 'TM409', 'A request with this Idempotency-Key is still being processed', {
      hint: 'Retry after the first request has finished.',
      headers: { 'retry-after': '1' },
    });
  }
  return new ApiError(422, 'TM422', 'This Idempotency-Key was already used for a different request', {
    details: 'The method, path, query, body or Prefer/Content-Type headers differ from the first request.',
    hint: 'Use a new Idempotency-Key for a new operation.',
  });
}
