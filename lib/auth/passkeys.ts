// Passkeys as a strong factor (docs/adr/0017-passkeys-as-a-second-factor.md). Better
// Auth's passkey plugin signs people in and manages credentials; this small plugin adds
// what TaskMaster needs around it:
// - user verification is required (the plugin itself verifies with it optional), so a
//   passkey proves possession *and* a PIN/biometric: two factors in one gesture;
// - a passkey sign-in therefore starts an aal2 session (markSecondFactor);
// - step-up with a passkey for a signed-in person: /passkey/step-up/options and
//   /passkey/step-up/verify check an assertion against that person's own passkeys and
//   mark the *current* session (the plugin's verify-authentication would start a new one);
// - audit events the general mapping (audit plugin) cannot see: passkey.renamed, a sign-in
//   refused for lack of user verification (refused before any after-hook runs), and
//   mfa.challenge for the step-up endpoints; sign-in, added and removed are mapped there.
import { createAuthEndpoint, createAuthMiddleware, isAPIError, sessionMiddleware } from 'better-auth/api';
import { APIError } from '@better-auth/core/error';
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { markSecondFactor } from './assurance.ts';
import { recordAudit, requestMeta } from './audit.ts';

export const PASSKEY_UV_REQUIRED = 'PASSKEY_USER_VERIFICATION_REQUIRED';
export const PASSKEY_STEP_UP_FAILED = 'PASSKEY_STEP_UP_FAILED';

/** How long a step-up challenge stays valid (the same as the plugin's challenges). */
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const STEP_UP_PREFIX = 'passkey-step-up-';
/** Better Auth's two-factor plugin keeps a pending password sign-in in this cookie. */
const TWO_FACTOR_COOKIE = 'two_factor';

// Authenticator data flags (WebAuthn §6.1): bit 0 user present, bit 2 user verified.
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;

/** True when the assertion's authenticator data says the user was present and verified. */
export function assertionIsUserVerified(response: unknown): boolean {
  const data = (response as { response?: { authenticatorData?: unknown } } | null)?.response?.authenticatorData;
  if (typeof data !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(data)) return false;
  const bytes = Buffer.from(data, 'base64url');
  // 32 bytes of RP id hash, then the flags byte, then a 4-byte counter.
  if (bytes.length < 37) return false;
  const flags = bytes[32]!;
  return (flags & (FLAG_UP | FLAG_UV)) === (FLAG_UP | FLAG_UV);
}

/**
 * For a registration: false when the attestation's authenticator data lacks UP or UV, null
 * when it cannot be read (Better Auth's verification refuses those anyway).
 */
export function registrationIsUserVerified(response: unknown): boolean | null {
  const data = (response as { response?: { attestationObject?: unknown } } | null)?.response?.attestationObject;
  if (typeof data !== 'string' || data.length > 65_536 || !/^[A-Za-z0-9_-]+={0,2}$/.test(data)) return null;
  try {
    const authData = decodeAttestationObject(new Uint8Array(Buffer.from(data, 'base64url'))).get('authData');
    if (!(authData instanceof Uint8Array) || authData.length < 37) return null;
    return (authData[32]! & (FLAG_UP | FLAG_UV)) === (FLAG_UP | FLAG_UV);
  } catch {
    return null;
  }
}

const assertionSchema = z.object({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: z.string().min(1).max(8192),
    authenticatorData: z.string().min(1).max(8192),
    signature: z.string().min(1).max(1024),
    userHandle: z.string().max(1024).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
});
const stepUpBodySchema = z.object({ response: assertionSchema });

type StoredPasskey = {
  id: string;
  userId: string;
  credentialID: string;
  publicKey: string;
  counter: number;
  transports?: string | null;
};

type HookCtx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

function returnedError(ctx: HookCtx): string | null {
  const returned = ctx.context.returned;
  if (!isAPIError(returned)) return null;
  const code = (returned.body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : returned.status.toString();
}

/** The account of a password sign-in waiting for its second factor (two-factor plugin), if any. */
async function pendingTwoFactorUser(ctx: HookCtx): Promise<string | null> {
  const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE);
  const identifier = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
  if (!identifier) return null;
  const pending = await ctx.context.internalAdapter.findVerificationValue(identifier);
  if (!pending || pending.expiresAt < new Date()) return null;
  return pending.value;
}

function rpOf(options: { baseURL?: unknown }): { rpID: string; origin: string } {
  const url = new URL(typeof options.baseURL === 'string' ? options.baseURL : 'http://localhost');
  return { rpID: url.hostname, origin: url.origin };
}

export type PasskeyAssuranceOptions = { db: Kysely<unknown> };

export function passkeyAssurance({ db }: PasskeyAssuranceOptions) {
  return {
    id: 'passkey-assurance',
    endpoints: {
      passkeyStepUpOptions: createAuthEndpoint(
        '/passkey/step-up/options',
        { method: 'GET', use: [sessionMiddleware] },
        async (ctx) => {
          const { session, user } = ctx.context.session;
          const passkeys = await ctx.context.adapter.findMany<StoredPasskey>({
            model: 'passkey',
            where: [{ field: 'userId', value: user.id }],
          });
          if (passkeys.length === 0) {
            throw new APIError('BAD_REQUEST', { code: 'NO_PASSKEY', message: 'This account has no passkey yet.' });
          }
          const options = await generateAuthenticationOptions({
            rpID: rpOf(ctx.context.options).rpID,
            userVerification: 'required',
            allowCredentials: passkeys.map((p) => ({
              id: p.credentialID,
              ...(p.transports
                ? {
                    transports: p.transports.split(',') as NonNullable<
                      Parameters<typeof generateAuthenticationOptions>[0]['allowCredentials']
                    >[number]['transports'],
                  }
                : {}),
            })),
          });
          const identifier = `${STEP_UP_PREFIX}${session.id}`;
          await ctx.context.internalAdapter.deleteVerificationByIdentifier(identifier);
          await ctx.context.internalAdapter.createVerificationValue({
            identifier,
            value: options.challenge,
            expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
          });
          return ctx.json(options);
        },
      ),
      passkeyStepUpVerify: createAuthEndpoint(
        '/passkey/step-up/verify',
        { method: 'POST', use: [sessionMiddleware], body: stepUpBodySchema },
        async (ctx) => {
          const { session, user } = ctx.context.session;
          const meta = requestMeta(ctx);
          const refuse = async (reason: string): Promise<never> => {
            await recordAudit(db, {
              event: 'mfa.challenge',
              outcome: 'failure',
              actorId: user.id,
              subjectId: user.id,
              reason,
              data: { method: 'passkey', purpose: 'step_up' },
              ...meta,
            });
            throw new APIError('UNAUTHORIZED', {
              code: PASSKEY_STEP_UP_FAILED,
              message: 'That passkey could not be verified for this account.',
            });
          };
          const challenge = await ctx.context.internalAdapter.consumeVerificationValue(
            `${STEP_UP_PREFIX}${session.id}`,
          );
          if (!challenge || challenge.expiresAt < new Date()) return refuse('challenge_missing');
          const response = ctx.body.response;
          if (!assertionIsUserVerified(response)) return refuse('user_not_verified');
          const passkey = await ctx.context.adapter.findOne<StoredPasskey>({
            model: 'passkey',
            where: [
              { field: 'credentialID', value: response.id },
              { field: 'userId', value: user.id },
            ],
          });
          if (!passkey) return refuse('unknown_passkey');
          const { rpID, origin } = rpOf(ctx.context.options);
          let verified: boolean;
          let newCounter = passkey.counter;
          try {
            const result = await verifyAuthenticationResponse({
              response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
              expectedChallenge: challenge.value,
              expectedOrigin: origin,
              expectedRPID: rpID,
              credential: {
                id: passkey.credentialID,
                publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64')),
                counter: passkey.counter,
              },
              requireUserVerification: true,
            });
            verified = result.verified;
            newCounter = result.authenticationInfo.newCounter;
          } catch {
            verified = false;
          }
          if (!verified) return refuse('assertion_invalid');
          await ctx.context.adapter.update({
            model: 'passkey',
            where: [{ field: 'id', value: passkey.id }],
            update: { counter: newCounter },
          });
          await markSecondFactor(db, session.id);
          await recordAudit(db, {
            event: 'mfa.challenge',
            outcome: 'success',
            actorId: user.id,
            subjectId: user.id,
            data: { method: 'passkey', purpose: 'step_up', passkey_id: passkey.id },
            ...meta,
          });
          return ctx.json({ status: true, aal: 'aal2' });
        },
      ),
    },
    hooks: {
      before: [
        {
          // Registration asks for user verification; a response without it (an old
          // security key without a PIN, or a scripted client) is not a strong factor.
          matcher: (ctx: { path?: string }) => ctx.path === '/passkey/verify-registration',
          handler: createAuthMiddleware(async (ctx) => {
            const response = (ctx.body as { response?: unknown } | undefined)?.response;
            if (registrationIsUserVerified(response) !== false) return;
            throw new APIError('BAD_REQUEST', {
              code: PASSKEY_UV_REQUIRED,
              message: 'Your passkey must check your PIN, fingerprint or face. Turn that on and try again.',
            });
          }),
        },
        {
          // The plugin verifies assertions with user verification optional; a passkey is
          // only a strong factor when the authenticator checked a PIN or biometric.
          matcher: (ctx: { path?: string }) => ctx.path === '/passkey/verify-authentication',
          handler: createAuthMiddleware(async (ctx) => {
            const response = (ctx.body as { response?: unknown } | undefined)?.response;
            if (assertionIsUserVerified(response)) return;
            // The owner of the credential (if it is one of ours) sees the attempt in their history.
            const credentialId = (response as { id?: unknown } | undefined)?.id;
            const owner =
              typeof credentialId === 'string' && credentialId.length <= 1024
                ? await ctx.context.adapter.findOne<StoredPasskey>({
                    model: 'passkey',
                    where: [{ field: 'credentialID', value: credentialId }],
                  })
                : null;
            await recordAudit(db, {
              event: 'auth.sign_in',
              outcome: 'failure',
              subjectId: owner?.userId ?? null,
              reason: 'user_not_verified',
              data: { method: 'passkey' },
              ...requestMeta(ctx),
            });
            throw new APIError('UNAUTHORIZED', {
              code: PASSKEY_UV_REQUIRED,
              message: 'Your passkey must check your PIN, fingerprint or face to sign you in.',
            });
          }),
        },
      ],
      after: [
        {
          // Ask the browser for user verification up front (the plugin asks "preferred").
          matcher: (ctx: { path?: string }) => ctx.path === '/passkey/generate-authenticate-options',
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned;
            if (!returned || isAPIError(returned) || typeof returned !== 'object') return;
            const options: Record<string, unknown> = {
              ...(returned as Record<string, unknown>),
              userVerification: 'required',
            };
            // Finishing a password sign-in that waits for its second factor: offer only the
            // passkeys of that account.
            const pendingUserId = await pendingTwoFactorUser(ctx);
            if (pendingUserId && !options.allowCredentials) {
              const passkeys = await ctx.context.adapter.findMany<StoredPasskey>({
                model: 'passkey',
                where: [{ field: 'userId', value: pendingUserId }],
              });
              options.allowCredentials = passkeys.map((p) => ({
                id: p.credentialID,
                type: 'public-key',
                ...(p.transports ? { transports: p.transports.split(',') } : {}),
              }));
            }
            return ctx.json(options);
          }),
        },
        {
          matcher: (ctx: { path?: string }) => ctx.path === '/passkey/verify-authentication',
          handler: createAuthMiddleware(async (ctx) => {
            // Success and failure of the sign-in itself are audited by the audit mapping
            // plugin (auth.sign_in, method passkey), like every Better Auth endpoint.
            const created = ctx.context.newSession;
            if (returnedError(ctx) || !created) return;
            // Possession of the key plus the authenticator's own user verification: aal2.
            await markSecondFactor(db, created.session.id);
            // A password sign-in waiting for its second factor is finished by this one: its
            // challenge is used up and its cookie cleared.
            const pending = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE);
            const pendingId = await ctx.getSignedCookie(pending.name, ctx.context.secret);
            if (pendingId) {
              await ctx.context.internalAdapter.consumeVerificationValue(pendingId).catch(() => null);
              ctx.setCookie(pending.name, '', { ...pending.attributes, maxAge: 0 });
            }
            const returned = ctx.context.returned as { session?: Record<string, unknown> } | undefined;
            if (returned?.session) {
              return ctx.json({
                ...returned,
                session: { ...returned.session, aal: 'aal2', secondFactorAt: new Date() },
              });
            }
          }),
        },
        {
          // passkey.added and passkey.removed are in the audit mapping plugin; renaming is not.
          matcher: (ctx: { path?: string }) => ctx.path === '/passkey/update-passkey',
          handler: createAuthMiddleware(async (ctx) => {
            const userId = ctx.context.session?.user.id ?? null;
            const failure = returnedError(ctx);
            const passkeyId = (ctx.body as { id?: unknown } | undefined)?.id;
            await recordAudit(db, {
              event: 'passkey.renamed',
              outcome: failure ? 'failure' : 'success',
              actorId: userId,
              subjectId: userId,
              reason: failure,
              data: typeof passkeyId === 'string' ? { passkey_id: passkeyId } : {},
              ...requestMeta(ctx),
            });
          }),
        },
      ],
    },
  };
}
