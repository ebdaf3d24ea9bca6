// What every signed-in page needs besides the page itself: the person's projects (for the
// sidebar, filters and quick add), their personal workspace (the Inbox), their time zone,
// and the publishable key the browser's supabase-js client identifies the project with.
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type pg from 'pg';
import { isValidTimeZone } from '#lib/data/days.ts';
import type { ProjectRef } from '#lib/data/types.ts';

export type ShellData = {
  projects: ProjectRef[];
  workspaceId: string;
  /** The zone from the person's settings; null when they have not chosen one. */
  timeZone: string | null;
};

/** One read-only transaction: projects, the personal workspace, the chosen zone. */
export async function loadShellData(claims: Claims): Promise<ShellData> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const projects = await client.query<ProjectRef>(
      `select id, name, color from public.projects
        where archived_at is null
        order by position, created_at, id`,
    );
    const ws = await client.query<{ id: string | null }>(`select public.my_personal_workspace_id() as id`);
    return { projects: projects.rows, workspaceId: ws.rows[0]?.id ?? '', timeZone: await chosenZone(client) };
  });
}

async function chosenZone(client: pg.PoolClient): Promise<string | null> {
  const { rows } = await client.query<{ tz: string | null }>(
    `select time_zone as tz from public.user_settings where user_id = (select auth.uid())`,
  );
  const tz = rows[0]?.tz ?? null;
  return tz && isValidTimeZone(tz) ? tz : null;
}

/**
 * The zone to read the person's dates in: their setting, else the zone their browser
 * reported (the `tz` cookie), else UTC.
 */
export async function requestTimeZone(claims: Claims, cookieZone: string | undefined): Promise<string> {
  const chosen = await asUser(services().apiPool, { claims, readOnly: true }, chosenZone);
  if (chosen) return chosen;
  return cookieZone && isValidTimeZone(cookieZone) ? cookieZone : 'UTC';
}
