// The pipeline every data-API request passes through before an engine sees it:
//   1. CORS preflight / allow-list
//   2. caller resolution: Bearer access JWT | API key | Better Auth session cookie | anon
//   3. body read with a size limit
//   4. engine (REST or GraphQL) → ApiResponse
//   5. response headers (request id, versioning) and write
// Engines never see credentials, only the resulting claims.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { claimsForSession, createTokenVerifier, InvalidTokenError } from '../../../lib/auth/claims.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { Services } from '../../../lib/services.ts';
import { ApiError } from './errors.ts';
import { json, type ApiContext, type ApiHandler, type ApiResponse, type ApiVersion, type Caller } from './types.ts';

export type Mount = {
  /** The engine answering below this mount. */
  handler: ApiHandler;
  version: ApiVersion;
  /** Path below the mount, e.g. "/tasks". */
  path: string;
};

export type PipelineOptions = { services: Services };

export function createApiPipeline({ services: svc }: PipelineOptions) {
  const verifyToken = createTokenVerifier({ auth: svc.auth, issuer: svc.config.PUBLIC_URL });
  const maxBody = svc.config.API_MAX_BODY_BYTES;

  async function resolveCaller(req: IncomingMessage): Promise<Caller> {
    const authorization = req.headers.authorization;
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (authorization && !bearer) throw new ApiError(401, 'PGRST301', 'Authorization header must be "Bearer <token>"');
    // supabase-js sends the publishable key as both `apikey` and the Bearer token when
    // no user is signed in: that is an anonymous request.
    if (bearer && bearer !== svc.config.API_PUBLISHABLE_KEY) {
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

  async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) throw new ApiError(413, 'PGRST413', `Request body exceeds ${maxBody} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) throw new ApiError(413, 'PGRST413', `Request body exceeds ${maxBody} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  function write(res: ServerResponse, response: ApiResponse, head: boolean): void {
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    res.statusCode = response.status;
    res.end(head ? undefined : response.body);
  }

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    mount: Mount,
    { requestId, log }: { requestId: string; log: Logger },
  ): Promise<void> {
    let response: ApiResponse;
    try {
      const caller = await resolveCaller(req);
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://gateway');
      const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
      const method = req.method ?? 'GET';
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
      };
      response = await mount.handler(ctx);
    } catch (error) {
      if (error instanceof ApiError) response = error.toResponse();
      else {
        log.error({ err: error }, 'data API request failed');
        response = json(500, {
          code: 'TM500',
          message: 'Internal error',
          details: null,
          hint: null,
          request_id: requestId,
        });
      }
    }
    write(res, response, req.method === 'HEAD');
  };
}

export type ApiPipeline = ReturnType<typeof createApiPipeline>;
