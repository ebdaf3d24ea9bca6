// Tampered access tokens against the real gateway: each is refused with 401, a clear
// message and a WWW-Authenticate challenge, and a write carrying it changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createTokenVerifier, InvalidTokenError } from '../../lib/auth/claims.ts';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { accessToken, cookiesFrom, signUp, startGateway, type TestGateway, uniqueEmail } from '../support/gateway.ts';

let gw: TestGateway;
let real: string;
let claims: Record<string, unknown>;
let kid: string;
let workspaceId: string;

before(async () => {
  gw = await startGateway();
  const email = uniqueEmail('tamper');
  const res = await signUp(gw.url, email);
  assert.equal(res.status, 200);
  real = await accessToken(gw.url, cookiesFrom(res));
  claims = decodeJwt(real) as Record<string, unknown>;
  kid = decodeProtectedHeader(real).kid!;
  const { rows } = await superuserQuery<{ id: string }>(
    `select w.id from public.workspaces w join identity.users u on u.id = w.created_by where u.email = $1`,
    [email],
  );
  workspaceId = rows[0]!.id;
});
after(async () => {
  await gw.close();
  await closeServices();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs with OUR real key (the server-only signJWT): only the chosen claims are wrong. */
async function signedByUs(overrides: Record<string, unknown>): Promise<string> {
  const { token } = await services().auth.api.signJWT({ body: { payload: { ...claims, ...overrides } } });
  return token;
}

async function attackerKey() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

const tampered: Record<string, () => Promise<string>> = {
  'alg none (unsigned)': async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
  'wrong kid (a key we never published)': async () => {
    const { privateKey } = await attackerKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: '00000000-0000-4000-8000-000000000000' })
      .sign(privateKey);
  },
  'our kid, an attacker key': async () => {
    const { privateKey } = await attackerKey();
    return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
  },
  'bad signature (payload changed after signing)': async () => {
    const [header, , signature] = real.split('.');
    return `${header}.${b64({ ...claims, role: 'service_role' })}.${signature}`;
  },
  'bad signature (signature bytes flipped)': async () => {
    const [header, payload, signature] = real.split('.');
    const bytes = Buffer.from(signature!, 'base64url');
    bytes[0] = bytes[0]! ^ 0xff;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  },
  expired: async () => signedByUs({ iat: nowSeconds() - 3600, exp: nowSeconds() - 1800 }),
  'wrong audience': async () => signedByUs({ aud: 'some-other-service' }),
  'wrong issuer': async () => signedByUs({ iss: 'https://evil.example' }),
  'HS256 with the public key as the secret': async () => {
    const jwks = (await (await fetch(`${gw.url}/auth/jwks`)).json()) as { keys: (JWK & { kid: string })[] };
    const ours = jwks.keys.find((k) => k.kid === kid)!;
    const secret = new TextEncoder().encode(JSON.stringify(ours));
    const raw = Buffer.from(ours.x!, 'base64url');
    const viaJson = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(secret);
    const viaRaw = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(raw);
    // Two readings of "the public key as secret": its JWK text and its raw bytes.
    return `${viaJson}|${viaRaw}`;
  },
  'missing role claim': async () => signedByUs({ role: undefined }),
  'not a JWT at all': async () => 'definitely.not.a-jwt',
};

async function expectRefused(token: string) {
  const read = await fetch(`${gw.url}/rest/v1/projects?select=id`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(read.status, 401, await read.clone().text());
  assert.match(read.headers.get('www-authenticate') ?? '', /invalid_token/);
  const body = (await read.json()) as { message: string };
  assert.equal(body.message, 'The access token is invalid or expired');

  const name = `tamper-${Math.random().toString(36).slice(2)}`;
  const write = await fetch(`${gw.url}/rest/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ workspace_id: workspaceId, name }),
  });
  assert.equal(write.status, 401);
  const { rows } = await superuserQuery('select 1 from public.projects where name = $1', [name]);
  assert.equal(rows.length, 0, 'nothing was written');
}

describe('tampered access tokens', () => {
  test('the untampered token works (the control)', async () => {
    const res = await fetch(`${gw.url}/rest/v1/projects?select=id`, { headers: { authorization: `Bearer ${real}` } });
    assert.equal(res.status, 200, await res.clone().text());
  });

  for (const [name, make] of Object.entries(tampered)) {
    test(`refuses: ${name}`, async () => {
      for (const token of (await make()).split('|')) await expectRefused(token);
    });
  }
});

test('invented kids do not turn each request into a JWKS read', async () => {
  let reads = 0;
  const counting = {
    api: {
      getJwks: async () => {
        reads += 1;
        return services().auth.api.getJwks();
      },
    },
  };
  const verify = createTokenVerifier({ auth: counting, issuer: services().config.PUBLIC_URL, maxVerified: 0 });
  const { privateKey } = await attackerKey();
  for (let i = 0; i < 20; i += 1) {
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })
      .sign(privateKey);
    await assert.rejects(verify(forged), InvalidTokenError);
  }
  // The first read fills the cache; the forced refetch for an unknown kid is floored.
  assert.ok(reads <= 2, `${reads} JWKS reads for 20 forged tokens`);
  assert.deepEqual(await verify(real).then((c) => c.sub), claims.sub, 'real tokens still verify');
});
