// The email of each notification kind, as HTML and plain text. Every email has the same
// frame: a heading (the notification's title), the kind's content, one clear action, and
// a footer that says why it was sent with the one-click unsubscribe link and the settings
// link. The HTML is one column of plain text and links: no images (nothing is lost when a
// client blocks them), `lang` and a real <title>, link text that says where it goes, and
// colours with at least 4.5:1 contrast. Values are escaped by `html` (lib/mail/html.ts).
//
// `data` comes from private.outgoing_mail (private.notify adds title, body, url,
// workspace_id, subject_id to what the producer passed) and is validated per template:
// a malformed row fails the job with a message naming the field instead of sending
// something broken.
import { z } from 'zod';
import { escapeHtml, html, type SafeHtml } from './html.ts';

export type RenderContext = {
  /** Public origin of the app: every link in an email is absolute. */
  publicUrl: string;
  /** The one-click unsubscribe link for this person and kind. */
  unsubscribeUrl: string;
  /** The recipient's display name (may be empty). */
  recipientName: string;
};

export type RenderedMail = { subject: string; html: string; text: string };

// Not "//host" nor "/\host": URL parsing reads a backslash as a slash, so both leave the site.
const inAppPath = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])/, 'must be an in-app path');

const base = z.object({
  title: z.string().min(1).max(300),
  body: z.string().max(2000).default(''),
  url: inAppPath.nullish(),
});

const digestItem = z.object({
  title: z.string().max(500),
  due_date: z.iso.date(),
  due_time: z
    .string()
    .regex(/^\d{2}:\d{2}/)
    .nullish(),
  workspace_name: z.string().max(200).nullish(),
});

const schemas = {
  reminder: base.extend({
    task_title: z.string().max(500).optional(),
    due_at: z.iso.datetime({ offset: true }).nullish(),
    time_zone: z.string().max(100).nullish(),
  }),
  task_activity: base.extend({
    actor_name: z.string().max(200).optional(),
    task_title: z.string().max(500).optional(),
    action: z.enum(['created', 'completed', 'updated']).optional(),
    workspace_name: z.string().max(200).optional(),
    changes: z.array(z.string().max(60)).max(64).optional(),
  }),
  member_added: base.extend({
    actor_name: z.string().max(200).nullish(),
    workspace_name: z.string().max(200).optional(),
    role: z.enum(['owner', 'admin', 'member', 'guest']).optional(),
  }),
  digest: base.extend({
    date: z.iso.date().optional(),
    time_zone: z.string().max(100).default('UTC'),
    overdue: z.array(digestItem).max(50).default([]),
    today: z.array(digestItem).max(50).default([]),
    overdue_count: z.number().int().min(0).optional(),
    today_count: z.number().int().min(0).optional(),
  }),
  webhook_disabled: base.extend({
    endpoint_url: z.string().max(2000).optional(),
    workspace_name: z.string().max(200).optional(),
    /** Why it was disabled (private.disable_failing_webhook_endpoint passes it as `reason`). */
    reason: z.string().max(1000).nullish(),
  }),
} as const;

export type TemplateName = keyof typeof schemas;

/** Why a person gets each kind of email (the footer), and what unsubscribing stops. */
const REASONS: Readonly<Record<TemplateName, { why: string; what: string }>> = {
  reminder: { why: 'you set a reminder on this task', what: 'reminder emails' },
  task_activity: {
    why: 'you asked to be emailed when teammates change tasks in a shared workspace',
    what: 'task activity emails',
  },
  member_added: { why: 'someone added you to a workspace', what: 'emails when you are added to a workspace' },
  digest: { why: 'you turned on the daily digest', what: 'the daily digest' },
  webhook_disabled: {
    why: 'you administer a workspace whose webhook endpoint was disabled',
    what: 'webhook alert emails',
  },
};

/** What unsubscribing from a kind stops ("reminder emails"), for the unsubscribe page. */
export function emailsOfKind(kind: string): string {
  return isTemplateName(kind) ? REASONS[kind].what : `${kind.replace(/_/g, ' ')} emails`;
}

const ACTION_LABEL: Readonly<Record<string, string>> = {
  reminder: 'Open the task',
  task_activity: 'Open the task',
  member_added: 'Open TaskMaster',
  digest: 'See today’s tasks',
  webhook_disabled: 'Review the webhook',
};

export const STYLE = `
body{margin:0;padding:0;background:#f4f5f7;color:#1f2328;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5}
.wrap{max-width:560px;margin:0 auto;padding:24px 16px}
.card{background:#ffffff;border:1px solid #d0d7de;border-radius:8px;padding:24px}
.brand{margin:0 0 16px;font-size:14px;font-weight:700;color:#0b5cad;letter-spacing:.02em}
h1{margin:0 0 12px;font-size:20px;line-height:1.3;color:#1f2328}
h2{margin:20px 0 8px;font-size:16px;color:#1f2328}
p{margin:0 0 12px}
ul{margin:0 0 12px;padding-left:20px}
li{margin:0 0 6px}
.muted{color:#57606a;font-size:14px}
.button{display:inline-block;margin:8px 0 4px;padding:10px 18px;border-radius:6px;background:#0b5cad;color:#ffffff !important;font-weight:600;text-decoration:none}
a{color:#0b5cad}
.footer{margin-top:16px;color:#57606a;font-size:13px}
.footer a{color:#57606a}
`;

/**
 * The document start and head every mail shares: constant markup (the stylesheet is ours)
 * and the escaped title; everything else with data goes through `html`.
 */
export function mailHead(title: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light" />
    <title>${escapeHtml(title)}</title>
    <style>${STYLE}</style>
  </head>
`;
}

type Parts = { heading: string; intro: string[]; blocks: SafeHtml[]; textBlocks: string[]; action?: string };

function absolute(publicUrl: string, path: string | null | undefined): string | undefined {
  return path ? new URL(path, publicUrl).toString() : undefined;
}

function frame(kind: TemplateName, ctx: RenderContext, parts: Parts, actionUrl: string | undefined): RenderedMail {
  const reason = REASONS[kind];
  const settingsUrl = new URL('/app/settings/notifications', ctx.publicUrl).toString();
  const greeting = ctx.recipientName ? `Hi ${ctx.recipientName},` : 'Hi,';
  const actionLabel = parts.action ?? ACTION_LABEL[kind] ?? 'Open TaskMaster';
  const head = mailHead(parts.heading);
  const body = html`  <body>
    <div class="wrap" role="article" aria-roledescription="email" aria-label="${parts.heading}">
      <div class="card">
        <p class="brand">TaskMaster</p>
        <h1>${parts.heading}</h1>
        <p>${greeting}</p>
        ${parts.intro.map((line) => html`<p>${line}</p>`)}
        ${parts.blocks}
        ${actionUrl ? html`<p><a class="button" href="${actionUrl}">${actionLabel}</a></p>` : ''}
      </div>
      <div class="footer">
        <p>You are receiving this email because ${reason.why}.</p>
        <p>
          <a href="${ctx.unsubscribeUrl}">Unsubscribe from ${reason.what}</a> ·
          <a href="${settingsUrl}">Notification settings</a>
        </p>
      </div>
    </div>
  </body>
</html>
`;
  const text = [
    parts.heading,
    '',
    greeting,
    '',
    ...parts.intro.flatMap((line) => [line, '']),
    ...parts.textBlocks.flatMap((block) => [block, '']),
    ...(actionUrl ? [`${actionLabel}: ${actionUrl}`, ''] : []),
    '-- ',
    `You are receiving this email because ${reason.why}.`,
    `Unsubscribe from ${reason.what}: ${ctx.unsubscribeUrl}`,
    `Notification settings: ${settingsUrl}`,
    '',
  ].join('\n');
  return { subject: parts.heading, html: head + body.value, text };
}

function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  // Noon UTC of that calendar day is the same day in every zone.
  const format = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return format.format(new Date(Date.UTC(y, m - 1, d, 12)));
}

function formatInstant(iso: string, timeZone: string | null | undefined): string {
  const zone = timeZone ?? 'UTC';
  try {
    return new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
    }).format(new Date(iso));
  } catch {
    return new Date(iso).toUTCString();
  }
}

type Item = z.infer<typeof digestItem>;

function itemLine(item: Item, overdue: boolean): string {
  const when = overdue
    ? `was due ${formatDay(item.due_date)}${item.due_time ? ` ${item.due_time.slice(0, 5)}` : ''}`
    : item.due_time
      ? `due at ${item.due_time.slice(0, 5)}`
      : 'due today';
  return `${item.title} — ${when}${item.workspace_name ? ` (${item.workspace_name})` : ''}`;
}

const builders: { [K in TemplateName]: (data: z.infer<(typeof schemas)[K]>) => Parts } = {
  reminder: (d) => {
    // private.fire_reminder already says when it is due, in the task's own zone.
    const due = d.due_at && !d.body ? `Due ${formatInstant(d.due_at, d.time_zone)}.` : '';
    return {
      heading: d.title,
      intro: [d.body, due].filter(Boolean),
      blocks: [],
      textBlocks: [],
    };
  },
  task_activity: (d) => {
    // events__notify names the changes in the body; other producers may only pass them.
    const changed =
      !d.body && d.action === 'updated' && d.changes && d.changes.length > 0
        ? `Changed: ${d.changes.map((c) => c.replace(/_/g, ' ')).join(', ')}.`
        : '';
    return {
      heading: d.title,
      intro: [d.body, changed].filter(Boolean),
      blocks: [],
      textBlocks: [],
    };
  },
  member_added: (d) => ({
    heading: d.title,
    intro: [
      d.body,
      d.role === 'guest'
        ? 'As a guest you can see the workspace’s tasks but not change them.'
        : 'Its tasks and projects are now in your sidebar.',
    ].filter(Boolean),
    blocks: [],
    textBlocks: [],
  }),
  digest: (d) => {
    const overdueTotal = d.overdue_count ?? d.overdue.length;
    const todayTotal = d.today_count ?? d.today.length;
    const blocks: SafeHtml[] = [];
    const textBlocks: string[] = [];
    const section = (label: string, items: Item[], total: number, overdue: boolean) => {
      if (items.length === 0) return;
      const more = total - items.length;
      blocks.push(
        html`<h2>${label} (${total})</h2>
          <ul>
            ${items.map((item) => html`<li>${itemLine(item, overdue)}</li>`)}
          </ul>
          ${more > 0 ? html`<p class="muted">and ${more} more.</p>` : ''}`,
      );
      textBlocks.push(
        [
          `${label} (${total})`,
          ...items.map((item) => `- ${itemLine(item, overdue)}`),
          ...(more > 0 ? [`  and ${more} more.`] : []),
        ].join('\n'),
      );
    };
    section('Overdue', d.overdue, overdueTotal, true);
    section('Due today', d.today, todayTotal, false);
    return { heading: d.title, intro: [d.body].filter(Boolean), blocks, textBlocks };
  },
  webhook_disabled: (d) => {
    const lines = [
      d.body,
      d.endpoint_url ? `Endpoint: ${d.endpoint_url}` : '',
      d.reason ? `Why: ${d.reason}` : '',
      d.body
        ? ''
        : 'No events are delivered to it until an admin turns it back on. Events from the meantime can be redelivered from its delivery log.',
    ].filter(Boolean);
    return { heading: d.title, intro: lines, blocks: [], textBlocks: [] };
  },
};

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(schemas, name);
}

/** Renders one email; throws (naming the field) when `data` does not fit the template. */
export function renderMail(template: string, data: unknown, ctx: RenderContext): RenderedMail {
  if (!isTemplateName(template)) throw new Error(`unknown mail template ${JSON.stringify(template)}`);
  const parsed = schemas[template].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`mail data for ${template}: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? 'invalid'}`);
  }
  const build = builders[template] as (d: unknown) => Parts;
  const parts = build(parsed.data);
  return frame(template, ctx, parts, absolute(ctx.publicUrl, parsed.data.url));
}
