// GET /api/v1/recurrence/preview?rrule=…&dtstart=…&tz=…&count=…: the next occurrences of a
// rule, from the same engine the worker uses to create the next task
// (lib/shared/recurrence/engine.ts), so the editor's preview and what completing the task
// does cannot disagree. Pure computation, no data read: it still passes the API pipeline
// (caller identity, CORS, the caller's rate-limit bucket) like every other /api/v1 route.
// 200 {occurrences:[{date,time,at}]}; 400 naming the bad parameter or explaining the rule.
import { z } from 'zod';
import { occurrences, parseRecurrence, RecurrenceError } from '../../../lib/shared/recurrence/engine.ts';
import { ApiError } from '../api/errors.ts';
import { json, type ApiContext, type ApiResponse } from '../api/types.ts';
import { validationError } from '../ingest/validation.ts';

export const RECURRENCE_PREVIEW_PATH = '/api/v1/recurrence/preview';

const DTSTART = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::00)?)?$/;

export const previewQuery = z.strictObject({
  rrule: z.string().min(1, 'give a rule, e.g. FREQ=WEEKLY;BYDAY=MO').max(500, 'at most 500 characters'),
  dtstart: z.string().regex(DTSTART, 'must be YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time in tz)'),
  tz: z.string().min(1).max(64).default('UTC'),
  count: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(50, 'must be at most 50')
    .default(5),
});

export async function recurrencePreview(ctx: ApiContext): Promise<ApiResponse> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    throw new ApiError(405, 'TM405', 'Method not allowed', { headers: { allow: 'GET' } });
  }
  await ctx.admitted; // a 429 from the caller's bucket wins
  const raw: Record<string, string> = {};
  for (const [key, value] of ctx.query) {
    if (key in raw) throw new ApiError(400, 'TM400', `Invalid recurrence preview: ${key} is given twice`);
    raw[key] = value;
  }
  const parsed = previewQuery.safeParse(raw);
  if (!parsed.success) throw validationError('recurrence preview', parsed.error);
  const { rrule, dtstart, tz, count } = parsed.data;
  const [, date = '', time = null] = DTSTART.exec(dtstart) ?? [];
  try {
    const rule = parseRecurrence(rrule);
    const list = occurrences({ recurrence: rrule, start: { date, time }, timeZone: tz, count });
    return json(
      200,
      { rrule, dtstart, tz, from_completion: rule.fromCompletion, occurrences: list },
      { 'cache-control': 'private, max-age=300' },
    );
  } catch (error) {
    if (error instanceof RecurrenceError) {
      throw new ApiError(400, 'TM400', error.message, { details: error.part ? `in ${error.part}` : null });
    }
    throw error;
  }
}
