// The gateway: one Node HTTP server in front of everything a browser or API client
// reaches. It owns cross-cutting concerns (request ids, access logs, health) and routes:
//   /healthz /readyz   liveness and readiness
//   /metrics           job-queue metrics, Prometheus text (gateway/src/metrics.ts)
//   /auth/*            Better Auth (sessions, JWT, JWKS)
//   /rest/<version>/*  PostgREST-dialect REST engine, through the API pipeline
//   /graphql           PostGraphile v5, through the API pipeline
//   /api/v1/bug-reports, /api/v1/telemetry   ingest endpoints (gateway/src/ingest)
//   /api/v1/unsubscribe  one-click email unsubscribe, RFC 8058 (gateway/src/unsubscribe)
//   /api/v1/recurrence/preview  next occurrences of an RRULE (gateway/src/recurrence)
//   everything else    the SvelteKit app (adapter-node handler)
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toNodeHandler } from 'better-auth/node';
import { logger, withRequestLogger } from '../../lib/logger.ts';
import type { Services } from '../../lib/services.ts';
import { ApiError } from './api/errors.ts';
import { createApiPipeline, type ApiOptions } from './api/pipeline.ts';
import type { ApiHandler, ApiVersion } from './api/types.ts';
import { apiVersions } from './api/versions.ts';
import { createGraphqlEngine } from './graphql/index.ts';
import { createIngest } from './ingest/index.ts';
import { createMetricsHandler } from './metrics.ts';
import { RECURRENCE_PREVIEW_PATH, recurrencePreview } from './recurrence/preview.ts';
import { requestId } from './request-id.ts';
import { createRestEngine } from './rest/index.ts';
import { createUnsubscribe } from './unsubscribe/index.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void | Promise<void>;

export const APP_HANDLER = resolve(import.meta.dirname, '..', '..', 'app', 'build', 'handler.js');

async function loadAppHandler(): Promise<NodeHandler | undefined> {
  if (!existsSync(APP_HANDLER)) return undefined;
  // adapter-node derives the request origin (for SvelteKit's CSRF check and absolute
  // URLs) from these headers, which the gateway sets from PUBLIC_URL on every request:
  // the public origin is configuration read at run time, never baked into a build.
  process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
  process.env.HOST_HEADER = 'x-forwarded-host';
  // Form posts (a bug report with a screenshot, without JavaScript) may carry up to the
  // ingest endpoint's 2.5 MiB; adapter-node's default is 512 KB.
  process.env.BODY_SIZE_LIMIT ??= String(Math.ceil(2.5 * 1024 * 1024));
  const mod = (await import(pathToFileURL(APP_HANDLER).href)) as { handler: NodeHandler };
  return mod.handler;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function ready(svc: Services): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all(
    (['servicePool', 'apiPool'] as const).map(async (name) => {
      try {
        await svc[name].query('select 1');
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = (error as Error).message;
      }
    }),
  );
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
}

export type GatewayOptions = {
  services: Services;
  serveApp?: boolean;
  /** API versions; defaults to apiVersions(config). Tests pass deprecated ones. */
  versions?: ApiVersion[];
  /** Configuration overrides for the API pipeline (rate limits, trusted proxies, CORS, clock). */
  api?: ApiOptions;
  /** Replace an engine's handler (tests of the pipeline with a controllable engine). */
  engines?: { rest?: ApiHandler; graphql?: ApiHandler };
};

export async function createGateway({
  services: svc,
  serveApp = true,
  versions,
  api,
  engines,
}: GatewayOptions): Promise<Server> {
  const apiVersionList = versions ?? apiVersions(svc.config);
  const current = apiVersionList.at(-1) as ApiVersion;
  const allSchemas = [...new Set(apiVersionList.flatMap((v) => v.schemas))];
  const pipeline = createApiPipeline({ services: svc, ...api });
  const metrics = createMetricsHandler(svc);
  const ingest = createIngest({ services: svc, ...(api ? { api } : {}) });
  const unsubscribe = createUnsubscribe({ services: svc });
  const rest = await createRestEngine({ services: svc, schemas: allSchemas });
  const graphql = await createGraphqlEngine({
    services: svc,
    schemas: current.schemas,
    // Subscribe operations take from the same rate-limit buckets as HTTP requests.
    limiter: pipeline.limiter,
  });
  const restHandler = engines?.rest ?? rest.handler;
  const graphqlHandler = engines?.graphql ?? graphql.handler;
  // An unknown version still passes the pipeline (CORS, rate limit, request id) and answers
  // 404 in PostgREST's error shape.
  const unknownVersion: ApiHandler = async (ctx) => {
    throw new ApiError(404, 'PGRST125', `Invalid path specified in request URL: no API version ${ctx.version.name}`, {
      hint: `Known versions: ${apiVersionList.map((v) => v.name).join(', ')}`,
    });
  };
  const publicUrl = new URL(svc.config.PUBLIC_URL);
  const publicProto = publicUrl.protocol.slice(0, -1);
  const authHandler = toNodeHandler(svc.auth);
  const appHandler = serveApp ? await loadAppHandler() : undefined;
  if (serveApp && !appHandler) logger.warn({ path: APP_HANDLER }, 'app is not built: only APIs are served');

  const server = createServer((req, res) => {
    const id = requestId(req.headers['x-request-id']);
    const started = process.hrtime.bigint();
    const reqLog = logger.child({ req_id: id });
    res.setHeader('x-request-id', id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.url ?? '/').split('?')[0];
      reqLog.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });

    withRequestLogger(reqLog, () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const fail = (error: unknown) => {
        reqLog.error({ err: error }, 'unhandled error');
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal error', request_id: id });
        else res.end();
      };
      try {
        if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
        if (path === '/readyz') {
          ready(svc).then(
            (r) => sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'unavailable', checks: r.checks }),
            fail,
          );
          return;
        }
        if (path === '/metrics') {
          metrics(req, res).catch(fail);
          return;
        }
        // Better Auth (and the app, which calls it directly) reads the client IP from
        // X-Forwarded-For: replace whatever the client sent with the address the gateway
        // trusts (TRUSTED_PROXIES), so per-IP limits and audit IPs cannot be spoofed.
        req.headers['x-forwarded-for'] = pipeline.clientIp(req);
        if (path === '/auth' || path.startsWith('/auth/')) {
          Promise.resolve(authHandler(req, res)).catch(fail);
          return;
        }
        const restMatch = /^\/rest\/([^/]+)(\/.*)?$/.exec(path);
        if (restMatch) {
          const version = apiVersionList.find((v) => v.name === restMatch[1]);
          const mount = version
            ? { handler: restHandler, version, path: restMatch[2] ?? '/', kind: 'rest' as const }
            : {
                handler: unknownVersion,
                version: { name: restMatch[1] ?? '', schemas: [] },
                path: restMatch[2] ?? '/',
              };
          pipeline(req, res, mount, { requestId: id, log: reqLog }).catch(fail);
          return;
        }
        if (path === '/graphql') {
          const mount = { handler: graphqlHandler, version: current, path: '/' };
          pipeline(req, res, mount, { requestId: id, log: reqLog }).catch(fail);
          return;
        }
        if (path === RECURRENCE_PREVIEW_PATH) {
          const mount = { handler: recurrencePreview, version: { name: 'v1', schemas: [] }, path };
          pipeline(req, res, mount, { requestId: id, log: reqLog }).catch(fail);
          return;
        }
        if (ingest.handles(path)) {
          ingest.handle(req, res, path, { requestId: id, log: reqLog }).catch(fail);
          return;
        }
        if (unsubscribe.handles(path)) {
          unsubscribe.handle(req, res, { log: reqLog }).catch(fail);
          return;
        }
        if (appHandler) {
          req.headers['x-forwarded-proto'] = publicProto;
          req.headers['x-forwarded-host'] = publicUrl.host;
          req.headers['x-request-id'] = id; // the app logs under the gateway's request id
          Promise.resolve(appHandler(req, res, () => sendJson(res, 404, { message: 'Not found' }))).catch(fail);
          return;
        }
        sendJson(res, 404, { message: 'Not found' });
      } catch (error) {
        fail(error);
      }
    });
  });
  graphql.attach?.(server);
  server.on('close', () => {
    void rest.close();
    void graphql.close();
  });
  return server;
}
