// Better Auth's server API answers with Set-Cookie headers; SvelteKit only lets us set
// cookies through `cookies.set`, so each header is parsed and re-applied with the same
// attributes (the same approach as better-auth/svelte-kit's `sveltekitCookies` plugin,
// which we cannot use because the auth instance lives in the shared lib/). Values arrive
// URL-decoded and SvelteKit re-encodes them with encodeURIComponent, which is how Better
// Auth wrote them in the first place.
import type { Cookies } from '@sveltejs/kit';
import { parseSetCookieHeader } from 'better-auth/cookies';

export function applyAuthCookies(headers: Headers, cookies: Cookies): void {
  for (const header of headers.getSetCookie()) {
    for (const [name, attributes] of parseSetCookieHeader(header)) {
      cookies.set(name, attributes.value, {
        path: attributes.path ?? '/',
        httpOnly: attributes.httponly === true,
        secure: attributes.secure === true,
        ...(attributes.samesite ? { sameSite: attributes.samesite } : {}),
        ...(attributes['max-age'] !== undefined ? { maxAge: attributes['max-age'] } : {}),
        ...(attributes.expires ? { expires: attributes.expires } : {}),
        ...(attributes.domain ? { domain: attributes.domain } : {}),
      });
    }
  }
}
