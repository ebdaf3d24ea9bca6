// A bug report, validated one way for both ways in: POST /api/v1/bug-reports (the report
// page with JavaScript; gateway/src/ingest/bug-reports.ts) and the page's form action
// without it (app/src/routes/report-bug, through the app's `$server` alias). The limits are
// support.bug_reports' own constraints, so a valid report always inserts. The description's
// messages are written for the person: the page shows them next to the field, whichever
// way the report came (app/src/routes/report-bug/submit.ts reads the API's 400).
import { z } from 'zod';
import { NO_NUL, text, WELL_FORMED } from './text.ts';

export const DESCRIPTION_MAX = 5000;
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

export const bugReportSchema = z.strictObject({
  description: z
    .string()
    .max(DESCRIPTION_MAX, `Keep the description under ${DESCRIPTION_MAX} characters.`)
    // Postgres text cannot hold NUL: without this the insert fails and the person sees a 500.
    .refine(NO_NUL, 'Remove the invisible NUL character from the description.')
    .refine(WELL_FORMED, 'The description contains a broken character: retype it.')
    .refine((value) => value.trim().length > 0, 'Describe what went wrong.'),
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

export type BugReport = z.output<typeof bugReportSchema>;

/** The insert of a valid report as `id`; run it as the caller (RLS stamps the user id). */
export function insertBugReport(id: string, report: BugReport) {
  return {
    text: `insert into support.bug_reports (id, description, route, app_version, user_agent, client_errors, screenshot)
           values ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    values: [
      id,
      report.description,
      report.route ?? null,
      report.app_version ?? null,
      report.user_agent ?? null,
      JSON.stringify(report.client_errors),
      report.screenshot ?? null,
    ],
  };
}
