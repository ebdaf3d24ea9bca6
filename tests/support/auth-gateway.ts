// A real gateway whose Better Auth instance runs with its own configuration (e.g. low
// identity rate limits), sharing the process's pools. 127.0.0.1 is a trusted proxy, so a
// test can speak for several client IPs through X-Forwarded-For.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import { authOptions } from '../../lib/auth/auth.ts';
import { parseConfig, type Config } from '../../lib/config.ts';
import { closeServices, services } from '../../lib/services.ts';
import { createGateway } from '../../gateway/src/server.ts';

export type AuthGateway = {
  url: string;
  config: Config;
  auth: ReturnType<typeof betterAuth>;
  close: () => Promise<void>;
};

/** Better Auth with `env` overriding the process environment (AUTH_RATE_LIMIT_IP: '3'…). */
export function authWith(env: Record<string, string>) {
  const config = parseConfig({ ...process.env, ...env });
  const options = authOptions({ config, db: services().serviceDb });
  // Password reset by email may not be wired in this branch yet; the abuse tests only
  // need the endpoint to answer, so a no-op sender stands in when none is configured.
  type Sender = NonNullable<BetterAuthOptions['emailAndPassword']>['sendResetPassword'];
  const existing = (options.emailAndPassword as { sendResetPassword?: Sender }).sendResetPassword;
  const noop: NonNullable<Sender> = async () => undefined;
  const emailAndPassword = { ...options.emailAndPassword, sendResetPassword: existing ?? noop };
  return { config, auth: betterAuth({ ...options, emailAndPassword }) };
}

export async function startAuthGateway(env: Record<string, string>): Promise<AuthGateway> {
  const { config, auth } = authWith(env);
  const svc = { ...services(), config, auth: auth as unknown as ReturnType<typeof services>['auth'] };
  const server = await createGateway({ services: svc, serveApp: false, api: { trustedProxies: ['127.0.0.1'] } });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    auth: auth as unknown as ReturnType<typeof betterAuth>,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

/**
 * Auth gateways for a whole test file: each call starts one with its `env`; all of them
 * (and the process's shared pools) are closed after the file's last test.
 */
export function useAuthGateways(): (env: Record<string, string>) => Promise<AuthGateway> {
  const started: AuthGateway[] = [];
  after(async () => {
    await Promise.all(started.map((g) => g.close()));
    await closeServices();
  });
  return async (env) => {
    const gw = await startAuthGateway(env);
    started.push(gw);
    return gw;
  };
}

/** One auth gateway with `env` for a whole test file, started by the first call that needs it. */
export function useAuthGateway(env: Record<string, string> = {}): () => Promise<AuthGateway> {
  const start = useAuthGateways();
  let gw: Promise<AuthGateway> | undefined;
  return () => (gw ??= start(env));
}

/** POST JSON to an /auth endpoint as a browser on our origin at client address `ip`. */
export function postAuth(gw: AuthGateway, path: string, body: unknown, ip = '203.0.113.1', cookie?: string) {
  return fetch(`${gw.url}/auth${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: new URL(gw.config.PUBLIC_URL).origin,
      'x-forwarded-for': ip,
      'user-agent': 'TaskMaster tests',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
}
