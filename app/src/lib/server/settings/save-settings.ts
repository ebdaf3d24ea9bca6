import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import type { SettingsInput } from './schemas.ts';

export type SaveSettingsOptions = { claims: Claims; input: SettingsInput };

/** Creates or replaces the caller's settings row (the same upsert the browser sends). */
export async function saveSettings({ claims, input }: SaveSettingsOptions): Promise<void> {
  await asUser(services().apiPool, { claims }, async (client) => {
    await client.query(
      `insert into public.user_settings (user_id, time_zone, locale, theme)
       values ((select auth.uid()), $1, $2, $3)
       on conflict (user_id) do update
         set time_zone = excluded.time_zone, locale = excluded.locale, theme = excluded.theme`,
      [input.timeZone, input.locale, input.theme],
    );
  });
}
