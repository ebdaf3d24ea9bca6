// Where to send a person after signing in: only a path inside this app, so a crafted
// ?redirectTo= can never bounce them to another site.
const BASE = 'http://taskmaster.invalid';

export function redirectTarget(value: string | null | undefined, fallback = '/app'): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value)) return fallback;
  try {
    const url = new URL(value, BASE);
    if (url.origin !== BASE) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
