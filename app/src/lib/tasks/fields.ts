// What a task's fields accept, shared by the server's form actions (the no-JavaScript
// fallback) and the browser, which checks the same rules before it writes through the data
// API. The database checks them again (tasks_* constraints); these give the kinder message.
import { z } from 'zod';

export const taskTitle = z.string().trim().min(1, 'Enter a title.').max(500, 'Titles are at most 500 characters.');

/** An optional calendar day from <input type="date">: empty means "no due date". */
export const dueDate = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null))
  .pipe(z.iso.date('Enter a date like 2026-12-31.').nullable());

export const notes = z.string().max(20_000, 'Notes are at most 20,000 characters.');

/** A task's primary key. RLS decides whether the caller may touch it. */
export const taskKey = z.object({
  workspaceId: z.uuid('That task does not exist.'),
  id: z.uuid('That task does not exist.'),
});
export type TaskKey = z.infer<typeof taskKey>;

const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

export const dueTime = z.preprocess(
  emptyToNull,
  z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'Enter a time like 17:30.')
    .transform((v) => v.slice(0, 5))
    .nullable()
    .default(null),
);

export const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'Choose a time zone from the list.');

export const priority = z.coerce
  .number({ error: 'Choose a priority.' })
  .int('Choose a priority.')
  .min(1, 'Choose a priority.')
  .max(4, 'Choose a priority.');

/** A label name as quick add writes it: no spaces, an optional leading @ is dropped. */
export const labelName = z
  .string()
  .trim()
  .transform((v) => v.replace(/^@/, ''))
  .pipe(
    z
      .string()
      .min(1, 'Label names cannot be empty.')
      .max(60, 'Label names are at most 60 characters.')
      .regex(/^\S+$/, 'Label names cannot contain spaces.'),
  );

/** "home, errands @urgent" → ["home", "errands", "urgent"] (commas or spaces separate). */
export const newLabelNames = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : []),
  z.array(labelName).max(20, 'Add at most 20 labels at once.'),
);

export const updateTaskDetailInput = taskKey
  .extend({
    title: taskTitle,
    // A form submits a textarea's line breaks as CRLF; notes keep the \n the API stores.
    notes: z
      .string()
      .default('')
      .transform((v) => v.replace(/\r\n?/g, '\n'))
      .pipe(notes),
    dueDate,
    dueTime,
    dueTz: timeZone,
    priority,
    projectId: z.preprocess(emptyToNull, z.uuid('Choose a project from the list.').nullable().default(null)),
    labelIds: z.array(z.uuid('Choose labels from the list.')).max(100).default([]),
    newLabels: newLabelNames,
  })
  .superRefine((input, ctx) => {
    if (input.dueTime && !input.dueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueTime'], message: 'Pick a due date for this time, or clear the time.' });
    }
  });
export type UpdateTaskDetailInput = z.infer<typeof updateTaskDetailInput>;
