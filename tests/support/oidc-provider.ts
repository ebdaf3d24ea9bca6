// A real OpenID Provider (the `oidc-provider` package, a certified implementation) for the
// OAuth tests and for development (scripts/oidc-dev-provider.ts). It runs on 127.0.0.1,
// registers one confidential client that must use PKCE (S256), signs ID tokens with a
// key pair made at start, and signs people in through its development login page: any
// login name is accepted and becomes the account id. The claims of an account default to
// a verified email equal to the login (a login starting with "unverified" gets
// email_verified=false); a test can set any claims with `setAccount`.
//
// For the attack tests the provider can also hand out a different ID token than the one it
// issued (`replaceNextIdToken`), signed with its real key: what a man in the middle or a
// malicious client re-using tokens would try.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export type AccountClaims = {
  email?: string;
  /** A string too: some providers send "true"/"false". */
  email_verified?: boolean | string;
  name?: string;
};

export type OidcTestProvider = {
  /** The issuer URL; its discovery document is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  /** Set the claims the account with this login name gets (sub = login). */
  setAccount: (login: string, claims: AccountClaims) => void;
  /** Sign an ID token with the provider's own key (for substitution attacks). */
  signIdToken: (payload: JWTPayload) => Promise<string>;
  /** The next token response carries the ID token `make` returns (none for null) instead of the real one. */
  replaceNextIdToken: (make: (real: JWTPayload) => Promise<string | null>) => void;
  close: () => Promise<void>;
};

export type OidcTestProviderOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Redirect URIs of the client: <PUBLIC_URL>/auth/callback/<provider id>. */
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
};

function decodePayload(jwt: string): JWTPayload {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as JWTPayload;
}

export async function startOidcTestProvider(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'taskmaster';
  const clientSecret = options.clientSecret ?? 'taskmaster-oidc-test-client-secret';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-op-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, AccountClaims>();
  let replacement: ((real: JWTPayload) => Promise<string | null>) | null = null;

  // Listen first: the issuer must carry the real port.
  const server: Server = createServer();
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    // PKCE for every client, S256 only (the default method list).
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the email claims too, so what the relying party trusts is the
    // signed, nonce-bound token.
    conformIdTokenClaims: false,
    jwks: { keys: [jwk] },
    cookies: { keys: ['taskmaster-oidc-test-provider-cookie-key'] },
    ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => {
        const chosen = accounts.get(id);
        return {
          sub: id,
          email: chosen?.email ?? id,
          email_verified: chosen?.email_verified ?? !id.startsWith('unverified'),
          name: chosen?.name ?? id.split('@')[0] ?? id,
        };
      },
    }),
    // A first-party client: consent is implied, the login page is the only interaction.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const existing = ctx.oidc.session?.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  // Plain http on loopback is fine for tests; the provider refuses it only behind proxies.
  provider.proxy = false;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.method === 'POST' && replacement && ctx.status === 200) {
      const body = ctx.body as { id_token?: string };
      if (body.id_token) {
        const make = replacement;
        replacement = null;
        const { id_token: real, ...rest } = body;
        const substitute = await make(decodePayload(real));
        ctx.body = substitute === null ? rest : { ...rest, id_token: substitute };
      }
    }
  });
  server.on('request', provider.callback());

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    setAccount: (login, claims) => void accounts.set(login, claims),
    signIdToken: (payload) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(privateKey),
    replaceNextIdToken: (make) => {
      replacement = make;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

/** A cookie jar per host for driving the provider's pages with fetch. */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  header(url: string): string {
    const jar = this.jars.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    this.jars.set(host, jar);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res);
    return res;
  }
}

/**
 * Signs in at the provider as `login`, starting from the authorization URL the relying
 * party made, and returns the URL the provider sends the browser back to (the relying
 * party's callback with code, state and iss, or with an error).
 */
export async function loginAtProvider(authorizationUrl: string, login: string, jar = new CookieJar()): Promise<URL> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop += 1) {
    const res = await jar.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location') ?? '', url);
      if (new URL(authorizationUrl).origin !== next.origin) return next;
      url = next.toString();
      continue;
    }
    const html = await res.text();
    if (res.status !== 200 || !html.includes('name="login"')) {
      throw new Error(`provider answered ${res.status} at ${url}: ${html.slice(0, 500)}`);
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('no login form on the provider page');
    const submit = new URL(action.replaceAll('&amp;', '&'), url).toString();
    const post = await jar.fetch(submit, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
    });
    if (post.status < 300 || post.status >= 400) throw new Error(`login answered ${post.status}`);
    url = new URL(post.headers.get('location') ?? '', submit).toString();
  }
  throw new Error('too many redirects at the provider');
}
