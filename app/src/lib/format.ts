// Formatting shared by server and client. A due date is a calendar day (YYYY-MM-DD), so it
// is formatted in UTC: the day must read the same on the server and in every browser.
const DAY = new Intl.DateTimeFormat('en', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const DAY_WITH_YEAR = new Intl.DateTimeFormat('en', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

export function formatDueDate(date: string, today: string): string {
  if (date === today) return 'Today';
  const value = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(value.getTime())) return date;
  return (date.slice(0, 4) === today.slice(0, 4) ? DAY : DAY_WITH_YEAR).format(value);
}
