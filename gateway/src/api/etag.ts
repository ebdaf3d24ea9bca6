// HTTP caching of data-API responses: a strong ETag on GET/HEAD 200 responses (a hash of
// the exact body bytes), 304 Not Modified when If-None-Match matches, and Cache-Control and
// Vary that keep shared caches from mixing users.
//
// Every response depends on who asks (RLS) and how (profile, representation, range), so:
//   Cache-Control: private, no-cache   on GET/HEAD successes: a browser may keep it, must
//                                      revalidate each time (cheap with If-None-Match)
//   Cache-Control: no-store            on writes and errors: nothing to reuse
//   Vary: the request headers that select the representation or the caller.
// The 304 still costs the query (the hash is of the result): it saves bandwidth and
// client work, not database time.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiResponse } from './types.ts';

export const VARY = [
  'Origin',
  'Authorization',
  'Cookie',
  'apikey',
  'Accept',
  'Accept-Profile',
  'Content-Profile',
  'Prefer',
  'Range',
  'Range-Unit',
].join(', ');

/** Headers a 304 keeps (RFC 9110 §15.4.5: those a 200 would have carried for caching). */
const NOT_MODIFIED_KEEP = new Set(['etag', 'cache-control', 'vary', 'content-location', 'expires', 'date']);

export function strongEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}

/** Adds ETag/Cache-Control/Vary and turns a matching conditional GET into a 304. */
export function applyCaching(method: string, requestHeaders: IncomingHttpHeaders, response: ApiResponse): ApiResponse {
  const headers = { ...(response.headers ?? {}) };
  const readable = method === 'GET' || method === 'HEAD';
  const success = response.status >= 200 && response.status < 300;
  headers['cache-control'] ??= readable && success ? 'private, no-cache' : 'no-store';
  headers.vary = headers.vary ? `${headers.vary}, ${VARY}` : VARY;
  if (!readable || response.status !== 200 || response.body === undefined) return { ...response, headers };

  const etag = headers.etag ?? strongEtag(response.body);
  headers.etag = etag;
  if (!noneMatch(requestHeaders['if-none-match'], etag)) return { ...response, headers };
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => NOT_MODIFIED_KEEP.has(name)));
  return { status: 304, headers: kept };
}
