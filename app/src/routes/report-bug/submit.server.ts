// "Report a bug" without JavaScript: the form action validates the submission like
// POST /api/v1/bug-reports does and inserts it the same way, as the caller (anon or the
// signed-in person: RLS fills user_id from the token and forbids anyone else's).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ANON_CLAIMS } from '$server/auth/claims.ts';
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { safePath } from '#lib/telemetry/scrub.ts';
import { SCREENSHOT_MAX_BYTES, isScreenshotDataUrl, sniffImageType } from '#lib/telemetry/screenshot.ts';

export const DESCRIPTION_MAX = 5000;

export const bugReportFormSchema = z.object({
  description: z
    .string()
    .trim()
    .min(1, 'Describe what went wrong.')
    .max(DESCRIPTION_MAX, `Keep the description under ${DESCRIPTION_MAX} characters.`)
    // Postgres text cannot hold NUL: without this the insert fails and the person sees a 500.
    .refine((value) => !value.includes('\u0000'), 'Remove the invisible NUL character from the description.'),
  route: z.string().transform((value) => safePath(value)),
});

export type BugReportInput = {
  description: string;
  route: string;
  appVersion: string;
  userAgent: string;
  screenshot: string | null;
};

/**
 * The uploaded screenshot as a data URL, null when none was chosen, or a message saying
 * why it cannot be attached. The type comes from the file's bytes, not its name.
 */
export async function screenshotFromUpload(
  value: FormDataEntryValue | null,
): Promise<string | null | { problem: string }> {
  if (!(value instanceof File) || (value.size === 0 && value.name === '')) return null;
  if (value.size === 0) return { problem: 'That file is empty. Choose another image.' };
  if (value.size > SCREENSHOT_MAX_BYTES)
    return { problem: 'That image is larger than 1.5 MB. Choose a smaller one or crop it.' };
  const bytes = new Uint8Array(await value.arrayBuffer());
  const type = sniffImageType(bytes);
  if (!type) return { problem: 'Choose a PNG or JPEG image.' };
  const dataUrl = `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
  return isScreenshotDataUrl(dataUrl) ? dataUrl : { problem: 'That image is larger than 1.5 MB.' };
}

/** Store the report as the caller; returns its id. */
export async function insertBugReport(claims: Claims | null, input: BugReportInput): Promise<string> {
  const id = randomUUID();
  await asUser(services().apiPool, { claims: claims ?? ANON_CLAIMS }, (client) =>
    client.query(
      `insert into support.bug_reports (id, description, route, app_version, user_agent, client_errors, screenshot)
       values ($1, $2, $3, $4, $5, '[]'::jsonb, $6)`,
      [id, input.description, input.route || null, input.appVersion, input.userAgent, input.screenshot],
    ),
  );
  return id;
}
