// Turning a verified identity into the claims the database reads (auth.uid(), auth.role()).
// Two sources: a Better Auth session (cookie, verified server-side) and a Bearer access
// JWT (verified against our JWKS). Nothing here trusts a decoded-but-unverified token.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Claims } from '../db/as-user.ts';
import { aalOf } from './assurance.ts';
import { ACCESS_TOKEN_AUDIENCE } from './auth.ts';

export const ANON_CLAIMS: Claims = Object.freeze({ role: 'anon' });

export function claimsForSession(session: { user: { id: string }; session: { id: string; aal?: unknown } }): Claims {
  return { sub: session.user.id, role: 'authenticated', session_id: session.session.id, aal: aalOf(session.session) };
}

const accessTokenClaims = z.object({
  sub: z.uuid(),
  role: z.literal('authenticated'),
  exp: z.number(),
  session_id: z.string().optional(),
  aal: z.enum(['aal1', 'aal2']).optional(),
});

export class InvalidTokenError extends Error {}

/** Verifies access JWTs against the JWKS Better Auth publishes, caching it briefly. */
export function createTokenVerifier({
  auth,
  issuer,
  cacheMs = 60_000,
  minRefetchMs = 5_000,
  maxVerified = 10_000,
}: {
  /** The Better Auth instance (only its JWKS endpoint is used). */
  auth: { api: { getJwks: () => Promise<unknown> } };
  issuer: string;
  cacheMs?: number;
  /**
   * An unknown kid refetches the JWKS at most this often: tokens with invented kids cannot
   * turn each request into a JWKS read. Keys are published ahead of use (lib/auth/keys.ts),
   * so a real new kid is normally already in the cached set.
   */
  minRefetchMs?: number;
  /** How many verified tokens to remember (0 disables the cache). */
  maxVerified?: number;
}) {
  let cached: { at: number; keys: ReturnType<typeof createLocalJWKSet> } | undefined;
  // A signature verified once stays valid for that exact token string, so verified tokens
  // are remembered until their own expiry: a client sending the same access token on
  // every request pays for one EdDSA verification, not one per request (the benchmark
  // showed it as the gateway's largest CPU item). Expiry is still checked on every use.
  // Access tokens are stateless (no revocation list), so the only change is this: when a
  // signing key is withdrawn from the JWKS, tokens this process already verified keep
  // working until they expire (at most ACCESS_TOKEN_TTL_SECONDS, 15 minutes).
  const verified = new Map<string, Claims & { exp: number }>();

  function remembered(token: string): Claims | undefined {
    const hit = verified.get(token);
    if (!hit) return undefined;
    if (hit.exp * 1000 <= Date.now()) {
      verified.delete(token);
      throw new InvalidTokenError('"exp" claim timestamp check failed');
    }
    return { ...hit };
  }

  function remember(token: string, claims: Claims & { exp: number }) {
    if (maxVerified <= 0) return;
    if (verified.size >= maxVerified) {
      // Oldest first (Map keeps insertion order): drop a tenth at once, not one per insert.
      let drop = Math.ceil(maxVerified / 10);
      for (const key of verified.keys()) {
        verified.delete(key);
        if ((drop -= 1) === 0) break;
      }
    }
    verified.set(token, claims);
  }

  async function keySet(force: boolean) {
    const age = cached ? Date.now() - cached.at : Infinity;
    if (cached && (force ? age < minRefetchMs : age < cacheMs)) return cached.keys;
    const jwks = (await auth.api.getJwks()) as JSONWebKeySet;
    cached = { at: Date.now(), keys: createLocalJWKSet(jwks) };
    return cached.keys;
  }

  return async function verify(token: string): Promise<Claims> {
    const hit = remembered(token);
    if (hit) return hit;
    let payload: JWTPayload;
    const options = { issuer, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['EdDSA', 'ES256', 'RS256'] };
    try {
      payload = (await jwtVerify(token, await keySet(false), options)).payload;
    } catch (error) {
      // A key we have not seen yet (rotation): refresh the JWKS once and retry.
      if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') {
        throw new InvalidTokenError((error as Error).message);
      }
      try {
        payload = (await jwtVerify(token, await keySet(true), options)).payload;
      } catch (retryError) {
        throw new InvalidTokenError((retryError as Error).message);
      }
    }
    const parsed = accessTokenClaims.safeParse(payload);
    if (!parsed.success) throw new InvalidTokenError('access token lacks the required claims');
    remember(token, parsed.data);
    return { ...parsed.data };
  };
}
