// The email flows of identity: verification on sign-up, password reset, email change and
// magic-link sign-in. Better Auth does the work (tokens, expiry, sessions); this module
// says where the emails go and which page each link opens, and adds what Better Auth
// lacks: a verification link that works ONCE (its tokens are stateless JWTs, valid until
// they expire — see singleUseEmailLinks below).
//
// Every link opens a page of the app, not a GET endpoint of /auth: the page asks the
// person to press a button (a POST), so a mail scanner that prefetches links cannot use
// up — or worse, use — a sign-in link (docs/adr, "A: email links land on a page").
import { createHash } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { jwtVerify } from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { sendAuthMail } from './mail.ts';

export type EmailFlowDeps = { config: Config; db: Kysely<unknown> };

/** Lifetimes, in seconds (the issue: verification expires, reset 30 min, magic link 15 min). */
export const EMAIL_VERIFICATION_TTL = 24 * 60 * 60;
export const PASSWORD_RESET_TTL = 30 * 60;
export const MAGIC_LINK_TTL = 15 * 60;

/** The app pages the links open (app/src/routes/(auth)/…). */
export const LINK_PAGES = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  magicLink: '/sign-in/magic-link/verify',
} as const;

export function pageLink(publicUrl: string, page: string, token: string): string {
  const url = new URL(page, publicUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

type MailUser = { email: string; name?: string | null };

function nameOf(user: { name?: string | null }): { name?: string } {
  return user.name ? { name: user.name.slice(0, 200) } : {};
}

/** A change-email token carries `updateTo` (the new address); a sign-up one does not. */
function isChangeEmailToken(token: string): boolean {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      updateTo?: unknown;
    };
    return typeof payload.updateTo === 'string';
  } catch {
    return false;
  }
}

/** Better Auth `emailVerification`: sent on sign-up, 24 h, signs the person in when used. */
export function emailVerificationOptions({ config, db }: EmailFlowDeps) {
  return {
    sendOnSignUp: true,
    autoSignInAfterVerification: true,
    expiresIn: EMAIL_VERIFICATION_TTL,
    sendVerificationEmail: async ({ user, token }: { user: MailUser; url: string; token: string }) => {
      const url = pageLink(config.PUBLIC_URL, LINK_PAGES.verifyEmail, token);
      if (isChangeEmailToken(token)) {
        await sendAuthMail(db, {
          template: 'change_email',
          to: user.email,
          data: { url, newEmail: user.email, ...nameOf(user) },
        });
      } else {
        await sendAuthMail(db, { template: 'verify_email', to: user.email, data: { url, ...nameOf(user) } });
      }
    },
  };
}

/** Additions to `emailAndPassword`: reset by email, 30 min, single use, signs out everywhere. */
export function passwordResetOptions({ config, db }: EmailFlowDeps) {
  return {
    requireEmailVerification: false,
    resetPasswordTokenExpiresIn: PASSWORD_RESET_TTL,
    revokeSessionsOnPasswordReset: true,
    sendResetPassword: async ({ user, token }: { user: MailUser; url: string; token: string }) => {
      const url = pageLink(config.PUBLIC_URL, LINK_PAGES.resetPassword, token);
      await sendAuthMail(db, { template: 'reset_password', to: user.email, data: { url, ...nameOf(user) } });
    },
  };
}

/** `user.changeEmail`: the new address gets a link; the email changes only when it is used. */
export const changeEmailOptions = { enabled: true } as const;

/**
 * The magic-link plugin's sender. Sign-up by magic link is off, so a link is only mailed
 * to an address that has an account; the request's answer is the same either way.
 */
export function magicLinkSender({ config, db }: EmailFlowDeps) {
  return async ({ email, token }: { email: string; url: string; token: string }) => {
    const { rows } = await sql<{
      name: string;
    }>`select name from identity.users where email = ${email.toLowerCase()}`.execute(db);
    const user = rows[0];
    if (!user) return;
    const url = pageLink(config.PUBLIC_URL, LINK_PAGES.magicLink, token);
    await sendAuthMail(db, { template: 'magic_link', to: email, data: { url, ...nameOf(user) } });
  };
}

export const EMAIL_LINK_USED = 'EMAIL_LINK_ALREADY_USED';

/** A uuid-shaped key for a token (so the primary key of identity.verifications gates reuse). */
function tombstoneId(token: string): string {
  const hex = createHash('sha256').update(`used-email-link:${token}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Makes verification and change-email links single use. Better Auth's tokens for these are
 * signed JWTs that stay valid until they expire; a used one could confirm an email change
 * again after the person changed it back, or sign someone in a second time. Before
 * /verify-email runs, a tombstone keyed by the token's hash is inserted into
 * identity.verifications (first writer wins on the primary key, so two concurrent uses
 * cannot both pass); a second use is refused with EMAIL_LINK_ALREADY_USED. Tokens that do
 * not verify are left to Better Auth, which answers INVALID_TOKEN / TOKEN_EXPIRED. The
 * tombstone expires with the token and identity__purge_expired deletes it.
 */
export function singleUseEmailLinks({ config, db }: EmailFlowDeps): BetterAuthPlugin {
  const secret = new TextEncoder().encode(config.BETTER_AUTH_SECRET);
  return {
    id: 'taskmaster-single-use-email-links',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === '/verify-email',
          handler: createAuthMiddleware(async (ctx) => {
            const query = ctx.query as Record<string, unknown> | undefined;
            const token = typeof query?.token === 'string' ? query.token : '';
            if (!token) return;
            let exp: number;
            try {
              const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
              exp = payload.exp ?? Math.floor(Date.now() / 1000) + EMAIL_VERIFICATION_TTL;
            } catch {
              return;
            }
            const { rows } = await sql<{ id: string }>`
              insert into identity.verifications (id, identifier, value, expires_at)
              values (${tombstoneId(token)}::uuid, 'used-email-link', 'used', to_timestamp(${exp}))
              on conflict (id) do nothing
              returning id`.execute(db);
            if (rows.length === 0) {
              throw APIError.from('BAD_REQUEST', { code: EMAIL_LINK_USED, message: 'This link was already used.' });
            }
          }),
        },
      ],
    },
  };
}
