// "Report a bug" without JavaScript: the form action validates the submission with the
// schema of POST /api/v1/bug-reports (lib/bug-report.ts) and inserts it the same way, as
// the caller (anon or the signed-in person: RLS fills user_id from the token and forbids
// anyone else's).
import { randomUUID } from 'node:crypto';
import { ANON_CLAIMS } from '$server/auth/claims.ts';
import { insertBugReport, type BugReport } from '$server/bug-report.ts';
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { SCREENSHOT_MAX_BYTES, isScreenshotDataUrl, sniffImageType } from '#lib/telemetry/screenshot.ts';

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

/** Store a valid report as the caller; returns its id. */
export async function storeBugReport(claims: Claims | null, report: BugReport): Promise<string> {
  const id = randomUUID();
  await asUser(services().apiPool, { claims: claims ?? ANON_CLAIMS }, (client) =>
    client.query(insertBugReport(id, report)),
  );
  return id;
}
