// What the settings page accepts, shared by its form actions (the no-JavaScript fallback)
// and the browser, which checks the same rules before it writes through the data API. The
// choices a person sees (locales, themes) are listed here once; the time zones are the
// runtime's own IANA list.
import { z } from 'zod';
import { DEFAULT_THEME, THEMES as THEME_NAMES, type Theme } from '#lib/theme/theme.ts';

export const LOCALES = [
  { value: 'en-US', label: 'English (United States)' },
  { value: 'en-GB', label: 'English (United Kingdom)' },
  { value: 'de-DE', label: 'Deutsch (Deutschland)' },
  { value: 'fr-FR', label: 'Français (France)' },
  { value: 'es-ES', label: 'Español (España)' },
  { value: 'pt-BR', label: 'Português (Brasil)' },
  { value: 'ja-JP', label: '日本語 (日本)' },
] as const;

/** The settings page's wording and order for the themes that #lib/theme/theme.ts defines. */
export const THEMES: readonly { value: Theme; label: string }[] = [
  { value: 'system', label: 'Match the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export type UserSettings = { timeZone: string; locale: string; theme: Theme };

export const DEFAULT_SETTINGS: UserSettings = { timeZone: 'UTC', locale: 'en-US', theme: DEFAULT_THEME };

const ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export const settingsInput = z.object({
  timeZone: z.string().refine((zone) => ZONES.has(zone), 'Choose a time zone from the list.'),
  locale: z.enum(
    LOCALES.map((l) => l.value),
    'Choose a language and region from the list.',
  ),
  theme: z.enum(THEME_NAMES, 'Choose a theme from the list.'),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const profileInput = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(200, 'Names are at most 200 characters.'),
});
export type ProfileInput = z.infer<typeof profileInput>;
