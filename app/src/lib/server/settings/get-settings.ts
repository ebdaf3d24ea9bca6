import { asUser, type Claims } from '$server/db/as-user.ts';
import { services } from '$server/services.ts';
import { DEFAULT_SETTINGS, type UserSettings } from './schemas.ts';

export type GetSettingsOptions = { claims: Claims };

/** The caller's settings; a person who never saved any gets the defaults (stored = false). */
export async function getSettings({ claims }: GetSettingsOptions): Promise<UserSettings & { stored: boolean }> {
  return asUser(services().apiPool, { claims, readOnly: true }, async (client) => {
    const { rows } = await client.query<UserSettings>(
      `select time_zone as "timeZone", locale, theme from public.user_settings where user_id = (select auth.uid())`,
    );
    const row = rows[0];
    return row ? { ...DEFAULT_SETTINGS, ...row, stored: true } : { ...DEFAULT_SETTINGS, stored: false };
  });
}
