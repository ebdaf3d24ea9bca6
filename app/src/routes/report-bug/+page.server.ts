import { fail } from '@sveltejs/kit';
import { version } from '$app/env';
import { bugReportSchema } from '$server/bug-report.ts';
import { fieldErrors, type FieldErrors } from '#lib/forms.ts';
import { cap, safePath } from '#lib/telemetry/scrub.ts';
import { screenshotFromUpload, storeBugReport } from './submit.server.ts';
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
    // The route is cleaned once, here: what is stored is what the page shows back.
    const values = { description: text('description'), route: safePath(text('route')) };
    const screenshot = await screenshotFromUpload(data.get('screenshot'));
    const parsed = bugReportSchema.safeParse({
      description: values.description.trim(),
      route: values.route || undefined,
      app_version: version,
      user_agent: cap(request.headers.get('user-agent') ?? '', USER_AGENT_MAX),
      screenshot: typeof screenshot === 'string' ? screenshot : null,
    });
    const errors: FieldErrors<Field> = parsed.success ? {} : fieldErrors<Field>(parsed.error);
    if (screenshot && typeof screenshot === 'object') errors.screenshot = [screenshot.problem];
    if (!parsed.success || Object.keys(errors).length > 0) return fail(400, { errors, values });

    const id = await storeBugReport(locals.claims, parsed.data);
    locals.log.info({ bug_report_id: id }, 'bug report received');
    return { sent: { id } };
  },
} satisfies Actions;
