// Step-up (issue 6; docs/adr "C: step-up rules"): the sensitive identity actions need a
// recent proof, not just a session cookie that may be a month old or stolen.
//  * Someone with a second factor (TOTP or a passkey) must have verified it in this
//    session within the last 10 minutes (hasFreshSecondFactor), else 403
//    FRESH_SECOND_FACTOR_REQUIRED and the app sends them to /step-up. A password does
//    not substitute: it is the factor a phisher already has.
//  * Someone without a second factor passes when this very request proves the password
//    (change-password's currentPassword, delete-user's password, checked by Better Auth
//    itself) or when they signed in within the last 10 minutes; /step-up asks them to
//    confirm their password, which signs them in afresh.
// A before-hook, so it applies to the HTTP endpoints and to the app's direct api calls.
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { sql, type Kysely } from 'kysely';
import { hasFreshSecondFactor, STEP_UP_MAX_AGE_MS, STEP_UP_REQUIRED } from './assurance.ts';

export const STEP_UP_PATHS: ReadonlySet<string> = new Set([
  '/change-password',
  '/change-email',
  '/two-factor/disable',
  '/delete-user',
  '/passkey/delete-passkey',
]);

/** Endpoints whose body carries the current password that Better Auth verifies itself. */
const PASSWORD_FIELD: Readonly<Record<string, string>> = {
  '/change-password': 'currentPassword',
  '/delete-user': 'password',
  '/two-factor/disable': 'password',
};

export const STEP_UP_MESSAGE = 'Confirm it is you: verify your second factor again, then retry.';

export async function secondFactorEnrolled(db: Kysely<unknown>, userId: string): Promise<boolean> {
  const { rows } = await sql<{ enrolled: boolean }>`
    select coalesce((select u.two_factor_enabled from identity.users u where u.id = ${userId}::uuid), false)
        or exists (select 1 from identity.passkeys p where p.user_id = ${userId}::uuid) as enrolled`.execute(db);
  return rows[0]?.enrolled ?? false;
}

/** Whether the person behind this session may do a step-up action now (see the header). */
export function stepUpSatisfied(
  session: { createdAt?: Date | string | null; secondFactorAt?: Date | string | null },
  enrolled: boolean,
  passwordInRequest: boolean,
  now = Date.now(),
): boolean {
  if (enrolled) return hasFreshSecondFactor(session, now);
  if (passwordInRequest) return true;
  const created = session.createdAt ? new Date(session.createdAt).getTime() : Number.NaN;
  return Number.isFinite(created) && now - created <= STEP_UP_MAX_AGE_MS;
}

export function stepUpPlugin({ db }: { db: Kysely<unknown> }) {
  return {
    id: 'taskmaster-step-up',
    hooks: {
      before: [
        {
          matcher: (ctx: { path?: string }) => ctx.path !== undefined && STEP_UP_PATHS.has(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            if (!session) return; // the endpoint itself answers 401
            const field = ctx.path ? PASSWORD_FIELD[ctx.path] : undefined;
            const password = field ? (ctx.body as Record<string, unknown> | undefined)?.[field] : undefined;
            const enrolled = await secondFactorEnrolled(db, session.user.id);
            if (!stepUpSatisfied(session.session, enrolled, typeof password === 'string' && password.length > 0)) {
              throw new APIError('FORBIDDEN', { message: STEP_UP_MESSAGE, code: STEP_UP_REQUIRED });
            }
          }),
        },
      ],
    },
  };
}
