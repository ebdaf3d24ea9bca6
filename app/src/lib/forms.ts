// Reading a form submission, shared by the form actions (the no-JavaScript path) and the
// pages that check the same schema in the browser before they write through the data API:
// a submission as plain strings, and a zod error as per-field messages.
import { z } from 'zod';

/** A form's text fields; files and repeated names are ignored (read those with getAll). */
export function formFields(data: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of data) {
    if (typeof value === 'string' && !(name in fields)) fields[name] = value;
  }
  return fields;
}

export type FieldErrors<Field extends string> = Partial<Record<Field | 'form', string[]>>;

/** Messages by field; an issue about the whole input goes under `form`. */
export function fieldErrors<Field extends string>(error: z.ZodError): FieldErrors<Field> {
  const { formErrors, fieldErrors: byField } = z.flattenError(error);
  const errors: Record<string, string[]> = { ...(byField as Record<string, string[]>) };
  if (formErrors.length > 0) errors.form = formErrors;
  return errors as FieldErrors<Field>;
}
