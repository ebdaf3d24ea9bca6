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

type Problem = { message?: unknown; details?: unknown };

// The API's 400: "Invalid bug report: description: Describe what went wrong.".
const INVALID = /^Invalid bug report: ([a-z_]+)[^:]*: (.+)$/s;

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** An error answer as messages, next to the field it is about when it names one. */
export function errorsFromProblem(status: number, problem: Problem | null): ReportErrors {
  if (status === 413) return { screenshot: ['The report is too large to send: attach a smaller screenshot.'] };
  if (status === 429) {
    return { form: ['Too many reports were sent from here just now. Please wait a minute and try again.'] };
  }
  if (status === 403) return { form: ['The report was refused. Reload the page and try again.'] };
  if (status >= 500 || status < 400) {
    return { form: ['Something went wrong on our side. Please try again in a moment.'] };
  }
  const message = typeof problem?.message === 'string' && problem.message ? problem.message : '';
  const match = INVALID.exec(message);
  if (match?.[1] === 'description' && match[2]) return { description: [sentence(match[2])] };
  if (match?.[1] === 'screenshot' && match[2]) return { screenshot: [sentence(match[2])] };
  return { form: [message ? sentence(message) : 'The report was not accepted. Please check it and try again.'] };
}

// A retry of the same report after a failure whose outcome is unknown (the connection
// dropped) reuses its Idempotency-Key, so the report is stored once; anything else gets a
// new key.
let lastAttempt: { body: string; key: string | null } | null = null;

function newKey(): string | null {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : null;
}

export async function submitReport(payload: ReportPayload): Promise<{ id: string } | { errors: ReportErrors }> {
  const body: Record<string, unknown> = {
    description: payload.description,
    app_version: payload.appVersion,
    user_agent: payload.userAgent.slice(0, 1000),
    client_errors: payload.clientErrors,
  };
  if (payload.route) body.route = payload.route;
  if (payload.screenshot) body.screenshot = payload.screenshot;
  const json = JSON.stringify(body);
  const key = lastAttempt?.body === json ? lastAttempt.key : newKey();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (key) headers['idempotency-key'] = key;
  let response: Response;
  try {
    response = await fetch(BUG_REPORTS_URL, { method: 'POST', credentials: 'same-origin', headers, body: json });
  } catch {
    lastAttempt = { body: json, key };
    return { errors: { form: ['The report could not be sent: check your connection and try again.'] } };
  }
  lastAttempt = null;
  const answer = (await response.json().catch(() => null)) as (Problem & { id?: unknown }) | null;
  if (response.status === 201 && typeof answer?.id === 'string') return { id: answer.id };
  return { errors: errorsFromProblem(response.status, answer) };
}
