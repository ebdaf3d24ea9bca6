import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { listSecurityEvents, MAX_PAGE } from '#lib/server/security/events.ts';
import { requireCaller } from '#lib/server/guard.ts';
import type { PageServerLoad } from './$types';

const pageParam = z.coerce.number().int().min(1).max(MAX_PAGE).default(1);

export const load: PageServerLoad = async ({ locals, url }) => {
  const { claims } = requireCaller(locals);
  const parsed = pageParam.safeParse(url.searchParams.get('page') ?? undefined);
  if (!parsed.success) error(400, `Page must be a whole number from 1 to ${MAX_PAGE}.`);
  const page = parsed.data;
  const { events, hasOlder } = await listSecurityEvents({ claims, page });
  return {
    page,
    hasOlder,
    events: events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
  };
};
