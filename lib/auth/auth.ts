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
import { abuseProtection } from './abuse-plugin.ts';
import { accountDeletion } from './account-deletion.ts';
import { aalOf } from './assurance.ts';
import { signingKeyOptions } from './keys.ts';
import { auditTrail } from './audit-plugin.ts';
import { cookieOptions } from './cookies.ts';
import { csrfGuard } from './csrf-plugin.ts';
import { passwordPolicy } from './password-policy-plugin.ts';
import {
  changeEmailOptions,
  emailVerificationOptions,
  magicLinkSender,
  passwordResetOptions,
  singleUseEmailLinks,
} from './email-flows.ts';
import { oauthPolicy, oidcProviders, socialProviders } from './oauth.ts';
import { passkeyAssurance } from './passkeys.ts';
import { refreshTokens } from './refresh-tokens.ts';
import { sessionLifetimes, sessionPolicy } from './sessions.ts';
import { hashedBackupCodes, mfaPlugin } from './mfa.ts';
import { stepUpPlugin } from './step-up.ts';

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
    user: {
      modelName: 'users',
      fields: snake('emailVerified', ...TIMESTAMPS),
      changeEmail: changeEmailOptions,
      deleteUser: accountDeletion({ db, erasureDelayDays: config.ACCOUNT_ERASURE_DELAY_DAYS }),
    },
    emailVerification: emailVerificationOptions({ config, db }),
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
      ...sessionLifetimes(config),
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
      ...passwordResetOptions({ config, db }),
    },
    advanced: {
      database: { generateId: 'uuid' as const },
      // Cookie names and attributes (HttpOnly, SameSite=Lax, Secure, __Host-): lib/auth/cookies.ts.
      ...cookieOptions(config),
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
    },
    rateLimit: { enabled: false },
    socialProviders: socialProviders(config),
    plugins: [
      csrfGuard({ publicOrigin: publicUrl.origin }),
      abuseProtection({ config, db }),
      passwordPolicy(),
      twoFactor({
        issuer: 'TaskMaster',
        backupCodeOptions: hashedBackupCodes(config.BETTER_AUTH_SECRET),
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
        sendMagicLink: magicLinkSender({ config, db }),
      }),
      singleUseEmailLinks({ config, db }),
      genericOAuth({ config: oidcProviders(config) }),
      oauthPolicy({ config, db }),
      sessionPolicy({ config, db }),
      refreshTokens({ config, db }),
      mfaPlugin({ db, secret: config.BETTER_AUTH_SECRET }),
      stepUpPlugin({ db }),
      jwt({
        schema: { jwks: { fields: snake('publicKey', 'privateKey', 'createdAt', 'expiresAt') } },
        ...signingKeyOptions(config),
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
      // Last: its after-hooks must see what the plugins above made of each answer (e.g. the
      // two-factor plugin turning a password sign-in into a pending second factor).
      auditTrail({ db }),
    ],
  };
}

export function createAuth(deps: AuthDeps) {
  return betterAuth(authOptions(deps));
}

export type Auth = ReturnType<typeof createAuth>;
