// HTML for emails, escaped by construction: every value interpolated into an `html`
// template is escaped unless it is itself the result of `html` (already safe markup).
// There is no way to splice a raw string in, so a task title can never become markup.

const SAFE = Symbol('safe-html');

/** Markup that has been built by `html` (its parts are escaped). */
export type SafeHtml = { readonly [SAFE]: true; readonly value: string };

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && SAFE in value;
}

type Part = string | number | SafeHtml | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (Array.isArray(part)) return part.map((p: Part) => render(p)).join('');
  if (isSafe(part)) return part.value;
  return escapeHtml(String(part));
}

/** A tagged template: `html\`<p>${title}</p>\`` escapes `title`; arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return { [SAFE]: true, value: out };
}
