// Turning a database refusal into a form message. lib/errors.ts knows every constraint and
// SQLSTATE; this maps its column names onto the task forms' field names.
import { toAppError } from '$server/errors.ts';

export type TaskField = 'title' | 'dueDate' | 'notes' | 'form';
export type TaskActionError = { status: number; field: TaskField; message: string };

const FIELD_BY_COLUMN: Record<string, TaskField> = {
  title: 'title',
  notes: 'notes',
  due_date: 'dueDate',
  due_time: 'dueDate',
  due_tz: 'dueDate',
};

// invalid_datetime_format, datetime_field_overflow: the only dates a task form sends are due dates.
const DATE_ERRORS: ReadonlySet<string> = new Set(['22007', '22008']);

function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A 4xx the person can act on, or null for anything else (rethrow it: it is a 500). */
export function toTaskActionError(error: unknown): TaskActionError | null {
  const appError = toAppError(error);
  if (appError.status >= 500) return null;
  if (!appError.field && DATE_ERRORS.has(sqlState(error) ?? '')) {
    return { status: appError.status, field: 'dueDate', message: 'That date does not exist. Pick another day.' };
  }
  const field = (appError.field && FIELD_BY_COLUMN[appError.field]) || 'form';
  return { status: appError.status, field, message: appError.message };
}
