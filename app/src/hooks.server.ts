// Every request passes these handles in order: a request id and logger, the session, the
// colour theme, then security headers on the way out. Nothing per-user lives in module scope.
import { randomUUID } from 'node:crypto';
import type { Handle, HandleServerError } from '@sveltejs/kit/hooks';
import { sequence } from '@sveltejs/kit/hooks';
import { claimsForSession } from '$server/auth/claims.ts';
import { config } from '$server/config.ts';
import { logger, withRequestLogger } from '$server/logger.ts';
import { allowOAuthFormActions } from '#lib/server/auth/oauth.ts';
import { loadSession } from '#lib/server/auth/session.ts';
import { THEME_COOKIE, THEME_PLACEHOLDER, parseTheme } from '#lib/theme/theme.ts';

// Same rule as the gateway (gateway/src/request-id.ts): reuse a sane incoming id.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

const requestContext: Handle = async ({ event, resolve }) => {
  const incoming = event.request.headers.get('x-request-id');
  const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  event.locals.requestId = requestId;
  event.locals.log = logger.child({ req_id: requestId });
  event.locals.session = null;
  event.locals.user = null;
  event.locals.claims = null;
  const response = await withRequestLogger(event.locals.log, () => resolve(event));
  response.headers.set('x-request-id', requestId);
  return response;
};

const session: Handle = async ({ event, resolve }) => {
  const found = await loadSession({ request: event.request, cookies: event.cookies });
  if (found) {
    event.locals.session = found.session;
    event.locals.user = found.user;
    event.locals.claims = claimsForSession(found);
    event.locals.log = event.locals.log.child({ user_id: found.user.id });
  }
  return withRequestLogger(event.locals.log, () => resolve(event));
};

// The theme is on <html> in the very first chunk the server sends: no flash of the wrong
// theme and no inline script. The cookie is validated against the three themes, so
// nothing a visitor sends is ever written into the page. Read when used, not once: a form
// action that sets the cookie (settings, /theme) renders its page in the new theme.
const theme: Handle = ({ event, resolve }) => {
  Object.defineProperty(event.locals, 'theme', {
    enumerable: true,
    get: () => parseTheme(event.cookies.get(THEME_COOKIE)),
  });
  let applied = false;
  return resolve(event, {
    transformPageChunk: ({ html }) => {
      if (applied || !html.includes(THEME_PLACEHOLDER)) return html;
      applied = true;
      return html.replace(THEME_PLACEHOLDER, event.locals.theme);
    },
  });
};

const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

// The Content-Security-Policy itself comes from the `csp` option in vite.config.ts, so
// SvelteKit can add a nonce to the scripts it inlines.
const securityHeaders: Handle = async ({ event, resolve }) => {
  const response = await resolve(event);
  const headers = response.headers;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  headers.set('permissions-policy', PERMISSIONS_POLICY);
  headers.set('x-frame-options', 'DENY');
  const csp = headers.get('content-security-policy');
  if (csp) headers.set('content-security-policy', allowOAuthFormActions(csp));
  headers.set('cross-origin-opener-policy', 'same-origin');
  if (config().isProduction) headers.set('strict-transport-security', 'max-age=63072000; includeSubDomains');
  // A signed-in page must never be served to someone else from a shared cache.
  if (event.locals.user && !headers.has('cache-control')) headers.set('cache-control', 'private, no-store');
  return response;
};

export const handle = sequence(requestContext, session, theme, securityHeaders);

// Every error passes here (SvelteKit 3 includes expected ones such as 404s). Unknown
// errors are logged with their stack and replaced by a message that leaks nothing; the
// request id lets support find the log line.
export const handleError: HandleServerError = (input) => {
  const { event } = input;
  const log = event.locals.log ?? logger;
  const requestId = event.locals.requestId;
  if (input.kind === 'unknown') {
    log.error({ err: input.error, route: event.route.id }, 'request failed');
    return { status: 500, message: 'Something went wrong on our side. Please try again.', requestId };
  }
  const { status, message } = input.error;
  if (status >= 500) log.error({ status, route: event.route.id, kind: input.kind }, message);
  else log.debug({ status, route: event.route.id, kind: input.kind }, message);
  return { requestId };
};
