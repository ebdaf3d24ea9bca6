// Starts the real gateway in-process on a free port, against the test database.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { createGateway, type GatewayOptions } from '../../gateway/src/server.ts';
import { closeServices, services } from '../../lib/services.ts';

export type TestGateway = { url: string; close: () => Promise<void> };

/** The real gateway (APIs only, no app build needed); `options` override pipeline parts. */
export async function startGateway(options: Omit<GatewayOptions, 'services' | 'serveApp'> = {}): Promise<TestGateway> {
  const server = await createGateway({ services: services(), serveApp: false, ...options });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

/** Cookie header value from a fetch Response's Set-Cookie headers. */
export function cookiesFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

export async function signUp(
  base: string,
  email: string,
  password = 'correct horse battery staple',
  name = 'Test User',
) {
  const res = await fetch(`${base}/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ name, email, password }),
  });
  return res;
}

/** A new person signed up over HTTP (asserting 200): its email, id and session cookie. */
export async function signedUp(
  base: string,
  prefix = 'user',
  password?: string,
): Promise<{ email: string; userId: string; cookie: string }> {
  const email = uniqueEmail(prefix);
  const res = await signUp(base, email, password);
  assert.equal(res.status, 200, await res.clone().text());
  const { user } = (await res.json()) as { user: { id: string } };
  return { email, userId: user.id, cookie: cookiesFrom(res) };
}

export async function accessToken(base: string, cookie: string): Promise<string> {
  const res = await fetch(`${base}/auth/token`, { headers: { cookie } });
  if (!res.ok) throw new Error(`/auth/token answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { token: string };
  return body.token;
}

/**
 * The gateway for a whole test file: started before its first test, closed (with the
 * process's shared pools) after its last. `url` is readable once the tests run.
 */
export function useGateway(options: Omit<GatewayOptions, 'services' | 'serveApp'> = {}): { readonly url: string } {
  let gw: TestGateway | undefined;
  before(async () => {
    gw = await startGateway(options);
  });
  after(async () => {
    await gw?.close();
    await closeServices();
  });
  return {
    get url() {
      if (!gw) throw new Error('useGateway: the gateway starts in before(); read url inside a test');
      return gw.url;
    },
  };
}
