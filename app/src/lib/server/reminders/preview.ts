// The server-rendered recurrence preview (pages work without JavaScript); in the browser the
// same list comes from GET /api/v1/recurrence/preview. Both call the one engine.
import { occurrences, RecurrenceError } from '$shared/recurrence/engine.ts';
import type { PreviewView } from '#lib/components/tasks/schedule.ts';

/** The start a preview counts from: the task's due date and time, else today in `zone`. */
export function previewStart(
  due: { dueDate: string | null; dueTime: string | null; dueTz: string | null },
  zone: string,
  now = new Date(),
): { dtstart: string; tz: string } {
  if (due.dueDate) {
    return { dtstart: due.dueTime ? `${due.dueDate}T${due.dueTime.slice(0, 5)}` : due.dueDate, tz: due.dueTz ?? 'UTC' };
  }
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return { dtstart: today.format(now), tz: zone };
}

export function previewRule(rrule: string, dtstart: string, tz: string, count = 5): PreviewView {
  const [date = '', time = null] = dtstart.split('T');
  try {
    return {
      rrule,
      dtstart,
      tz,
      occurrences: occurrences({ recurrence: rrule, start: { date, time }, timeZone: tz, count }),
      error: null,
    };
  } catch (error) {
    if (error instanceof RecurrenceError) return { rrule, dtstart, tz, occurrences: [], error: error.message };
    throw error;
  }
}
