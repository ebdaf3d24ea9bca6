// Facts a before-hook learns for its after-hook, kept per call on the endpoint's auth
// context object (one per dispatch). /reset-password deletes its token while it runs, so
// whose password was reset must be looked up before the endpoint, not after.
import type { createAuthMiddleware } from 'better-auth/api';

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

const resetUsers = new WeakMap<object, string | null>();

/** Looks up (once per call) whose reset token a /reset-password call carries. */
export async function rememberResetUser(ctx: HookCtx): Promise<void> {
  if (resetUsers.has(ctx.context)) return;
  const body = ctx.body as { token?: unknown } | undefined;
  const query = ctx.query as { token?: unknown } | undefined;
  const token = typeof body?.token === 'string' ? body.token : typeof query?.token === 'string' ? query.token : '';
  let userId: string | null = null;
  if (token && token.length <= 200) {
    const found = await ctx.context.internalAdapter.findVerificationValue(`reset-password:${token}`);
    userId = typeof found?.value === 'string' ? found.value : null;
  }
  resetUsers.set(ctx.context, userId);
}

export function resetUserOf(ctx: HookCtx): string | null {
  return resetUsers.get(ctx.context) ?? null;
}
