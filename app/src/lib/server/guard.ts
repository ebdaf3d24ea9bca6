// Every load and action that touches a person's data starts here. Layout loads do not
// run before form actions, so the (app) layout's guard alone would not protect them.
import { error } from '@sveltejs/kit';
import type { Claims } from '$server/db/as-user.ts';
import type { SessionUser } from './auth/session.ts';

export type Caller = { user: SessionUser; claims: Claims };

export function requireCaller(locals: App.Locals): Caller {
  if (!locals.user || !locals.claims) error(401, 'Sign in to continue.');
  return { user: locals.user, claims: locals.claims };
}
