// zod issues as one readable 400: the message names the first bad field and why, the
// details list every issue ("events.3.value: Too big: expected number to be <=3600000").
import type { z } from 'zod';
import { ApiError } from '../api/errors.ts';

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.');
}

export function validationError(subject: string, error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => `${where(i.path)}: ${i.message}`);
  return new ApiError(400, 'TM400', `Invalid ${subject}: ${issues[0] ?? 'malformed'}`, {
    details: issues.slice(0, 20).join('; '),
  });
}

/** The body as JSON, or a 400 saying it is not. */
export function parseJson(subject: string, body: Buffer | undefined): unknown {
  const text = body?.toString('utf8') ?? '';
  if (text.trim() === '') throw new ApiError(400, 'TM400', `Invalid ${subject}: the body is empty`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'TM400', `Invalid ${subject}: the body is not valid JSON`);
  }
}
