// Identity: Better Auth with its tables in the `identity` schema (uuid ids, snake_case).
// The personal workspace of a new user is created by a trigger on identity.users
// (supabase/migrations/*_identity-personal-workspace.sql), so it commits or rolls back
// with the user row itself: there is never a user without a workspace.
import { passkey } from '@better-auth/passkey';
import { betterAuth } from 'better-auth';
import { genericOAuth, jwt, magicLink, twoFactor } from 'better-auth/plugins';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { log } from '../logger.ts';
import { aalOf } from './assurance.ts';
import { sendAuthMail } from './mail.ts';
import { oauthPolicy, oidcProviders, socialProviders } from './oauth.ts';
import { passkeyAssurance } from './passkeys.ts';

export const ACCESS_TOKEN_AUDIENCE = 'authenticated';

export type AuthDeps = {
  config: Config;
  db: Kysely<unknown>;
};

/** Better Auth names columns in camelCase; ours are snake_case like every other table. */
function snake<const K extends string>(...fields: K[]): Record<K, string> {
  return Object.fromEntries(fields.map((f) => [f, f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])) as Record<
    K,
    string
  >;
}

const TIMESTAMPS = ['createdAt', 'updatedAt'] as const;

export function authOptions({ config, db }: AuthDeps) {
  const secure = config.isProduction || config.PUBLIC_URL.startsWith('https://');
  const publicUrl = new URL(config.PUBLIC_URL);
  return {
    appName: 'TaskMaster',
    baseURL: config.PUBLIC_URL,
    basePath: '/auth',
    secret: config.BETTER_AUTH_SECRET,
    database: { db, type: 'postgres' as const, casing: 'snake' as const, transaction: true, schemaName: 'identity' },
    telemetry: { enabled: false },
    logger: {
      log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) =>
        log()[level]({ component: 'auth' }, message),
    },
    user: { modelName: 'users', fields: snake('emailVerified', ...TIMESTAMPS) },
    session: {
      modelName: 'sessions',
      fields: snake('expiresAt', 'ipAddress', 'userAgent', 'userId', ...TIMESTAMPS),
      // Assurance level of the session (lib/auth/assurance.ts): aal2 once a second factor
      // (TOTP, backup code, passkey) was verified in it; second_factor_at says when, for
      // step-up ("a fresh second factor") checks.
      additionalFields: {
        aal: { type: 'string' as const, required: true, defaultValue: 'aal1', input: false },
        secondFactorAt: { type: 'date' as const, required: false, input: false, fieldName: 'second_factor_at' },
      },
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
    },
    account: {
      modelName: 'accounts',
      fields: snake(
        'accountId',
        'providerId',
        'userId',
        'accessToken',
        'refreshToken',
        'idToken',
        'accessTokenExpiresAt',
        'refreshTokenExpiresAt',
        ...TIMESTAMPS,
      ),
    },
    verification: { modelName: 'verifications', fields: snake('expiresAt', ...TIMESTAMPS) },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      autoSignIn: true,
    },
    advanced: {
      database: { generateId: 'uuid' as const },
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' as const, secure },
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
    },
    rateLimit: { enabled: false },
    socialProviders: socialProviders(config),
    plugins: [
      twoFactor({
        issuer: 'TaskMaster',
        schema: {
          user: { fields: snake('twoFactorEnabled') },
          twoFactor: {
            modelName: 'two_factors',
            fields: snake('backupCodes', 'userId', 'failedVerificationCount', 'lockedUntil'),
          },
        },
      }),
      passkey({
        rpID: publicUrl.hostname,
        rpName: 'TaskMaster',
        origin: publicUrl.origin,
        // Discoverable credentials (sign in without typing an email) that check a PIN or biometric.
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        schema: {
          passkey: {
            modelName: 'passkeys',
            fields: {
              ...snake('publicKey', 'userId', 'deviceType', 'backedUp', 'createdAt'),
              credentialID: 'credential_id',
            },
          },
        },
      }),
      passkeyAssurance({ db }),
      magicLink({
        expiresIn: 15 * 60,
        allowedAttempts: 1,
        disableSignUp: true,
        storeToken: 'hashed',
        sendMagicLink: ({ email, url }) => sendAuthMail(db, { template: 'magic_link', to: email, data: { url } }),
      }),
      genericOAuth({ config: oidcProviders(config) }),
      oauthPolicy({ config, db }),
      jwt({
        schema: { jwks: { fields: snake('publicKey', 'privateKey', 'createdAt', 'expiresAt') } },
        jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } },
        jwt: {
          issuer: config.PUBLIC_URL,
          audience: ACCESS_TOKEN_AUDIENCE,
          expirationTime: `${config.ACCESS_TOKEN_TTL_SECONDS}s`,
          // Supabase's claim shape, so auth.uid() and auth.role() read the same everywhere.
          definePayload: ({ user, session }) => ({
            role: 'authenticated',
            email: user.email,
            session_id: session.id,
            aal: aalOf(session),
          }),
        },
      }),
    ],
  };
}

export function createAuth(deps: AuthDeps) {
  return betterAuth(authOptions(deps));
}

export type Auth = ReturnType<typeof createAuth>;
