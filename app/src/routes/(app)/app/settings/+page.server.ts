import { fail, redirect } from '@sveltejs/kit';
import { fieldErrors, formFields, type FieldErrors } from '#lib/forms.ts';
import { requireCaller } from '#lib/server/guard.ts';
import { getSettings } from '#lib/server/settings/get-settings.ts';
import { saveSettings } from '#lib/server/settings/save-settings.ts';
import { LOCALES, profileInput, settingsInput, THEMES } from '#lib/server/settings/schemas.ts';
import { updateProfile } from '#lib/server/settings/update-profile.ts';
import { THEME_COOKIE, THEME_COOKIE_OPTIONS } from '#lib/theme/theme.ts';
import type { Actions, PageServerLoad } from './$types';

type SettingsField = 'name' | 'timeZone' | 'locale' | 'theme';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { user, claims } = requireCaller(locals);
  const settings = await getSettings({ claims });
  return {
    profile: { name: user.name, email: user.email },
    settings,
    timeZones: Intl.supportedValuesOf('timeZone'),
    savedPreferences: url.searchParams.get('saved') === 'preferences',
    locales: LOCALES,
    themes: THEMES,
  };
};

export const actions = {
  profile: async ({ request, locals }) => {
    requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { name: fields.name ?? '' };
    const parsed = profileInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'profile', errors: fieldErrors<SettingsField>(parsed.error), profileValues: values });
    }
    const failure = await updateProfile({ input: parsed.data, headers: request.headers });
    if (failure) {
      const field: SettingsField | 'form' = failure.field === 'name' ? 'name' : 'form';
      return fail(failure.status, {
        action: 'profile',
        errors: { [field]: [failure.message] } as FieldErrors<SettingsField>,
        profileValues: values,
      });
    }
    return { action: 'profile', saved: 'Profile saved.' };
  },

  preferences: async ({ request, locals, cookies }) => {
    const { claims } = requireCaller(locals);
    const fields = formFields(await request.formData());
    const values = { timeZone: fields.timeZone ?? '', locale: fields.locale ?? '', theme: fields.theme ?? '' };
    const parsed = settingsInput.safeParse(fields);
    if (!parsed.success) {
      return fail(400, { action: 'preferences', errors: fieldErrors<SettingsField>(parsed.error), prefValues: values });
    }
    await saveSettings({ claims, input: parsed.data });
    // The same cookie the theme switcher sets: the server paints the next page in this theme.
    cookies.set(THEME_COOKIE, parsed.data.theme, THEME_COOKIE_OPTIONS);
    // Redirect (not a rendered result) so the next page is painted in the new theme, and a
    // reload does not post again.
    redirect(303, '/app/settings?saved=preferences');
  },
} satisfies Actions;
