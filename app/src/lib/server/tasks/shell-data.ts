// What every signed-in page needs besides the page itself: the person's projects (for the
// sidebar, filters and quick add), their personal workspace (the Inbox), their time zone,
// and the publishable key the browser's supabase-js client identifies the project with.
import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { ProjectRef } from '#lib/data/types.ts';

export type ShellData = {
  projects: ProjectRef[];
  workspaceId: string;
  /** The zone from the person's settings; null when they have not chosen one. */
  timeZone: string | null;
};

/**
 * One read-only transaction. The settings table (public.user_settings) is read only when it
 * exists; its zone column is picked from the catalog (time_zone or timezone), so this
 * works before and after that migration lands.
 */
export async function loadShellData(claims: Claims): Promise<ShellData> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const projects = await client.query<ProjectRef>(
      `select id, name, color from public.projects
        where archived_at is null
        order by position, created_at, id`,
    );
    const ws = await client.query<{ id: string | null }>(`select public.my_personal_workspace_id() as id`);
    let timeZone: string | null = null;
    const col = await client.query<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'public' and table_name = 'user_settings'
          and column_name in ('time_zone', 'timezone')
        order by column_name desc limit 1`,
    );
    const column = col.rows[0]?.column_name;
    if (column === 'time_zone' || column === 'timezone') {
      const tz = await client.query<{ tz: string | null }>(
        `select ${column} as tz from public.user_settings where user_id = (select auth.uid())`,
      );
      timeZone = tz.rows[0]?.tz ?? null;
    }
    return { projects: projects.rows, workspaceId: ws.rows[0]?.id ?? '', timeZone };
  });
}
