// Database errors → PostgREST's HTTP statuses and JSON shape. The message is Postgres's
// own (as PostgREST sends it) unless lib/errors.ts has a readable sentence for the
// constraint; then Postgres's text moves to `details`. Statement text, positions and
// internal queries never reach a response.
import { CONSTRAINT_MESSAGES } from '../../../lib/errors.ts';
import { ApiError } from '../api/errors.ts';

type PgError = {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  constraint?: string;
  severity?: string;
};

export function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as PgError).code === 'string' &&
    typeof (error as PgError).severity === 'string'
  );
}

/** PostgREST's status for a SQLSTATE (src/PostgREST/Error.hs), with the anon/401 rule for 42501. */
function statusFor(code: string, anonymous: boolean): number {
  if (code === '42501') return anonymous ? 401 : 403;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (/^TM\d{3}$/.test(code)) return 400;
  switch (code) {
    case '23503':
    case '23505':
    case '40001':
      return 409;
    case '25006':
      return 405;
    case '42883':
    case '42P01':
      return 404;
    case '57014':
      return 504;
    case '21000':
    case '42P10':
      return 400;
    case '53400':
    case '54000':
      return 400;
    case '57P01':
      return 503;
  }
  const klass = code.slice(0, 2);
  switch (klass) {
    case '08':
    case '53':
      return 503;
    // Feature not supported (e.g. writing a view column that is an expression): what the
    // request asked for, so the caller's 400, as PostgREST's catch-all makes it.
    case '0A':
    case '22':
    case '23':
    case '42':
    case 'P0':
    case '2F':
    case '44':
      return 400;
    case '28':
    case '0L':
    case '0P':
      return 403;
    case '3D':
    case '3F':
      return 404;
    // Object not in prerequisite state and invalid transaction termination are the
    // server's faults (PostgREST: 500). Requests cannot reach them: the planner refuses
    // writes to views Postgres cannot write through (55000) before running anything, no
    // lock_timeout is set (55P03), and only a function's own COMMIT raises 2D000.
    case '55':
    case '2D':
      return 500;
    default:
      return 500;
  }
}

export function fromPgError(error: PgError, anonymous: boolean): ApiError {
  const code = error.code ?? 'XX000';
  const status = statusFor(code, anonymous);
  const known = error.constraint ? CONSTRAINT_MESSAGES[error.constraint] : undefined;
  const pgMessage = error.message ?? 'Database error';
  if (status >= 500 && code !== '57014') {
    return new ApiError(status, code, 'The database could not complete the request', { details: null, hint: null });
  }
  if (known) {
    const details = [pgMessage, error.detail].filter(Boolean).join(' ');
    return new ApiError(status, code, known.message, { details, hint: error.hint ?? null });
  }
  return new ApiError(status, code, pgMessage, { details: error.detail ?? null, hint: error.hint ?? null });
}
