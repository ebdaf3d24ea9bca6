// Enforces lib/auth/password-policy.ts wherever Better Auth accepts a new password:
// sign-up, change-password (signed in) and reset-password (by emailed token). A refusal is
// APIError 400 with PASSWORD_TOO_COMMON or PASSWORD_FROM_EMAIL, which the app maps to the
// password field (app/src/lib/server/auth/errors.ts). Runs before the endpoint, so a
// refused password writes nothing.
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { rememberResetUser, resetUserOf } from './hook-stash.ts';
import { passwordProblem } from './password-policy.ts';

const PATHS: ReadonlySet<string> = new Set(['/sign-up/email', '/change-password', '/reset-password']);

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

async function emailFor(ctx: HookCtx): Promise<string | null> {
  const body = ctx.body as { email?: unknown } | undefined;
  if (ctx.path === '/sign-up/email') return typeof body?.email === 'string' ? body.email : null;
  if (ctx.path === '/change-password') {
    const session = await getSessionFromCtx(ctx).catch(() => null);
    return session?.user.email ?? null;
  }
  await rememberResetUser(ctx);
  const userId = resetUserOf(ctx);
  if (!userId) return null;
  const user = await ctx.context.internalAdapter.findUserById(userId);
  return user?.email ?? null;
}

export function passwordPolicy() {
  return {
    id: 'taskmaster-password-policy',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path !== undefined && PATHS.has(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const body = ctx.body as { password?: unknown; newPassword?: unknown } | undefined;
            const password = ctx.path === '/sign-up/email' ? body?.password : body?.newPassword;
            // Missing or out-of-range passwords are the endpoint's own 400s.
            if (typeof password !== 'string' || password.length < 10 || password.length > 128) return;
            const problem = passwordProblem(password, await emailFor(ctx));
            if (problem) throw APIError.from('BAD_REQUEST', problem);
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
