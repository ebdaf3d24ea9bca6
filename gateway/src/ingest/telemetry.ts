// POST /api/v1/telemetry: web vitals and uncaught client errors, sent by the app with
// navigator.sendBeacon (a text/plain;charset=UTF-8 body carrying JSON, which needs no CORS
// preflight) or fetch (application/json). A batch holds 1 to 50 events; every event is
// validated before anything is written, and one bad event refuses the whole batch with a
// 400 naming it ("events.3.value: …"). Rows go to the monthly-partitioned tables in schema
// telemetry through the service pool as service_role: no caller role can write them.
//
// Not the data-API pipeline: the endpoint needs no identity (nothing per person is
// stored), so it resolves none. It only inserts telemetry, so a forged cross-site beacon
// can do no more than add a measurement; still, a request whose Origin (or Sec-Fetch-Site)
// says it comes from another site is refused. Rate limited per client IP in its own
// buckets ("telemetry:ip:<address>"), through the shared limiter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { asUserQuery } from '../../../lib/db/as-user.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { Services } from '../../../lib/services.ts';
import type { createCors } from '../api/cors.ts';
import { ApiError } from '../api/errors.ts';
import { errorResponse, readBody, writeResponse } from '../api/pipeline.ts';
import { createRateLimiter, rateLimitError, rateLimitHeaders } from '../api/rate-limit.ts';
import type { ApiResponse } from '../api/types.ts';
import { NO_NUL, text, WELL_FORMED } from '../../../lib/text.ts';
import { parseJson, validationError } from './validation.ts';

const vital = z.strictObject({
  type: z.literal('vital'),
  name: z.enum(['LCP', 'CLS', 'INP', 'TTFB', 'FCP']),
  value: z.number().min(0).max(3_600_000),
  rating: z.enum(['good', 'needs-improvement', 'poor']).optional(),
  route: text(500).optional(),
  navigation_type: text(40).optional(),
  app_version: text(100).optional(),
});

const clientError = z.strictObject({
  type: z.literal('error'),
  message: text(2000).min(1),
  /** Longer stacks are cut, not refused: the top frames are the useful part. */
  stack: z
    .string()
    .refine(NO_NUL, 'must not contain NUL characters')
    .refine(WELL_FORMED, 'must not contain unpaired surrogates')
    // A cut inside a surrogate pair leaves half of it, which jsonb refuses: U+FFFD instead.
    .transform((s) => s.slice(0, 16_000).toWellFormed())
    .optional(),
  route: text(500).optional(),
  user_agent: text(1000).optional(),
  app_version: text(100).optional(),
});

const telemetrySchema = z.strictObject({
  events: z
    .array(z.discriminatedUnion('type', [vital, clientError]))
    .min(1)
    .max(50),
});

const CONTENT_TYPES = new Set(['text/plain', 'application/json']);

// One statement, so a batch is all or nothing.
const INSERT_SQL = `
with vitals as (
  insert into telemetry.web_vitals (name, value, rating, route, navigation_type, app_version)
  select v.name, v.value, v.rating, v.route, v.navigation_type, v.app_version
  from jsonb_to_recordset($1::jsonb) as v(name text, value double precision, rating text, route text,
                                           navigation_type text, app_version text)
  returning 1
), errors as (
  insert into telemetry.client_errors (message, stack, route, user_agent, app_version)
  select e.message, e.stack, e.route, e.user_agent, e.app_version
  from jsonb_to_recordset($2::jsonb) as e(message text, stack text, route text, user_agent text, app_version text)
  returning 1
)
select (select count(*) from vitals) as vitals, (select count(*) from errors) as errors`;

export type TelemetryOptions = {
  services: Services;
  cors: ReturnType<typeof createCors>;
};

export function createTelemetryHandler({ services: svc, cors }: TelemetryOptions) {
  const maxBody = svc.config.TELEMETRY_MAX_BODY_BYTES;
  const limiter = createRateLimiter({
    pool: svc.servicePool,
    settings: {
      anon: svc.config.RATE_LIMIT_TELEMETRY_PER_MINUTE,
      user: svc.config.RATE_LIMIT_TELEMETRY_PER_MINUTE,
      apiKey: svc.config.RATE_LIMIT_TELEMETRY_PER_MINUTE,
      windowSeconds: 60,
    },
  });

  async function answer(req: IncomingMessage, ip: string, log: Logger): Promise<ApiResponse> {
    const method = req.method ?? 'GET';
    if (method !== 'POST') throw new ApiError(405, 'TM405', 'Method not allowed', { headers: { allow: 'POST' } });
    if (cors.isForeign(req.headers)) {
      throw new ApiError(403, 'TM403', 'Origin not allowed', {
        details: 'Telemetry is accepted from the app’s own origin only.',
      });
    }
    const limit = await limiter.take({ kind: 'anon', id: `telemetry:ip:${ip}` }, log);
    if (limit && !limit.allowed) throw rateLimitError(limit);
    const headers = limit ? rateLimitHeaders(limit) : {};

    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!CONTENT_TYPES.has(type)) {
      throw new ApiError(415, 'TM415', 'Unsupported content type', {
        details: 'Send JSON as application/json or text/plain (navigator.sendBeacon with a string).',
        headers,
      });
    }
    const parsed = telemetrySchema.safeParse(parseJson('telemetry', await readBody(req, maxBody, 'TM413')));
    if (!parsed.success) {
      const error = validationError('telemetry', parsed.error);
      throw new ApiError(error.status, error.code, error.message, { details: error.details, headers });
    }
    const userAgent = req.headers['user-agent']?.slice(0, 1000);
    const vitals = parsed.data.events.filter((e) => e.type === 'vital');
    const errors = parsed.data.events
      .filter((e) => e.type === 'error')
      .map((e) => ({ ...e, user_agent: e.user_agent ?? userAgent }));
    await asUserQuery(
      svc.servicePool,
      { claims: { role: 'service_role' } },
      { text: INSERT_SQL, values: [JSON.stringify(vitals), JSON.stringify(errors)] },
    );
    return { status: 204, headers: { 'cache-control': 'no-store', ...headers } };
  }

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    { ip, log, requestId }: { ip: string; log: Logger; requestId: string },
  ): Promise<void> {
    let response: ApiResponse;
    try {
      response = await answer(req, ip, log);
    } catch (error) {
      response = errorResponse(error, requestId, log, 'telemetry request');
      // An unread body would keep the connection busy; a refused request is not read on.
      if (!req.complete) response.headers = { ...response.headers, connection: 'close' };
    }
    writeResponse(res, response);
  };
}
