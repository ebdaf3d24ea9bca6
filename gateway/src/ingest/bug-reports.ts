// POST /api/v1/bug-reports: "Report a bug" from the app's menu and error screens. The
// request passes the API pipeline (caller from Bearer JWT, API key or session cookie;
// cookie writes need an allowed Origin; body size limit; Idempotency-Key), is validated
// with the schema the page's no-JavaScript form action uses too (lib/bug-report.ts), and
// is inserted AS THE CALLER (asUser): RLS stamps the signed-in user's id, or none for a
// signed-out reporter (support.bug_reports, db/policies/bug_reports.sql).
// 201 {"id"} on success; 400 naming the bad field; 429 past the per-caller limit.
import { randomUUID } from 'node:crypto';
import { bugReportSchema, insertBugReport } from '../../../lib/bug-report.ts';
import { asUser } from '../../../lib/db/as-user.ts';
import { toAppError } from '../../../lib/errors.ts';
import type { Services } from '../../../lib/services.ts';
import { callerScope } from '../api/caller-scope.ts';
import { ApiError } from '../api/errors.ts';
import { createRateLimiter, rateLimitError, rateLimitHeaders } from '../api/rate-limit.ts';
import { json, type ApiContext, type ApiResponse } from '../api/types.ts';
import { parseJson, validationError } from './validation.ts';

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
    const report = { ...parsed.data, user_agent: parsed.data.user_agent ?? ctx.headers['user-agent']?.slice(0, 1000) };

    const id = randomUUID();
    try {
      await asUser(svc.apiPool, { claims: ctx.caller.claims, settings: ctx.settings }, (client) =>
        client.query(insertBugReport(id, report)),
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
