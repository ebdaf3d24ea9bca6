// CSRF guard of the JSON auth endpoints (/auth/* over HTTP; the app's form actions call
// auth.api directly and keep SvelteKit's own origin check). A state-changing request must
// either carry a non-simple content type (application/json: a cross-site page cannot send
// that without a CORS preflight, which we do not grant) or come from our own origin.
// Anything else (a cross-site <form> post, text/plain from fetch with no-cors) gets 403
// before Better Auth reads the body. OAuth callbacks are exempt: a provider may post them
// cross-site (response_mode=form_post) and they are bound to the flow by `state`.
import type { BetterAuthPlugin } from 'better-auth';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
const EXEMPT = /\/(oauth2\/)?callback\//;

export const CSRF_REJECTED = 'CSRF_REJECTED';

export function isJsonContentType(value: string | null): boolean {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

export function csrfGuard({ publicOrigin }: { publicOrigin: string }) {
  return {
    id: 'taskmaster-csrf',
    onRequest: async (request) => {
      if (SAFE_METHODS.has(request.method.toUpperCase())) return;
      const path = new URL(request.url).pathname;
      if (EXEMPT.test(path)) return;
      if (isJsonContentType(request.headers.get('content-type'))) return;
      const origin = request.headers.get('origin');
      if (origin && origin === publicOrigin) return;
      const body = {
        code: CSRF_REJECTED,
        message: 'Refused: send application/json, or post from this site.',
      };
      return {
        response: new Response(JSON.stringify(body), {
          status: 403,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        }),
      };
    },
  } satisfies BetterAuthPlugin;
}
