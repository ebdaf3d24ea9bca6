import type { LayoutServerLoad } from './$types';

// Only what the page chrome needs: never the session token or other secrets.
export const load: LayoutServerLoad = ({ locals }) => ({
  user: locals.user ? { name: locals.user.name } : null,
  theme: locals.theme,
});
