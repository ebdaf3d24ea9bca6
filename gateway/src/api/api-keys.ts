// API keys on the wire: recognising one in a request, resolving it to the claims the
// database reads, and caching that briefly. The database decides (a key's scope lives in
// private.authenticate_api_key() and the private.my_*_workspace_ids() policy helpers);
// this module only turns a presented secret into those claims.
//
// A key is "tm_" + 43 base64url characters (32 bytes). Only its sha256 is stored, so the
// lookup hashes what the client sent and finds the row by that hash.
//
// Cache: positive lookups only, for at most API_KEY_CACHE_MS (default 5 s) and never
// past the key's own expiry. That is the bound on how late a revocation (or the creator
// leaving the workspace) takes effect in a gateway process that has just seen the key.
// Unknown keys are never cached, so a key works the moment it is created.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Claims } from '../../../lib/db/as-user.ts';
import { ApiError } from './errors.ts';
import type { Caller } from './types.ts';

const API_KEY_PREFIX = 'tm_';
const API_KEY_SHAPE = /^tm_[A-Za-z0-9_-]{43}$/;
const MAX_CACHED_KEYS = 10_000;

/** Whether a credential is meant as an API key (the publishable key also starts with tm_). */
export function isApiKeyCredential(value: string, publishableKey: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value !== publishableKey;
}

/** The stored form of a key: sha256, hex (what public.create_api_key() stores). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

type ApiKeyScope = {
  apiKeyId: string;
  workspaceId: string;
  userId: string;
  role: 'read' | 'write';
};

/**
 * The claims a request made with a key runs under: the creator's identity, narrowed by
 * api_key_id/workspace_id/workspace_role (private.my_*_workspace_ids() read them).
 */
function claimsForApiKey(scope: ApiKeyScope): Claims {
  return {
    sub: scope.userId,
    role: 'authenticated',
    api_key_id: scope.apiKeyId,
    workspace_id: scope.workspaceId,
    workspace_role: scope.role,
  };
}

function invalidKey(): ApiError {
  // One message for malformed, unknown, revoked and expired keys: the answer must not
  // tell a guesser which keys exist.
  return new ApiError(401, 'PGRST301', 'The API key is invalid, expired or revoked', {
    hint: 'Create a new key in Settings → API keys.',
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

type Row = { api_key_id: string; workspace_id: string; user_id: string; role: 'read' | 'write'; expires_at: Date };

export type ApiKeyResolverOptions = {
  /** The owner connection: private.authenticate_api_key() is not callable by API roles. */
  pool: pg.Pool;
  /** How long a successful lookup is trusted, in ms (0: never cached). */
  cacheMs: number;
};

/** Resolves a presented key to a Caller, or throws a 401 ApiError. */
export function createApiKeyResolver({ pool, cacheMs }: ApiKeyResolverOptions) {
  const cache = new Map<string, { caller: Caller; until: number }>();

  return async function resolveApiKey(key: string): Promise<Caller> {
    if (!API_KEY_SHAPE.test(key)) throw invalidKey();
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.caller;
    if (hit) cache.delete(hash);

    const { rows } = await pool.query<Row>(
      'select api_key_id, workspace_id, user_id, role, expires_at from private.authenticate_api_key($1)',
      [hash],
    );
    const row = rows[0];
    if (!row) throw invalidKey();
    const scope: ApiKeyScope = {
      apiKeyId: row.api_key_id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      role: row.role,
    };
    const caller: Caller = Object.freeze({
      claims: Object.freeze(claimsForApiKey(scope)),
      via: 'api_key',
      apiKeyId: scope.apiKeyId,
    });
    if (cacheMs > 0) {
      // Oldest first out (Map keeps insertion order): a flood of distinct valid keys
      // cannot grow memory without bound.
      if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
      cache.set(hash, { caller, until: Math.min(now + cacheMs, row.expires_at.getTime()) });
    }
    return caller;
  };
}
