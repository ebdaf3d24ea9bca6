// The ingest endpoints under /api/v1: what the web app sends that is not table data.
//   POST /api/v1/bug-reports   through the data-API pipeline (caller identity, CSRF guard,
//                              body limit, Idempotency-Key), inserted as the caller
//   POST /api/v1/telemetry     sendBeacon-friendly, no identity, written by the service pool
// Both have their own rate-limit buckets in the shared limiter (gateway/src/api/rate-limit.ts),
// so neither spends a caller's data-API quota.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../lib/logger.ts';
import type { Services } from '../../../lib/services.ts';
import { createApiPipeline, type ApiOptions } from '../api/pipeline.ts';
import type { ApiVersion } from '../api/types.ts';
import { createBugReportHandler } from './bug-reports.ts';
import { createTelemetryHandler } from './telemetry.ts';

export const INGEST_PATHS = ['/api/v1/bug-reports', '/api/v1/telemetry'] as const;

const VERSION: ApiVersion = { name: 'v1', schemas: [] };

export function createIngest({ services: svc, api = {} }: { services: Services; api?: ApiOptions }) {
  // The pipeline's own limiter is off (0): bug reports are limited in their own buckets.
  // Its CORS policy and client-IP rule serve the telemetry endpoint too.
  const pipeline = createApiPipeline({
    services: svc,
    ...api,
    maxBodyBytes: svc.config.BUG_REPORT_MAX_BODY_BYTES,
    rateLimits: { anon: 0, user: 0, apiKey: 0 },
  });
  const bugReports = createBugReportHandler({ services: svc });
  const telemetry = createTelemetryHandler({ services: svc, cors: pipeline.cors });

  return {
    handles(path: string): boolean {
      return (INGEST_PATHS as readonly string[]).includes(path);
    },
    handle(
      req: IncomingMessage,
      res: ServerResponse,
      path: string,
      { requestId, log }: { requestId: string; log: Logger },
    ): Promise<void> {
      const ip = pipeline.clientIp(req);
      if (path === '/api/v1/telemetry') return telemetry(req, res, { ip, log, requestId });
      const mount = { handler: (ctx: Parameters<typeof bugReports>[0]) => bugReports(ctx, ip), version: VERSION, path };
      return pipeline(req, res, mount, { requestId, log });
    },
  };
}
