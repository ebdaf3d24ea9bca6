// Form input for reminders and for a task's repeat rule (the task page's "Reminders" and
// "Repeats" sections, posted to /app/tasks/[id]/schedule). zod at the boundary; the database
// checks the same limits again (task_reminders_* constraints).
import { z } from 'zod';
import { recurrenceProblem } from '$shared/recurrence/engine.ts';
import { isKnownTimeZone } from '$shared/recurrence/zoned-time.ts';

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;
const MAX_BY_UNIT = { minutes: 10080, hours: 720, days: 365 } as const;

export const taskRef = z.object({
  workspaceId: z.uuid('That task does not exist.'),
  id: z.uuid('That task does not exist.'),
});

export const addReminderInput = z
  .object({
    kind: z.enum(['at_due', 'before_due', 'absolute'], 'Choose when to be reminded.'),
    amount: z.string().trim().optional(),
    unit: z.string().optional(),
    remindAt: z.string().trim().optional(),
    tz: z.string().refine(isKnownTimeZone, 'Unknown time zone.'),
  })
  .transform((v, ctx) => {
    if (v.kind === 'at_due') return { kind: v.kind, amount: null, unit: null, remindAt: null, tz: v.tz };
    if (v.kind === 'before_due') {
      const unit = z.enum(['minutes', 'hours', 'days']).safeParse(v.unit);
      if (!unit.success) {
        ctx.addIssue({ code: 'custom', path: ['unit'], message: 'Choose minutes, hours or days.' });
        return z.NEVER;
      }
      const amount = Number(v.amount);
      const max = MAX_BY_UNIT[unit.data];
      if (!/^\d+$/.test(v.amount ?? '') || amount < 1 || amount > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount'],
          message: `Enter a whole number of ${unit.data} from 1 to ${max}.`,
        });
        return z.NEVER;
      }
      return { kind: v.kind, amount, unit: unit.data, remindAt: null, tz: v.tz };
    }
    if (!v.remindAt || !LOCAL_DATE_TIME.test(v.remindAt)) {
      ctx.addIssue({ code: 'custom', path: ['remindAt'], message: 'Pick a date and time.' });
      return z.NEVER;
    }
    return { kind: v.kind, amount: null, unit: null, remindAt: v.remindAt, tz: v.tz };
  });
export type AddReminderInput = z.infer<typeof addReminderInput>;

export const removeReminderInput = z.object({ reminderId: z.uuid('That reminder does not exist.') });

export const setRecurrenceInput = z.object({
  rrule: z
    .string()
    .trim()
    .max(500, 'A rule is at most 500 characters.')
    .refine((rule) => rule === '' || recurrenceProblem(rule) === null, {
      error: (issue) => recurrenceProblem(String(issue.input)) ?? 'That rule is not valid.',
    }),
});
