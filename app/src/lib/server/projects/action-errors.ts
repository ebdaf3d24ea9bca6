// Turning a database refusal of a project change into a form message.
import { toAppError } from '$server/errors.ts';

export type ProjectField = 'name' | 'color' | 'form';
export type ProjectActionError = { status: number; field: ProjectField; message: string };

/** A 4xx the person can act on, or null for anything else (rethrow it: it is a 500). */
export function toProjectActionError(error: unknown): ProjectActionError | null {
  const appError = toAppError(error);
  if (appError.status >= 500) return null;
  const field: ProjectField = appError.field === 'name' || appError.field === 'color' ? appError.field : 'form';
  return { status: appError.status, field, message: appError.message };
}
