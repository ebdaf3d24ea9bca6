// What a GraphQL error may say to the client. Deliberate errors pass through: GraphQL
// syntax and validation errors, input coercion errors, grafast's SafeErrors, and
// database errors we have a readable sentence for (lib/errors.ts: constraint
// violations, RLS and grant refusals, bad values), and errors SQL functions raise on
// purpose (documented TMxxx codes, PostgREST-style PTnnn statuses). Anything
// else (a bug, a connection failure, an unexpected SQLSTATE) is logged with its stack
// and answered with a generic message and the request id; outside development its
// text never reaches the client, because it may carry SQL.
import { isSafeError } from 'postgraphile/grafast';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, toAppError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';

export type MaskOptions = { development: boolean; log: Logger; requestId?: string };

type PgLikeError = { code: string; message: string; severity?: string };

function isPgError(error: unknown): error is PgLikeError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as PgLikeError).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as PgLikeError).code) &&
    // node-postgres sets severity on every error the server sends
    typeof (error as PgLikeError).severity === 'string'
  );
}

const UPPER: Record<string, string> = {
  [ErrorCode.Validation]: 'BAD_USER_INPUT',
  [ErrorCode.Forbidden]: 'FORBIDDEN',
  [ErrorCode.Conflict]: 'CONFLICT',
  [ErrorCode.Unavailable]: 'UNAVAILABLE',
  [ErrorCode.NotFound]: 'NOT_FOUND',
};

const PT_CODES: Record<string, string> = {
  '400': 'BAD_USER_INPUT',
  '401': 'UNAUTHENTICATED',
  '403': 'FORBIDDEN',
  '404': 'NOT_FOUND',
  '409': 'CONFLICT',
};

function formatted(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLFormattedError {
  return {
    message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions,
  };
}

export function maskError(error: GraphQLError, { development, log, requestId }: MaskOptions): GraphQLFormattedError {
  const original = error.originalError;
  // Raised by graphql-js itself (syntax, validation, coercion) or by our limits.
  if (!original || original instanceof GraphQLError) return error.toJSON();
  if (isSafeError(original)) {
    return formatted(error, original.message, { code: 'BAD_REQUEST', ...(original.extensions ?? {}) });
  }
  if (isPgError(original)) {
    const pt = /^PT(\d{3})$/.exec(original.code);
    if (pt) {
      // PostgREST's convention: a function raises PT<status> to answer with that HTTP
      // status; here the status names the error class.
      return formatted(error, original.message, { code: PT_CODES[pt[1]!] ?? `HTTP_${pt[1]}` });
    }
    if (original.code.startsWith('TM')) {
      // Documented application errors raised by our SQL functions (docs/error-codes.md).
      return formatted(error, original.message, { code: original.code });
    }
    const app = toAppError(original);
    if (app.code !== ErrorCode.Internal) {
      return formatted(error, app.message, {
        code: UPPER[app.code] ?? app.code,
        sqlstate: original.code,
        ...(app.field ? { field: app.field } : {}),
      });
    }
  }
  log.error({ err: original, path: error.path }, 'GraphQL execution error');
  if (development) return formatted(error, original.message, { code: 'INTERNAL_SERVER_ERROR' });
  return formatted(error, 'Internal error', {
    code: 'INTERNAL_SERVER_ERROR',
    ...(requestId ? { requestId } : {}),
  });
}
