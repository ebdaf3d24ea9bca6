// The notifications page and settings, on the server: every read and write runs as the
// person (asUser), so RLS on account.notifications / notification_preferences decides.
import { z } from 'zod';
import { asUser, asUserQuery, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';

export type NotificationItem = {
  id: string;
  kind: string;
  title: string;
  body: string;
  url: string | null;
  createdAt: Date;
  readAt: Date | null;
};

export const CHANNELS = ['in_app', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export type KindSetting = {
  kind: string;
  label: string;
  description: string;
  /** Effective choice per channel (their preference, else the default). */
  enabled: Record<Channel, boolean>;
  defaults: Record<Channel, boolean>;
};

const LABELS: Readonly<Record<string, string>> = {
  reminder: 'Reminders',
  task_activity: 'Task activity',
  member_added: 'Added to a workspace',
  digest: 'Daily digest',
  webhook_disabled: 'Webhook alerts',
};

export function kindLabel(kind: string): string {
  return LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** How many of the person's notifications are unread (the header's bell); one round trip. */
export async function countUnread(claims: Claims): Promise<number> {
  const { rows } = await asUserQuery<{ n: number }>(
    services().apiPool,
    { claims, readOnly: true },
    { text: 'select count(*)::int as n from public.notifications where read_at is null' },
  );
  return rows[0]?.n ?? 0;
}

/**
 * The person's latest notifications (newest first). How many are unread is the (app)
 * layout's count (countUnread), loaded with every page of the app already.
 */
export async function listNotifications(claims: Claims, limit = 50): Promise<NotificationItem[]> {
  const { rows } = await asUserQuery<NotificationItem>(
    services().apiPool,
    { claims, readOnly: true },
    {
      text: `select id, kind, title, body, url, created_at as "createdAt", read_at as "readAt"
             from public.notifications order by created_at desc, id limit $1`,
      values: [limit],
    },
  );
  return rows;
}

export const markReadInput = z.object({ id: z.uuid('That notification does not exist.').optional() });

/** Marks one notification (or all unread ones) read; returns how many changed. */
export async function markRead(claims: Claims, id?: string): Promise<number> {
  return asUser(services().apiPool, { claims }, async (client) => {
    const { rows } = await client.query<{ n: number }>(`select public.mark_notifications_read($1::uuid[]) as n`, [
      id ? [id] : null,
    ]);
    return rows[0]?.n ?? 0;
  });
}

/** Every kind with the person's effective choice per channel. */
export async function getPreferences(claims: Claims): Promise<KindSetting[]> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<{
      kind: string;
      description: string;
      email_default: boolean;
      in_app_default: boolean;
      email: boolean | null;
      in_app: boolean | null;
    }>(
      `select k.kind, k.description, k.email_default, k.in_app_default,
              (select p.enabled from public.notification_preferences p where p.kind = k.kind and p.channel = 'email') as email,
              (select p.enabled from public.notification_preferences p where p.kind = k.kind and p.channel = 'in_app') as in_app
       from public.notification_kinds k
       order by array_position(array['reminder','task_activity','member_added','digest','webhook_disabled'], k.kind), k.kind`,
    );
    return rows.map((r) => ({
      kind: r.kind,
      label: kindLabel(r.kind),
      description: r.description,
      defaults: { email: r.email_default, in_app: r.in_app_default },
      enabled: { email: r.email ?? r.email_default, in_app: r.in_app ?? r.in_app_default },
    }));
  });
}

/**
 * Saves the whole grid: `on` holds "kind:channel" for every box that is ticked. Each kind ×
 * channel is stored as an explicit choice (so a later change of a default does not flip it).
 */
export async function savePreferences(claims: Claims, on: ReadonlySet<string>): Promise<void> {
  await asUser(services().apiPool, { claims }, async (client) => {
    const kinds = await client.query<{ kind: string }>(`select kind from public.notification_kinds`);
    const rows = kinds.rows.flatMap(({ kind }) =>
      CHANNELS.map((channel) => ({ kind, channel, enabled: on.has(`${kind}:${channel}`) })),
    );
    await client.query(
      `insert into public.notification_preferences (kind, channel, enabled)
       select r.kind, r.channel, r.enabled from jsonb_to_recordset($1::jsonb) as r(kind text, channel text, enabled boolean)
       on conflict (user_id, kind, channel) do update set enabled = excluded.enabled, updated_at = now()`,
      [JSON.stringify(rows)],
    );
  });
}
