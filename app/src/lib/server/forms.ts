// Small helpers shared by form actions: read a submission into plain strings and turn a
// zod error into per-field messages for `fail(400, { errors, values })`.
import { z } from 'zod';

/** A form's text fields; files and repeated names are ignored (no form here sends them). */
export function formFields(data: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of data) {
    if (typeof value === 'string' && !(name in fields)) fields[name] = value;
  }
  return fields;
}

export type FieldErrors<Field extends string> = Partial<Record<Field | 'form', string[]>>;

export function fieldErrors<Field extends string>(error: z.ZodError): FieldErrors<Field> {
  const { formErrors, fieldErrors: byField } = z.flattenError(error);
  const errors: Record<string, string[]> = { ...(byField as Record<string, string[]>) };
  if (formErrors.length > 0) errors.form = formErrors;
  return errors as FieldErrors<Field>;
}
