// The contract between the gateway's API pipeline (caller identity, rate limits,
// idempotency, versioning, ETag, CORS) and the engines behind it (REST, GraphQL).
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  /** Path below the engine's mount point, e.g. "/tasks" for /rest/v1/tasks. */
  path: string;
  /** Parsed query string (raw, in order: PostgREST semantics depend on repeated keys). */
  query: URLSearchParams;
  /** The request body, already read (size-limited) by the pipeline; undefined for GET/HEAD. */
  body?: Buffer;
};

/** An engine answers one request; it writes status, headers and body on `res` itself. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, ctx: ApiContext) => Promise<void>;
