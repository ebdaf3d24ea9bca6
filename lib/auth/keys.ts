// Signing-key rotation for the access JWTs (docs/adr: key rotation and refresh-token families).
//
// Better Auth's jwt plugin signs with the newest live key (identity.jwks: created_at,
// expires_at) and lists in /auth/jwks every key not past expires_at + gracePeriod. A
// rotation here is three rows of state, never a hole in verification:
//   1. the new key is inserted with created_at = now + JWT_KEY_PUBLISH_LEAD_SECONDS: it is in
//      the JWKS at once (verifiers fetch it), but the signing adapter below ignores keys whose
//      created_at is in the future, so no token carries its kid yet;
//   2. the key signing today gets expires_at = that same instant: it signs until the new key
//      takes over, then stays in the JWKS for gracePeriod = ACCESS_TOKEN_TTL + clock skew,
//      long enough for every token it signed to expire;
//   3. keys past expires_at + gracePeriod are deleted.
import { createJwk } from 'better-auth/plugins/jwt';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { recordAudit } from './audit.ts';

/** The JWKS endpoint's path under /auth (Better Auth's default). */
const JWKS_PATH = '/jwks';

export const KEY_PAIR = { alg: 'EdDSA', crv: 'Ed25519' } as const;

type StoredKey = { id: string; createdAt: Date; expiresAt?: Date | null; publicKey: string; privateKey: string };
type AdapterContext = {
  path?: string;
  context: { adapter: { findMany: (q: { model: string }) => Promise<unknown[]> } };
};

/** Seconds a retired key stays published after it stopped signing. */
export function keyGraceSeconds(config: Pick<Config, 'ACCESS_TOKEN_TTL_SECONDS' | 'JWT_CLOCK_SKEW_SECONDS'>): number {
  return config.ACCESS_TOKEN_TTL_SECONDS + config.JWT_CLOCK_SKEW_SECONDS;
}

/**
 * The jwt plugin's `jwks` and `adapter` options. One getJwks serves both the plugin's
 * JWKS listing and its signing-key choice, so it tells them apart by the endpoint: the
 * listing sees every key (published ahead), signing sees only keys whose time has come.
 */
export function signingKeyOptions(config: Pick<Config, 'ACCESS_TOKEN_TTL_SECONDS' | 'JWT_CLOCK_SKEW_SECONDS'>) {
  return {
    jwks: { keyPairConfig: KEY_PAIR, gracePeriod: keyGraceSeconds(config) },
    adapter: {
      getJwks: async (ctx: unknown) => {
        const c = ctx as AdapterContext;
        const keys = (await c.context.adapter.findMany({ model: 'jwks' })) as StoredKey[];
        if (c.path === JWKS_PATH) return keys as never;
        const now = Date.now();
        return keys.filter((k) => new Date(k.createdAt).getTime() <= now) as never;
      },
    },
  };
}

export type RotationResult = {
  /** The new key's kid; null when a rotation was already pending (nothing new created). */
  newKid: string | null;
  /** When the new (or pending) key starts signing. */
  signsFrom: Date;
  /** Keys that will stop signing at signsFrom. */
  retiring: string[];
  /** Keys deleted because every token they signed has expired. */
  deleted: string[];
};

export type RotateOptions = {
  db: Kysely<unknown>;
  /** The Better Auth instance (its context holds the secret that encrypts private keys). */
  auth: { $context: Promise<unknown> };
  config: Pick<Config, 'ACCESS_TOKEN_TTL_SECONDS' | 'JWT_CLOCK_SKEW_SECONDS' | 'JWT_KEY_PUBLISH_LEAD_SECONDS'>;
  /** Who asked: recorded in the audit (cli, schedule). */
  source: string;
  /**
   * A signing key is compromised: every existing key is deleted and the new one signs at
   * once. Tokens signed before stop verifying as soon as verifiers refetch the JWKS (the
   * gateway within its 60 s cache); people holding them get a new one from their session.
   */
  emergency?: boolean;
};

/**
 * Publishes a new signing key that takes over after the publish lead, retires the current
 * one at that instant and deletes keys past their grace. Serialised by an advisory lock;
 * a second call while a key is still pending creates nothing (it only deletes old keys).
 */
export async function rotateSigningKeys({
  db,
  auth,
  config,
  source,
  emergency = false,
}: RotateOptions): Promise<RotationResult> {
  const grace = keyGraceSeconds(config);
  const lead = config.JWT_KEY_PUBLISH_LEAD_SECONDS;
  const context = (await auth.$context) as object;
  const result = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('identity.jwks rotation'))`.execute(trx);
    const deleted = await sql<{ id: string }>`
      delete from identity.jwks
       where ${emergency} or (expires_at is not null and expires_at + make_interval(secs => ${grace}) <= now())
       returning id`.execute(trx);
    const pending = await sql<{ id: string; created_at: Date }>`
      select id, created_at from identity.jwks where created_at > now() order by created_at desc limit 1`.execute(trx);
    const live = await sql<{ id: string }>`
      select id from identity.jwks
       where created_at <= now() and (expires_at is null or expires_at > now())`.execute(trx);
    if (pending.rows[0]) {
      return {
        newKid: null,
        signsFrom: pending.rows[0].created_at,
        retiring: live.rows.map((r) => r.id),
        deleted: deleted.rows.map((r) => r.id),
      };
    }
    // No key signs yet (a fresh database): the first key has nothing to overlap with.
    const startsAfter = live.rows.length > 0 ? lead : 0;
    const { rows } = await sql<{ signs_from: Date }>`
      select now() + make_interval(secs => ${startsAfter}) as signs_from`.execute(trx);
    const signsFrom = rows[0]!.signs_from;
    const created = (await createJwk({ context } as never, {
      jwks: { keyPairConfig: KEY_PAIR },
      adapter: {
        createJwk: async (data) => {
          const inserted = await sql<{ id: string }>`
            insert into identity.jwks (public_key, private_key, created_at, alg, crv)
            values (${data.publicKey}, ${data.privateKey}, ${signsFrom}, ${data.alg ?? null}, ${data.crv ?? null})
            returning id`.execute(trx);
          return { ...data, id: inserted.rows[0]!.id, createdAt: signsFrom };
        },
      },
    })) as { id: string };
    if (live.rows.length > 0) {
      await sql`update identity.jwks set expires_at = ${signsFrom}
                 where id in (${sql.join(live.rows.map((r) => r.id))})`.execute(trx);
    }
    return {
      newKid: created.id,
      signsFrom,
      retiring: live.rows.map((r) => r.id),
      deleted: deleted.rows.map((r) => r.id),
    };
  });
  await recordAudit(db, {
    event: 'keys.rotated',
    outcome: 'success',
    reason: emergency ? 'emergency' : result.newKid ? null : 'rotation_already_pending',
    data: {
      source,
      new_kid: result.newKid,
      signs_from: result.signsFrom.toISOString(),
      retiring: result.retiring,
      deleted: result.deleted,
    },
  });
  return result;
}
