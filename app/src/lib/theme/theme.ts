// The colour theme a person chose: stored in the `theme` cookie (not a secret, readable by
// the page so the switcher can update it without a round trip), applied by the server as
// data-theme on <html> before the first byte is sent (hooks.server.ts), so there is never
// a flash of the wrong theme and no inline script is needed. "system" follows the
// operating system through `@media (prefers-color-scheme: dark)` in app.css.
export const THEMES = ['light', 'dark', 'system'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = 'theme';
export const DEFAULT_THEME: Theme = 'system';
/** One year: a preference, not a session. */
export const THEME_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;
/** How the server sets the cookie (/theme and the settings page): readable by the page, it holds nothing secret. */
export const THEME_COOKIE_OPTIONS = {
  path: '/',
  maxAge: THEME_COOKIE_MAX_AGE,
  sameSite: 'lax',
  httpOnly: false,
} as const;
/** The placeholder in app.html that the server replaces with the theme. */
export const THEME_PLACEHOLDER = '%tm.theme%';

export const THEME_LABELS: Record<Theme, string> = { light: 'Light', dark: 'Dark', system: 'System' };

/** Anything that is not exactly one of the themes (a tampered cookie included) is the default. */
export function parseTheme(value: string | null | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : DEFAULT_THEME;
}

/** In the browser: apply at once and remember, the same cookie the server reads. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  const secure = location.protocol === 'https:' ? '; secure' : '';
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${THEME_COOKIE_MAX_AGE}; samesite=lax${secure}`;
}
