// Identity emails (queued by lib/auth/mail.ts, sent by the worker task auth__mail): email
// verification, password reset, magic-link sign-in, email change and lockout. Same frame
// and escaping as the notification emails (lib/mail/templates.ts) but transactional:
// there is NO unsubscribe link — a person cannot opt out of the link they just asked for
// or of being told their account was locked. Instead every email says why it was sent
// and what to do if it was not them.
//
// Links must point at this deployment (PUBLIC_URL's origin): a job row tampered with in
// the queue can never make us mail someone a link to another site.
import { z } from 'zod';
import { html } from './html.ts';
import { mailHead, type RenderedMail } from './templates.ts';

export type AuthRenderContext = {
  /** Public origin of the app: every link must be on it. */
  publicUrl: string;
};

function ownLink(publicUrl: string) {
  const origin = new URL(publicUrl).origin;
  return z
    .url()
    .max(4000)
    .refine((value) => new URL(value).origin === origin, 'must be a link to this site');
}

const name = z.string().max(200).optional();

function schemasFor(publicUrl: string) {
  const url = ownLink(publicUrl);
  return {
    verify_email: z.object({ url, name }),
    reset_password: z.object({ url, name }),
    magic_link: z.object({ url, name }),
    change_email: z.object({ url, name, newEmail: z.email().max(320).optional() }),
    lockout: z.object({ until: z.iso.datetime({ offset: true }), ip: z.string().max(100).nullish(), name }),
  } as const;
}

export const AUTH_TEMPLATES = ['verify_email', 'reset_password', 'magic_link', 'change_email', 'lockout'] as const;
export type AuthTemplateName = (typeof AUTH_TEMPLATES)[number];

type Content = {
  subject: string;
  heading: string;
  intro: string[];
  action?: { label: string; url: string };
  /** After the button: how long the link works. */
  expiry?: string;
  /** Why the email was sent (footer). */
  why: string;
  /** What to do if the person did not ask for it (footer). */
  notYou: string;
};

function formatUntil(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

type Schemas = ReturnType<typeof schemasFor>;
const builders: { [K in AuthTemplateName]: (d: z.infer<Schemas[K]>, ctx: AuthRenderContext) => Content } = {
  verify_email: (d) => ({
    subject: 'Confirm your email address',
    heading: 'Confirm your email address',
    intro: ['Confirm that this is your email address to finish setting up your TaskMaster account.'],
    action: { label: 'Confirm my email address', url: d.url },
    expiry: 'The link works once, for 24 hours.',
    why: 'someone created a TaskMaster account with this address, or asked for a new confirmation link',
    notYou: 'If you did not create an account, ignore this email: nothing happens unless the link is used.',
  }),
  reset_password: (d) => ({
    subject: 'Reset your TaskMaster password',
    heading: 'Reset your password',
    intro: [
      'Someone asked to reset the password of the TaskMaster account for this address. Choose a new password with the link below.',
      'Resetting the password signs you out everywhere else.',
    ],
    action: { label: 'Choose a new password', url: d.url },
    expiry: 'The link works once, for 30 minutes.',
    why: 'a password reset was requested for this address',
    notYou:
      'If it was not you, ignore this email: your password stays as it is. If you get these emails repeatedly, someone may be trying to get into your account.',
  }),
  magic_link: (d) => ({
    subject: 'Your TaskMaster sign-in link',
    heading: 'Sign in to TaskMaster',
    intro: ['Use the link below to sign in without your password.'],
    action: { label: 'Sign in to TaskMaster', url: d.url },
    expiry: 'The link works once, for 15 minutes. Do not forward this email: the link signs in whoever uses it.',
    why: 'a sign-in link was requested for this address',
    notYou: 'If it was not you, ignore this email: nobody can sign in without the link.',
  }),
  change_email: (d) => ({
    subject: 'Confirm your new email address',
    heading: 'Confirm your new email address',
    intro: [
      d.newEmail
        ? `Confirm that ${d.newEmail} should become the email address of your TaskMaster account.`
        : 'Confirm that this address should become the email address of your TaskMaster account.',
      'Until you do, you keep signing in with your current address.',
    ],
    action: { label: 'Confirm the new address', url: d.url },
    expiry: 'The link works once, for 24 hours.',
    why: 'someone asked to change the email address of a TaskMaster account to this one',
    notYou: 'If it was not you, ignore this email: the address is not changed unless the link is used.',
  }),
  lockout: (d) => ({
    subject: 'Your TaskMaster account is temporarily locked',
    heading: 'Too many failed sign-in attempts',
    intro: [
      `After repeated failed sign-in attempts${d.ip ? ` (the last one from ${d.ip})` : ''}, signing in to your account is paused until ${formatUntil(d.until)}.`,
      'If that was you, wait until then or reset your password. Your data is safe and nothing else changed.',
    ],
    why: 'repeated failed attempts were made to sign in to the TaskMaster account for this address',
    notYou:
      'If it was not you, someone may be guessing your password: reset it when the lock ends, and turn on two-factor authentication in your settings.',
  }),
};

function frame(content: Content, recipientName: string | undefined): RenderedMail {
  const greeting = recipientName ? `Hi ${recipientName},` : 'Hi,';
  const head = mailHead(content.heading);
  const { action } = content;
  const body = html`  <body>
    <div class="wrap" role="article" aria-roledescription="email" aria-label="${content.heading}">
      <div class="card">
        <p class="brand">TaskMaster</p>
        <h1>${content.heading}</h1>
        <p>${greeting}</p>
        ${content.intro.map((line) => html`<p>${line}</p>`)}
        ${
          action
            ? html`<p><a class="button" href="${action.url}">${action.label}</a></p>
                <p class="muted">Or copy this address into your browser: ${action.url}</p>`
            : ''
        }
        ${content.expiry ? html`<p class="muted">${content.expiry}</p>` : ''}
      </div>
      <div class="footer">
        <p>You are receiving this email because ${content.why}.</p>
        <p>${content.notYou}</p>
      </div>
    </div>
  </body>
</html>
`;
  const text = [
    content.heading,
    '',
    greeting,
    '',
    ...content.intro.flatMap((line) => [line, '']),
    ...(action ? [`${action.label}: ${action.url}`, ''] : []),
    ...(content.expiry ? [content.expiry, ''] : []),
    '-- ',
    `You are receiving this email because ${content.why}.`,
    content.notYou,
    '',
  ].join('\n');
  return { subject: content.subject, html: head + body.value, text };
}

export function isAuthTemplateName(value: string): value is AuthTemplateName {
  return (AUTH_TEMPLATES as readonly string[]).includes(value);
}

/** Renders one identity email; throws (naming the field) when `data` does not fit the template. */
export function renderAuthMail(template: string, data: unknown, ctx: AuthRenderContext): RenderedMail {
  if (!isAuthTemplateName(template)) throw new Error(`unknown auth mail template ${JSON.stringify(template)}`);
  const parsed = schemasFor(ctx.publicUrl)[template].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `auth mail data for ${template}: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const build = builders[template] as (d: unknown, c: AuthRenderContext) => Content;
  const content = build(parsed.data, ctx);
  return frame(content, (parsed.data as { name?: string }).name);
}
