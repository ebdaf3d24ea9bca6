// CORS for the data APIs: an allow-list of origins (PUBLIC_URL's origin plus CORS_ORIGINS).
// An allowed origin is echoed in Access-Control-Allow-Origin (never `*`: credentials, i.e.
// the session cookie, are allowed) with Access-Control-Allow-Credentials; a disallowed
// origin gets no CORS headers at all, so the browser withholds the response from the
// page, and its preflight is answered 403.
//
// CORS protects what a page may READ. It does not stop a cross-origin page from SENDING a
// simple request with the user's cookie; the pipeline therefore refuses unsafe methods
// authenticated by the session cookie when they come from a disallowed Origin (a CSRF guard).
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.ts';
import type { ApiResponse } from './types.ts';

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOW_HEADERS = [
  'authorization',
  'apikey',
  'content-type',
  'prefer',
  'range',
  'range-unit',
  'accept-profile',
  'content-profile',
  'idempotency-key',
  'if-none-match',
  'x-client-info',
  'x-request-id',
].join(', ');
// Every response header the gateway and its engines send that is not CORS-safelisted
// (tests/api/gateway-cors.test.ts collects them from real responses and checks this list).
const EXPOSE_HEADERS = [
  'content-range',
  'content-profile',
  'allow',
  'www-authenticate',
  'location',
  'preference-applied',
  'etag',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'x-request-id',
  'deprecation',
  'sunset',
  'link',
  'idempotent-replayed',
].join(', ');
/** Seconds a browser may cache a preflight (Chromium caps this at 7200). */
const MAX_AGE = '7200';

export function createCors({ publicUrl, origins }: { publicUrl: string; origins: readonly string[] }) {
  const allowed = new Set([new URL(publicUrl).origin, ...origins.map((o) => new URL(o).origin)]);

  function originOf(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    return typeof origin === 'string' && origin !== '' ? origin : undefined;
  }

  function isAllowed(origin: string | undefined): boolean {
    return origin !== undefined && allowed.has(origin);
  }

  function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
    return method === 'OPTIONS' && originOf(headers) !== undefined && !!headers['access-control-request-method'];
  }

  /** The answer to a preflight: 204 with the policy, or 403 for an origin not on the list. */
  function preflight(headers: IncomingHttpHeaders): ApiResponse {
    const origin = originOf(headers);
    if (!isAllowed(origin)) {
      return new ApiError(403, 'TM403', 'Origin not allowed', {
        details: 'This origin is not on the API’s CORS allow-list.',
        hint: 'Add it to CORS_ORIGINS.',
      }).toResponse();
    }
    return {
      status: 204,
      headers: {
        'access-control-allow-origin': origin as string,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': MAX_AGE,
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      },
    };
  }

  /** CORS headers for an actual response (none for a missing or disallowed origin). */
  function responseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const origin = originOf(headers);
    if (!isAllowed(origin)) return {};
    return {
      'access-control-allow-origin': origin as string,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSE_HEADERS,
    };
  }

  /**
   * Whether a request says it comes from another site: its Origin is not on the list or,
   * when a browser sends none (older browsers, privacy extensions), Sec-Fetch-Site says so.
   * The CSRF guard of cookie writes and the telemetry endpoint both refuse such requests.
   */
  function isForeign(headers: IncomingHttpHeaders): boolean {
    const origin = originOf(headers);
    if (origin !== undefined) return !isAllowed(origin);
    const fetchSite = headers['sec-fetch-site'];
    return fetchSite === 'cross-site' || fetchSite === 'same-site';
  }

  return { originOf, isAllowed, isForeign, isPreflight, preflight, responseHeaders };
}
