import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

// Settings has one page so far.
export const load: PageServerLoad = () => {
  redirect(307, '/app/settings/api-keys');
};
