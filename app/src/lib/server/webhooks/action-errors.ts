// Turning a database refusal into a form message. The webhook RPCs raise sentences written
// for people: 22023 with the field in the hint (url, event_types), 42501 (not an
// owner/admin), PT404 (nothing visible by that id). Constraint violations come through
// lib/errors.ts.
import { toAppError } from '$server/errors.ts';

export type WebhookField = 'url' | 'eventTypes' | 'workspaceId' | 'description' | 'form';
export type WebhookActionError = { status: number; field: WebhookField; message: string };

const FIELD_BY_HINT: Record<string, WebhookField> = { url: 'url', event_types: 'eventTypes' };

/** A 4xx the person can act on, or null for anything else (rethrow it: it is a 500). */
export function toWebhookActionError(error: unknown): WebhookActionError | null {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    hint?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.code === '22023' && message) {
    return { status: 400, field: (typeof e.hint === 'string' && FIELD_BY_HINT[e.hint]) || 'form', message };
  }
  if (e.code === '42501' && message.includes('webhooks')) return { status: 403, field: 'workspaceId', message };
  if (e.code === 'PT404') return { status: 404, field: 'form', message: 'That endpoint or delivery no longer exists.' };
  const appError = toAppError(error);
  if (appError.status >= 500) return null;
  const field: WebhookField =
    appError.field === 'description' ? 'description' : appError.field === 'event_types' ? 'eventTypes' : 'form';
  return { status: appError.status, field, message: appError.message };
}
