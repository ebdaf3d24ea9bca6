import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { listMySessions, revokeMyOtherSessions, revokeMySession } from '#lib/server/auth/sessions.ts';
import { formFields } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = '/app/settings/sessions';
const sessionRef = z.object({ id: z.uuid() });
const GONE = 'That session has already ended, or it is not one of yours.';

function currentSessionId(locals: App.Locals): string {
  requireCaller(locals);
  return locals.session!.id;
}

export const load: PageServerLoad = async ({ locals, request, url }) => {
  const current = currentSessionId(locals);
  const sessions = await listMySessions(request.headers, current);
  const revoked = url.searchParams.get('revoked');
  return { sessions, revoked: revoked === 'one' || revoked === 'others' ? revoked : null };
};

export const actions = {
  revoke: async ({ request, locals }) => {
    const current = currentSessionId(locals);
    const parsed = sessionRef.safeParse(formFields(await request.formData()));
    if (!parsed.success) return fail(400, { errors: { form: [GONE] } });
    if (parsed.data.id === current) {
      return fail(400, { errors: { form: ['To end this session, sign out.'] } });
    }
    const done = await revokeMySession(request.headers, parsed.data.id, current);
    if (!done) return fail(404, { errors: { form: [GONE] } });
    locals.log.info({ revoked_session_id: parsed.data.id }, 'session revoked');
    redirect(303, `${PAGE}?revoked=one`);
  },

  revokeOthers: async ({ request, locals }) => {
    currentSessionId(locals);
    await revokeMyOtherSessions(request.headers);
    locals.log.info('other sessions revoked');
    redirect(303, `${PAGE}?revoked=others`);
  },
} satisfies Actions;
