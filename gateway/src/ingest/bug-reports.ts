// POST /api/v1/bug-reports: "Report a bug" from the app's menu and error screens. The
// request passes the API pipeline (caller from Bearer JWT, API key or session cookie;
// cookie writes need an allowed Origin; body size limit; Idempotency-Key), is validated
// here, and is inserted AS THE CALLER (asUser): RLS stamps the signed-in user's id, or
// none for a signed-out reporter (support.bug_reports, db/policies/bug_reports.sql).
// 201 {"id"} on success; 400 naming the bad field; 429 past the per-caller limit.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { asUser } from '../../../lib/db/as-user.ts';
import { toAppError } from '../../../lib/errors.ts';
import type { Services } from '../../../lib/services.ts';
import { callerScope } from '../api/caller-scope.ts';
import { ApiError } from '../api/errors.ts';
import { createRateLimiter, rateLimitError, rateLimitHeaders } from '../api/rate-limit.ts';
import { json, type ApiContext, type ApiResponse } from '../api/types.ts';
import { parseJson, text, validationError } from './validation.ts';

/** A PNG or JPEG data URL, at most 2 MiB of text (support.bug_reports_screenshot_format). */
const SCREENSHOT = /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_CLIENT_ERRORS_BYTES = 65_536;

const clientError = z.strictObject({
  message: text(2000),
  stack: text(16_000).optional(),
  route: text(2000).optional(),
  /** When it happened (ISO 8601, as the client's clock says). */
  at: text(40).optional(),
});

const bugReportSchema = z.strictObject({
  description: text(5000).refine((v) => v.trim().length > 0, 'describe the problem (1 to 5000 characters)'),
  route: text(2000).optional(),
  app_version: text(100).optional(),
  user_agent: text(1000).optional(),
  client_errors: z
    .array(clientError)
    .max(50)
    .default([])
    .refine((v) => JSON.stringify(v).length <= MAX_CLIENT_ERRORS_BYTES, 'at most 64 KB of client errors'),
  screenshot: z
    .string()
    .max(2_097_152, 'the screenshot must be at most 2 MiB as a data URL')
    .regex(SCREENSHOT, 'the screenshot must be a PNG or JPEG data URL')
    .nullish(),
});

/** Answers one report; `ip` is the client address the pipeline's proxy rules resolved. */
export type BugReportHandler = (ctx: ApiContext, ip: string) => Promise<ApiResponse>;

export function createBugReportHandler({ services: svc }: { services: Services }): BugReportHandler {
  const limiter = createRateLimiter({
    pool: svc.servicePool,
    settings: {
      anon: svc.config.RATE_LIMIT_BUG_REPORTS_PER_MINUTE,
      user: svc.config.RATE_LIMIT_BUG_REPORTS_PER_MINUTE,
      apiKey: svc.config.RATE_LIMIT_BUG_REPORTS_PER_MINUTE,
      windowSeconds: 60,
    },
  });

  return async (ctx, ip) => {
    if (ctx.method !== 'POST') {
      throw new ApiError(405, 'TM405', 'Method not allowed', { headers: { allow: 'POST' } });
    }
    // Its own buckets ("bug-reports:user:<id>"), so reports never spend the data API's quota.
    const scope = callerScope(ctx.caller, ip);
    const limit = await limiter.take({ kind: scope.kind, id: `bug-reports:${scope.id}` }, ctx.log);
    if (limit && !limit.allowed) throw rateLimitError(limit);

    const parsed = bugReportSchema.safeParse(parseJson('bug report', ctx.body));
    if (!parsed.success) throw validationError('bug report', parsed.error);
    const report = parsed.data;
    const userAgent = report.user_agent ?? ctx.headers['user-agent']?.slice(0, 1000) ?? null;

    const id = randomUUID();
    try {
      await asUser(svc.apiPool, { claims: ctx.caller.claims, settings: ctx.settings }, (client) =>
        client.query(
          `insert into support.bug_reports (id, description, route, app_version, user_agent, client_errors, screenshot)
           values ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
          [
            id,
            report.description,
            report.route ?? null,
            report.app_version ?? null,
            userAgent,
            JSON.stringify(report.client_errors),
            report.screenshot ?? null,
          ],
        ),
      );
    } catch (error) {
      const app = toAppError(error);
      if (app.status >= 500) throw error;
      throw new ApiError(app.status, 'TM' + app.status, app.message, { details: app.field ?? null });
    }
    ctx.log.info({ bug_report_id: id, user_id: ctx.caller.claims.sub ?? null }, 'bug report received');
    return json(201, { id }, limit ? rateLimitHeaders(limit) : {});
  };
}
