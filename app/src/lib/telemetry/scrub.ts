// Scrubbing what leaves the browser in telemetry and bug reports: no query strings or
// fragments (they carry tokens, search terms, ids), no bearer tokens, JWTs, API keys or
// e-mail addresses, and every string capped. Pure functions, unit-tested in
// tests/unit/telemetry-scrub.test.ts.

export const LIMITS = {
  message: 1000,
  stack: 4000,
  route: 500,
  userAgent: 500,
} as const;

/** Cut `text` to at most `max` characters (an ellipsis marks the cut). */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

// An absolute URL, then its query and/or fragment (kept apart so the URL part survives).
const URL_WITH_QUERY = /\b((?:https?|wss?):\/\/[^\s?#'"`<>()]*)[?#][^\s'"`<>()]*/gi;
// A relative URL's query: `/path?x=1` (a path, then ?name=).
const PATH_WITH_QUERY = /((?:^|[\s'"`(])\/[^\s?#'"`<>()]*)\?[^\s'"`<>()#]*=[^\s'"`<>()#]*/g;
// Secrets in name=value form outside a URL (e.g. "token=abc" in a message).
const SECRET_PAIR =
  /\b(access_token|refresh_token|id_token|token|api_key|apikey|password|passwd|secret|session|sig|signature|authorization)(\s*[=:]\s*)("?)(?!\[|Bearer\b|Basic\b)[^\s"&,;]+/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// API keys are "tm_" + 43 base64url characters (gateway/src/api/api-keys.ts).
const API_KEY = /\btm_[A-Za-z0-9_-]{20,}/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Long opaque strings (session ids, hashes, base64 blobs): 40+ characters mixing letters
// and digits. Minified names and chunk hashes are far shorter.
const OPAQUE = /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40,}\b/g;

/** Remove obvious secrets and personal data from free text (a message or a stack). */
export function scrubText(text: string): string {
  return text
    .replace(URL_WITH_QUERY, '$1')
    .replace(PATH_WITH_QUERY, '$1')
    .replace(BEARER, '$1 [redacted]')
    .replace(JWT, '[redacted-jwt]')
    .replace(API_KEY, '[redacted-key]')
    .replace(SECRET_PAIR, '$1$2$3[redacted]')
    .replace(EMAIL, '[email]')
    .replace(OPAQUE, '[redacted]');
}

/** Scrub then cap: what every string sent as telemetry goes through. */
export function clean(text: string | null | undefined, max: number): string {
  if (!text) return '';
  return cap(scrubText(String(text)), max);
}

/**
 * A path a person was on, for the bug report form: the pathname only (no query, no
 * fragment), starting with a single '/', capped. Anything else becomes ''.
 */
export function safePath(input: string | null | undefined): string {
  if (!input) return '';
  const trimmed = input.trim();
  if (!trimmed.startsWith('/') || trimmed.startsWith('//') || trimmed.startsWith('/\\')) return '';
  const path = trimmed.split(/[?#]/, 1)[0] ?? '';
  // Control characters have no place in a path shown back to the person.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return '';
  return cap(path, LIMITS.route);
}
