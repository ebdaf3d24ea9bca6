// An error an API request ends with, in PostgREST's JSON shape: code, message, details,
// hint. Thrown anywhere in the pipeline or an engine; turned into a response once.
import { json, type ApiResponse } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: string | null;
  readonly hint: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { details?: string | null; hint?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = extra.details ?? null;
    this.hint = extra.hint ?? null;
    this.headers = extra.headers ?? {};
  }

  toResponse(): ApiResponse {
    return json(
      this.status,
      { code: this.code, message: this.message, details: this.details, hint: this.hint },
      this.headers,
    );
  }
}
