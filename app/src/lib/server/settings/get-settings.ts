import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { DEFAULT_SETTINGS, type UserSettings } from './schemas.ts';

export type GetSettingsOptions = { claims: Claims };

/** The caller's settings; a person who never saved any gets the defaults (stored = false). */
export async function getSettings({ claims }: GetSettingsOptions): Promise<UserSettings & { stored: boolean }> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    // A null zone or locale means "the browser's": the server, which cannot know it, uses the default.
    const { rows } = await client.query<UserSettings>(
      `select coalesce(time_zone, $1) as "timeZone", coalesce(locale, $2) as locale, theme
         from public.user_settings where user_id = (select auth.uid())`,
      [DEFAULT_SETTINGS.timeZone, DEFAULT_SETTINGS.locale],
    );
    const row = rows[0];
    return row ? { ...row, stored: true } : { ...DEFAULT_SETTINGS, stored: false };
  });
}
