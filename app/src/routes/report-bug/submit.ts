// Sending a bug report from the browser: JSON to POST /api/v1/bug-reports (docs/api.md),
// with the session cookie (same origin). The answer's problems become messages next to
// the field they are about.
import type { RecentError } from '#lib/telemetry/events.ts';

export const BUG_REPORTS_URL = '/api/v1/bug-reports';

export type ReportErrors = Partial<Record<'description' | 'screenshot' | 'form', string[]>>;

export type ReportPayload = {
  description: string;
  route: string;
  appVersion: string;
  userAgent: string;
  clientErrors: RecentError[];
  screenshot: string | null;
};

type Problem = { message?: unknown; details?: unknown; field?: unknown; path?: unknown };

/** Which field a 400's message is about (the backend names it), else the whole form. */
export function errorsFromProblem(status: number, problem: Problem | null): ReportErrors {
  if (status === 413) return { screenshot: ['The report is too large to send: attach a smaller screenshot.'] };
  if (status === 429)
    return { form: ['Too many reports were sent from here just now. Please wait a minute and try again.'] };
  if (status >= 500 || status < 400)
    return { form: ['Something went wrong on our side. Please try again in a moment.'] };
  const message =
    typeof problem?.message === 'string' && problem.message ? problem.message : 'The report was not accepted.';
  const about = [problem?.field, problem?.path, problem?.details, message]
    .filter((part): part is string => typeof part === 'string')
    .join(' ')
    .toLowerCase();
  if (about.includes('description')) return { description: [message] };
  if (about.includes('screenshot')) return { screenshot: [message] };
  return { form: [message] };
}

export async function submitReport(payload: ReportPayload): Promise<{ id: string } | { errors: ReportErrors }> {
  const body: Record<string, unknown> = {
    description: payload.description,
    appVersion: payload.appVersion,
    userAgent: payload.userAgent.slice(0, 1000),
    clientErrors: payload.clientErrors,
  };
  if (payload.route) body.route = payload.route;
  if (payload.screenshot) body.screenshot = payload.screenshot;
  let response: Response;
  try {
    response = await fetch(BUG_REPORTS_URL, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { errors: { form: ['The report could not be sent: check your connection and try again.'] } };
  }
  const answer = (await response.json().catch(() => null)) as (Problem & { id?: unknown }) | null;
  if (response.status === 201 && typeof answer?.id === 'string') return { id: answer.id };
  return { errors: errorsFromProblem(response.status, answer) };
}
