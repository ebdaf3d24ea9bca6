// POST /oauth/<provider>: the "Continue with <provider>" form. SvelteKit's origin check
// has already refused cross-site form posts; the answer is a 303 to the provider.
import { redirect } from '@sveltejs/kit';
import { findOAuthProvider, oauthRedirectOrigins, startOAuth } from '#lib/server/auth/oauth.ts';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { formFields } from '#lib/forms.ts';
import type { RequestHandler } from './$types';

const SIGN_IN = '/sign-in';

export const POST: RequestHandler = async ({ params, request, cookies, locals }) => {
  const provider = findOAuthProvider(params.provider);
  if (!provider) redirect(303, `${SIGN_IN}?error=oauth_provider_not_found`);
  const fields = formFields(await request.formData().catch(() => new FormData()));
  const result = await startOAuth({
    provider,
    callbackPath: redirectTarget(fields.redirectTo),
    errorPath: SIGN_IN,
    headers: request.headers,
    cookies,
  });
  if ('error' in result) redirect(303, `${SIGN_IN}?error=${encodeURIComponent(result.error)}`);
  locals.log.info({ provider: provider.id }, 'oauth sign-in started');
  redirect(303, result.url, { external: oauthRedirectOrigins() });
};
