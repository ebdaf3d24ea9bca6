// Reminders and the repeat preview for the task page and its /schedule sub-page. A layout
// load, so the task page's own load stays as it is. `?rrule=` previews another rule (the
// no-JavaScript path of the preview form; with JavaScript the form asks the API instead).
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { requireCaller } from '#lib/server/guard.ts';
import { listSchedule } from '#lib/server/reminders/list-schedule.ts';
import { previewRule, previewStart } from '#lib/server/reminders/preview.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, params, parent, url }) => {
  const { claims } = requireCaller(locals);
  if (!z.uuid().safeParse(params.id).success) error(404, 'That task does not exist.');
  const [schedule, { timeZone }] = await Promise.all([listSchedule({ claims, taskId: params.id }), parent()]);
  if (!schedule) error(404, 'That task does not exist.');
  const asked = url.searchParams.get('rrule')?.slice(0, 500).trim() || null;
  const rule = asked ?? schedule.recurrence;
  const start = previewStart(schedule, timeZone);
  return {
    schedule,
    recurrencePreview: rule ? previewRule(rule, start.dtstart, start.tz) : null,
    previewStart: start,
  };
};
