// Types shared by the whole app. `App` must use interfaces: SvelteKit extends them by
// declaration merging.
import type { Claims } from '$server/db/as-user.ts';
import type { Logger } from '$server/logger.ts';
import type { SessionUser, UserSession } from '#lib/server/auth/session.ts';
import type { Theme } from '#lib/theme/theme.ts';

declare global {
  namespace App {
    interface Error {
      status: number;
      message: string;
      /** Quoted to support so a person's report can be matched to the logs. */
      requestId?: string;
    }
    interface Locals {
      requestId: string;
      /** pino child logger carrying req_id (and user_id once the session is known). */
      log: Logger;
      /** The Better Auth session, verified against the database on every request. */
      session: UserSession | null;
      user: SessionUser | null;
      /** What asUser() needs to run queries as this person (RLS applies). */
      claims: Claims | null;
      /** The colour theme from the `theme` cookie (validated); hooks.server.ts sets it. */
      theme: Theme;
    }
    // interface PageData {}
    // interface PageState {}
    // interface Platform {}
  }
}

export {};
