import { fail, redirect } from '@sveltejs/kit';
import { listConnections, unlinkConnection, unlinkInput } from '#lib/server/auth/connections.ts';
import {
  findOAuthProvider,
  oauthRedirectOrigins,
  oauthErrorMessage,
  providerName,
  startOAuth,
} from '#lib/server/auth/oauth.ts';
import { formFields } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/connections';

export const load: PageServerLoad = async ({ locals, request, url }) => {
  requireCaller(locals);
  const { connections, available } = await listConnections(request.headers);
  // Outcomes arrive as query parameters (the provider's redirect, or our own 303).
  const linked = url.searchParams.get('linked');
  const unlinked = url.searchParams.get('unlinked');
  const status =
    linked && connections.some((c) => c.providerId === linked)
      ? `Connected ${providerName(linked)}. You can now sign in with it.`
      : unlinked && !connections.some((c) => c.providerId === unlinked) && findOAuthProvider(unlinked)
        ? `Removed ${providerName(unlinked)}. It can no longer be used to sign in.`
        : null;
  return { connections, available, status, error: oauthErrorMessage(url.searchParams.get('error')) };
};

export const actions = {
  link: async ({ request, cookies, locals }) => {
    requireCaller(locals);
    const provider = findOAuthProvider(formFields(await request.formData()).provider);
    if (!provider) return fail(400, { action: 'link' as const, message: 'That sign-in provider is not available.' });
    const result = await startOAuth({
      provider,
      callbackPath: `${PAGE}?linked=${provider.id}`,
      errorPath: PAGE,
      headers: request.headers,
      cookies,
      link: true,
    });
    if ('error' in result) {
      return fail(400, { action: 'link' as const, message: oauthErrorMessage(result.error) ?? '' });
    }
    locals.log.info({ provider: provider.id }, 'oauth link started');
    redirect(303, result.url, { external: oauthRedirectOrigins() });
  },

  unlink: async ({ request, locals }) => {
    requireCaller(locals);
    const parsed = unlinkInput.safeParse(formFields(await request.formData()));
    if (!parsed.success) {
      return fail(400, { action: 'unlink' as const, message: 'Choose a connection to remove.' });
    }
    const result = await unlinkConnection(request.headers, parsed.data.accountId);
    if (!result.ok) return fail(result.status, { action: 'unlink' as const, message: result.message });
    locals.log.info({ provider: result.providerId }, 'oauth identity unlinked');
    redirect(303, `${PAGE}?unlinked=${result.providerId}`);
  },
} satisfies Actions;
