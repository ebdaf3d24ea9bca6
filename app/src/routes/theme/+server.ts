// The theme switcher without JavaScript: a plain form POSTs here, the cookie is set and
// the person is sent back to the page they were on (only ever a path in this app).
// With JavaScript the switcher sets the same cookie itself and never calls this.
import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { redirectTarget } from '#lib/server/auth/redirect-target.ts';
import { formFields } from '#lib/forms.ts';
import { THEME_COOKIE, THEME_COOKIE_OPTIONS, THEMES } from '#lib/theme/theme.ts';
import type { RequestHandler } from './$types';

const ThemeForm = z.object({
  theme: z.enum(THEMES, { error: 'Choose light, dark or system.' }),
  redirectTo: z.string().max(2000).optional(),
});

export const POST: RequestHandler = async ({ request, cookies }) => {
  let fields: Record<string, string>;
  try {
    fields = formFields(await request.formData());
  } catch {
    return new Response('Send the theme as a form.', { status: 415 });
  }
  const parsed = ThemeForm.safeParse(fields);
  if (!parsed.success) {
    return new Response(parsed.error.issues.map((issue) => issue.message).join(' '), { status: 400 });
  }
  cookies.set(THEME_COOKIE, parsed.data.theme, THEME_COOKIE_OPTIONS);
  redirect(303, redirectTarget(parsed.data.redirectTo, '/'));
};
