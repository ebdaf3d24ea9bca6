// The pipeline every data-API request passes through before an engine sees it:
//   1. CORS preflight (answered here, never reaches an engine)
//   2. version sunset: a retired version answers 410
//   3. caller resolution: Bearer access JWT | API key | Better Auth session cookie | anon
//   4. rate limit for the caller's bucket (one SQL statement; a failed credential counts
//      against the client IP), CSRF guard for cookie-authenticated writes
//   5. body read with a size limit
//   6. Idempotency-Key (POST/PUT/PATCH/DELETE): replay, refuse, or claim the key
//   7. engine (REST or GraphQL) → ApiResponse
//   8. response decoration: ETag/304, Cache-Control, Vary, Deprecation/Sunset/Link,
//      RateLimit fields, CORS; then write
// Engines never see credentials, only the resulting claims. Steps 1, 2, 4, 6, 8 live in
// their own modules (cors, deprecation, rate-limit, idempotency, etag); this file is the flow.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { claimsForSession, createTokenVerifier, InvalidTokenError } from '../../../lib/auth/claims.ts';
import { logger, type Logger } from '../../../lib/logger.ts';
import type { Services } from '../../../lib/services.ts';
import { createApiKeyResolver, isApiKeyCredential } from './api-keys.ts';
import { callerScope, createClientIp } from './caller-scope.ts';
import { createCors } from './cors.ts';
import { sunsetError, withDeprecation } from './deprecation.ts';
import { ApiError } from './errors.ts';
import { applyCaching } from './etag.ts';
import { createQueuePressure } from './load-shed.ts';
import {
  createIdempotencyStore,
  IDEMPOTENT_METHODS,
  idempotencyConflict,
  idempotencyKeyOf,
  requestFingerprint,
} from './idempotency.ts';
import {
  createRateLimiter,
  rateLimitError,
  type RateLimiter,
  rateLimitHeaders,
  type RateLimitResult,
  type RateLimitSettings,
} from './rate-limit.ts';
import { json, type ApiContext, type ApiHandler, type ApiResponse, type ApiVersion, type Caller } from './types.ts';

export type Mount = {
  /** The engine answering below this mount. */
  handler: ApiHandler;
  version: ApiVersion;
  /** Path below the mount, e.g. "/tasks". */
  path: string;
  /** REST mounts shed bulk operations under queue pressure (./load-shed.ts). */
  kind?: 'rest' | 'graphql';
};

/** Overrides of configuration for one gateway (tests run several with different limits). */
export type ApiOptions = {
  rateLimits?: Partial<RateLimitSettings>;
  trustedProxies?: readonly string[];
  corsOrigins?: readonly string[];
  /** The clock for sunset decisions. */
  now?: () => Date;
  /**
   * Where rate-limit buckets and Idempotency-Key records live (default: the service pool).
   * A deployment may point it at a pooler of its own; tests point it at a dead one.
   */
  statePool?: pg.Pool;
};

export type PipelineOptions = {
  services: Services;
  /** The largest request body accepted (default API_MAX_BODY_BYTES); a larger one is a 413. */
  maxBodyBytes?: number;
} & ApiOptions;

/**
 * The request body, at most `maxBytes` of it: a 413 (`code`) when Content-Length says more,
 * or as soon as more arrives. The one body reader of the gateway's API endpoints.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, code = 'PGRST413'): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, code, `Request body exceeds ${maxBytes} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Sends an ApiResponse; HEAD, 204 and 304 carry no body. */
export function writeResponse(res: ServerResponse, response: ApiResponse, head = false): void {
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.statusCode = response.status;
  res.end(head || response.status === 304 || response.status === 204 ? undefined : response.body);
}

/** An ApiError's own answer; anything else is logged and answered 500 with the request id. */
export function errorResponse(error: unknown, requestId: string, log: Logger, what = 'data API request'): ApiResponse {
  if (error instanceof ApiError) return error.toResponse();
  log.error({ err: error }, `${what} failed`);
  return json(500, { code: 'TM500', message: 'Internal error', details: null, hint: null, request_id: requestId });
}

/** The data API's limiter: the configured per-minute quotas, with ApiOptions' overrides. */
export function createApiRateLimiter(
  svc: Services,
  { rateLimits, statePool }: Pick<ApiOptions, 'rateLimits' | 'statePool'> = {},
): RateLimiter {
  return createRateLimiter({
    pool: statePool ?? svc.servicePool,
    settings: {
      anon: svc.config.RATE_LIMIT_ANON_PER_MINUTE,
      user: svc.config.RATE_LIMIT_USER_PER_MINUTE,
      apiKey: svc.config.RATE_LIMIT_API_KEY_PER_MINUTE,
      windowSeconds: 60,
      ...rateLimits,
    },
  });
}

export function createApiPipeline({ services: svc, ...options }: PipelineOptions) {
  const verifyToken = createTokenVerifier({ auth: svc.auth, issuer: svc.config.PUBLIC_URL });
  const resolveApiKey = createApiKeyResolver({ pool: svc.servicePool, cacheMs: svc.config.API_KEY_CACHE_MS });
  const maxBody = options.maxBodyBytes ?? svc.config.API_MAX_BODY_BYTES;
  const now = options.now ?? (() => new Date());
  const clientIp = createClientIp(options.trustedProxies ?? svc.config.TRUSTED_PROXIES);
  const cors = createCors({
    publicUrl: svc.config.PUBLIC_URL,
    origins: options.corsOrigins ?? svc.config.CORS_ORIGINS,
  });
  const statePool = options.statePool ?? svc.servicePool;
  const limiter = createApiRateLimiter(svc, options);
  const idempotency = createIdempotencyStore({ pool: statePool });
  const queuePressure = createQueuePressure({
    pool: svc.servicePool,
    cacheMs: svc.config.QUEUE_PRESSURE_CACHE_MS,
    log: logger.child({ component: 'load-shed' }),
  });

  async function resolveCaller(req: IncomingMessage): Promise<Caller> {
    const authorization = req.headers.authorization;
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (authorization && !bearer) throw new ApiError(401, 'PGRST301', 'Authorization header must be "Bearer <token>"');
    // supabase-js sends the publishable key as both `apikey` and the Bearer token when
    // no user is signed in: that is an anonymous request.
    const publishable = svc.config.API_PUBLISHABLE_KEY;
    // An API key (tm_…) comes as the Bearer token or, supabase-js style, as `apikey`. A
    // bad key is a 401, never a fall-back to anon: the client meant to authenticate.
    if (bearer && isApiKeyCredential(bearer, publishable)) return resolveApiKey(bearer);
    const apikey = req.headers.apikey;
    if ((!bearer || bearer === publishable) && typeof apikey === 'string' && isApiKeyCredential(apikey, publishable)) {
      return resolveApiKey(apikey);
    }
    if (bearer && bearer !== publishable) {
      try {
        return { claims: await verifyToken(bearer), via: 'jwt' };
      } catch (error) {
        if (error instanceof InvalidTokenError) {
          throw new ApiError(401, 'PGRST301', 'The access token is invalid or expired', {
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          });
        }
        throw error;
      }
    }
    if (req.headers.cookie) {
      const found = await svc.auth.api.getSession({ headers: new Headers({ cookie: req.headers.cookie }) });
      if (found) return { claims: claimsForSession(found), via: 'session' };
    }
    return { claims: { role: svc.config.API_ANON_ROLE }, via: 'anon' };
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    mount: Mount,
    { requestId, log }: { requestId: string; log: Logger },
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const ip = clientIp(req);
    let limit: RateLimitResult | undefined;

    const run = async (): Promise<ApiResponse> => {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (cors.isPreflight(method, req.headers)) return cors.preflight(req.headers);
      const gone = sunsetError(mount.version, now());
      if (gone) throw gone;

      let caller: Caller;
      try {
        caller = await resolveCaller(req);
      } catch (error) {
        // Failed credentials count against the client IP, so guessing tokens is limited too.
        limit = await limiter.take(callerScope(undefined, ip), log);
        if (limit && !limit.allowed) throw rateLimitError(limit);
        throw error;
      }
      const scope = callerScope(caller, ip);
      // Reads ask the limiter while the engine opens its transaction (ctx.admitted, awaited
      // by asUser before any table is read); writes wait for it first, so a refused write
      // never reaches the idempotency store or the engine.
      const admitted = limiter.take(scope, log).then((result) => {
        limit = result;
        if (result && !result.allowed) throw rateLimitError(result);
      });
      admitted.catch(() => undefined); // observed below; never an unhandled rejection
      const safe = method === 'GET' || method === 'HEAD';
      if (!safe) await admitted;

      if (caller.via === 'session' && !safe && cors.isForeign(req.headers)) {
        throw new ApiError(403, 'TM403', 'Origin not allowed', {
          details: 'A cookie-authenticated write must come from an allowed origin.',
        });
      }

      const body = method === 'OPTIONS' || safe ? undefined : await readBody(req, maxBody);
      if (mount.kind === 'rest') {
        await queuePressure.guard(
          { method, path: mount.path, query: url.searchParams, body },
          svc.config.API_BULK_ROWS,
        );
      }
      const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
      const ctx: ApiContext = {
        caller,
        requestId,
        log,
        version: mount.version,
        method,
        headers: req.headers,
        path: mount.path,
        query: url.searchParams,
        rawQuery,
        body,
        settings: { 'request.method': method, 'request.path': url.pathname },
        admitted,
      };

      const key = IDEMPOTENT_METHODS.has(method) ? idempotencyKeyOf(req.headers) : undefined;
      if (key === undefined) {
        // An engine that answered without touching data (a parse error, OpenAPI from cache)
        // still answers 429 when the limiter refused.
        const response = await mount.handler(ctx).catch(async (error: unknown) => {
          await admitted; // a refusal (429) wins over the engine's own error
          throw error;
        });
        await admitted;
        return response;
      }

      const record = {
        scope: scope.id,
        key,
        method,
        path: url.pathname,
        fingerprint: requestFingerprint({ method, path: url.pathname, rawQuery, headers: req.headers, body }),
      };
      const claim = await idempotency.begin(record, log);
      if (claim.outcome === 'replay') return claim.response;
      if (claim.outcome !== 'started') throw idempotencyConflict(claim.outcome);
      let response: ApiResponse;
      try {
        response = await mount.handler(ctx);
      } catch (error) {
        response = errorResponse(error, requestId, log);
      }
      await idempotency.settle(record, claim.lockToken, response, log);
      return response;
    };

    let response: ApiResponse;
    try {
      response = await run();
    } catch (error) {
      response = errorResponse(error, requestId, log);
    }
    response = applyCaching(method, req.headers, response);
    response.headers = {
      ...withDeprecation(mount.version, response.headers ?? {}),
      ...(limit ? rateLimitHeaders(limit) : {}),
      ...cors.responseHeaders(req.headers),
    };
    writeResponse(res, response, method === 'HEAD');
  }
  // The limiter goes with the handler, so other entry points (GraphQL subscriptions) take
  // from the same instance: one lease and one coalescing queue per bucket per process. The
  // CORS policy and the client-IP rule go too, for endpoints beside the pipeline (telemetry).
  return Object.assign(handle, { limiter, cors, clientIp });
}
