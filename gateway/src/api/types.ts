// The contract between the gateway's API pipeline (caller identity, body limits, rate
// limits, idempotency, versioning, ETag, CORS) and the engines behind it (REST, GraphQL).
// Engines are pure request → response functions: they never touch the socket, so the
// pipeline can store a response for Idempotency-Key replays, hash it for an ETag, and
// add headers after the engine has answered.
import type { IncomingHttpHeaders } from 'node:http';
import type { Claims } from '../../../lib/db/as-user.ts';
import type { Logger } from '../../../lib/logger.ts';

export type ApiVersion = {
  /** e.g. "v1": the path segment after /rest/ */
  name: string;
  /** Database schemas exposed in this version, first is the default profile. */
  schemas: readonly string[];
  /** Set when the version is deprecated: answered with Deprecation/Sunset/Link headers. */
  deprecated?: { since: Date; sunset: Date; link: string };
};

export type Caller = {
  claims: Claims;
  /** How the caller proved who they are. */
  via: 'anon' | 'session' | 'jwt' | 'api_key';
  /** The API key's id when via === 'api_key' (for rate limits and last-used time). */
  apiKeyId?: string;
};

export type ApiContext = {
  caller: Caller;
  requestId: string;
  log: Logger;
  version: ApiVersion;
  method: string;
  /** Request headers (lower-case names, as Node gives them). */
  headers: IncomingHttpHeaders;
  /** Path below the engine's mount point, e.g. "/tasks" for /rest/v1/tasks. */
  path: string;
  /** Parsed query string (raw, in order: PostgREST semantics depend on repeated keys). */
  query: URLSearchParams;
  /** The raw query string after '?', undecoded (PostgREST parses some values itself). */
  rawQuery: string;
  /** The request body, already read (size-limited) by the pipeline; undefined for GET/HEAD. */
  body?: Buffer;
  /** Transaction-local settings every engine passes to asUser (request.headers, request.method, …). */
  settings: Record<string, string>;
  /**
   * Settles when the request may touch data: the rate limiter's answer (it rejects with a
   * 429 ApiError). For reads the pipeline asks the limiter while the engine opens its
   * transaction; engines pass it to asUser({admitted}), which waits for it before any
   * statement reads a table. Writes are admitted before the engine is called.
   */
  admitted?: Promise<void>;
};

export type ApiResponse = {
  status: number;
  /** Lower-case header names. */
  headers?: Record<string, string>;
  body?: string | Buffer;
};

/** An engine answers one request with a response the pipeline writes. */
export type ApiHandler = (ctx: ApiContext) => Promise<ApiResponse>;

/** A JSON response in PostgREST's error shape or any JSON value. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}
