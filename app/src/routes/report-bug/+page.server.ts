import { fail } from '@sveltejs/kit';
import { version } from '$app/env';
import { fieldErrors, type FieldErrors } from '#lib/server/forms.ts';
import { cap, safePath } from '#lib/telemetry/scrub.ts';
import { bugReportFormSchema, insertBugReport, screenshotFromUpload } from './submit.server.ts';
import type { Actions, PageServerLoad } from './$types';

type Field = 'description' | 'screenshot';

const USER_AGENT_MAX = 1000;

// Public: anyone may report a bug. What the page shows as "will be sent" comes from here
// so it is there without JavaScript too.
export const load: PageServerLoad = ({ url, request }) => ({
  route: safePath(url.searchParams.get('route')),
  appVersion: version,
  userAgent: cap(request.headers.get('user-agent') ?? '', USER_AGENT_MAX),
});

export const actions = {
  // Without JavaScript (with it, the page posts JSON to /api/v1/bug-reports instead).
  default: async ({ request, locals }) => {
    let data: FormData;
    try {
      data = await request.formData();
    } catch {
      const errors: FieldErrors<Field> = { form: ['The report could not be read. Please try again.'] };
      return fail(400, { errors, values: { description: '', route: '' } });
    }
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    const values = { description: text('description'), route: safePath(text('route')) };
    const parsed = bugReportFormSchema.safeParse(values);
    const screenshot = await screenshotFromUpload(data.get('screenshot'));
    const errors: FieldErrors<Field> = parsed.success ? {} : fieldErrors<Field>(parsed.error);
    if (screenshot && typeof screenshot === 'object') errors.screenshot = [screenshot.problem];
    if (!parsed.success || Object.keys(errors).length > 0) return fail(400, { errors, values });

    const id = await insertBugReport(locals.claims, {
      description: parsed.data.description,
      route: parsed.data.route,
      appVersion: version,
      userAgent: cap(request.headers.get('user-agent') ?? '', USER_AGENT_MAX),
      screenshot: typeof screenshot === 'string' ? screenshot : null,
    });
    locals.log.info({ bug_report_id: id }, 'bug report received');
    return { sent: { id } };
  },
} satisfies Actions;
