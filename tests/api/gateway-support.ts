// Support for the gateway pipeline tests (tests/api/gateway-*.test.ts), which start their
// gateways with tests/support/gateway.ts startGateway (pipeline overrides: limits, CORS,
// clock, versions, a controllable engine): users with tokens, and small helpers.
import assert from 'node:assert/strict';
import { json, type ApiContext, type ApiHandler } from '../../gateway/src/api/types.ts';
import { accessToken, cookiesFrom, signUp, uniqueEmail } from '../support/gateway.ts';

export type TestUser = { email: string; cookie: string; token: string; auth: Record<string, string> };

export async function newUser(base: string, prefix = 'edge'): Promise<TestUser> {
  const email = uniqueEmail(prefix);
  const res = await signUp(base, email);
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = cookiesFrom(res);
  const token = await accessToken(base, cookie);
  return { email, cookie, token, auth: { authorization: `Bearer ${token}` } };
}

/** An engine that answers from the context, counting calls (no database). */
export function echoEngine(): ApiHandler & { calls: ApiContext[] } {
  const calls: ApiContext[] = [];
  const handler = async (ctx: ApiContext) => {
    // Like the real engines (asUser waits for it): nothing is served before admission.
    await ctx.admitted;
    calls.push(ctx);
    return json(200, { path: ctx.path, method: ctx.method, n: calls.length });
  };
  return Object.assign(handler, { calls });
}

/** A promise with its resolve function exposed: lets a test hold an engine mid-request. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Waits until `check` is true, polling the event loop (no fixed sleeps in assertions). */
export async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Parses `"name";r=1;t=2` style structured fields into { name, params }. */
export function parseLimitField(value: string | null): { name: string; params: Record<string, number> } {
  assert.ok(value, 'field present');
  const [name, ...params] = value.split(';');
  return {
    name: (name ?? '').replace(/"/g, ''),
    params: Object.fromEntries(params.map((p) => p.split('=') as [string, string]).map(([k, v]) => [k, Number(v)])),
  };
}
