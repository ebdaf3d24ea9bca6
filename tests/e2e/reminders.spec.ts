// The task page's Reminders and Repeats sections in a real browser against the production
// build, with JavaScript and without it (plain forms; the preview then reloads the page):
// reminders added and removed with when they fire in the task's zone across DST (and the
// job the database scheduled for them), a refused reminder explained; the next occurrences of
// the task's rule, the engine's message for an invalid rule (with JavaScript it comes from
// GET /api/v1/recurrence/preview while typing), and a rule saved.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, rest, signUp } from './support/app.ts';

const scripted = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

const remindersSection = (page: Page) => page.getByRole('region', { name: 'Reminders' });
const repeatsSection = (page: Page) => page.getByRole('region', { name: 'Repeats' });

async function jobRunAt(reminderLabel: string, taskId: string): Promise<string[]> {
  const { rows } = await superuserQuery<{ run_at: string }>(
    `select to_char(j.run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as run_at
     from public.task_reminders r join graphile_worker._private_jobs j on j.key = 'reminder:' || r.id
     where r.task_id = $1 and r.kind = $2`,
    [taskId, reminderLabel],
  );
  return rows.map((r) => r.run_at);
}

test('reminders: added at the due time and a day before (across DST), refused with a reason, removed', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, newPerson('reminders', testInfo));
  const api = rest(page, baseURL);
  // New York springs forward on Sunday 14 March 2027.
  const task = await api.createTask({
    title: 'Call the dentist',
    due_date: '2027-03-14',
    due_time: '09:00',
    due_tz: 'America/New_York',
  });
  await page.goto(`/app/tasks/${task.id}`);
  const section = remindersSection(page);
  await expect(section.getByText('No reminders.')).toBeVisible();

  await section.getByLabel('At the due time', { exact: true }).check();
  await section.getByRole('button', { name: 'Add reminder' }).click();
  const list = remindersSection(page).getByTestId('reminders');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem').first()).toContainText('At the due time');
  await expect(list.locator('time[datetime="2027-03-14T13:00:00.000Z"]')).toHaveText(
    'Sun 14 Mar 2027, 09:00 (America/New_York)',
  );

  await remindersSection(page).getByLabel('Before the due time', { exact: true }).check();
  await remindersSection(page).getByLabel('How many', { exact: true }).fill('1');
  await remindersSection(page).getByLabel('Unit', { exact: true }).selectOption('days');
  await remindersSection(page).getByRole('button', { name: 'Add reminder' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(2);
  // 09:00 EST the day before: 23 hours earlier, not 24.
  await expect(list.locator('time[datetime="2027-03-13T14:00:00.000Z"]')).toHaveText(
    'Sat 13 Mar 2027, 09:00 (America/New_York)',
  );
  expect(await jobRunAt('before_due', task.id)).toEqual(['2027-03-13T14:00Z']);
  expect(await jobRunAt('at_due', task.id)).toEqual(['2027-03-14T13:00Z']);

  // A refused reminder says why (in place with JavaScript, on the schedule page without).
  await remindersSection(page).getByLabel('Before the due time', { exact: true }).check();
  await remindersSection(page).getByLabel('How many', { exact: true }).fill('800');
  await remindersSection(page).getByLabel('Unit', { exact: true }).selectOption('hours');
  await remindersSection(page).getByRole('button', { name: 'Add reminder' }).click();
  await expect(remindersSection(page).getByText('Enter a whole number of hours from 1 to 720.')).toBeVisible();
  if (!scripted(testInfo)) {
    await expect(page.getByRole('heading', { level: 1, name: 'Reminders and repeat' })).toBeVisible();
    await page.getByRole('link', { name: '← Back to the task' }).click();
  }

  await remindersSection(page).getByRole('button', { name: 'Remove reminder: At the due time' }).click();
  await expect(remindersSection(page).getByTestId('reminders').getByRole('listitem')).toHaveCount(1);
  await expect(remindersSection(page).getByTestId('reminders')).toContainText('1 day before');
  expect(await jobRunAt('at_due', task.id)).toEqual([]);
});

test('repeats: the next five occurrences, an invalid rule explained, a new rule saved', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, newPerson('repeats', testInfo));
  const api = rest(page, baseURL);
  const task = await api.createTask({
    title: 'Pay the rent',
    due_date: '2027-01-31',
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=-1',
  });
  await page.goto(`/app/tasks/${task.id}`);
  const preview = repeatsSection(page).getByTestId('recurrence-preview');
  await expect(preview.getByRole('listitem')).toHaveText([
    'Sun 31 Jan 2027',
    'Sun 28 Feb 2027',
    'Wed 31 Mar 2027',
    'Fri 30 Apr 2027',
    'Mon 31 May 2027',
  ]);

  const rule = repeatsSection(page).getByLabel('Repeat rule (RFC 5545 RRULE)');
  const tryRule = async (text: string, status: number) => {
    if (scripted(testInfo)) {
      const asked = page.waitForResponse(
        (r) => r.url().includes('/api/v1/recurrence/preview') && r.url().includes(encodeURIComponent(text)),
      );
      await rule.fill(text);
      expect((await asked).status()).toBe(status);
    } else {
      await rule.fill(text);
      await repeatsSection(page).getByRole('button', { name: 'Show occurrences' }).click();
    }
  };

  await tryRule('FREQ=HOURLY', 400);
  await expect(repeatsSection(page).getByTestId('recurrence-error')).toHaveText(
    'Tasks repeat at most daily: FREQ=HOURLY is not supported.',
  );
  await expect(rule).toHaveAttribute('aria-invalid', 'true');

  await tryRule('FREQ=WEEKLY;BYDAY=MO', 200);
  await expect(repeatsSection(page).getByTestId('recurrence-preview').getByRole('listitem')).toHaveText([
    'Mon 1 Feb 2027',
    'Mon 8 Feb 2027',
    'Mon 15 Feb 2027',
    'Mon 22 Feb 2027',
    'Mon 1 Mar 2027',
  ]);
  await repeatsSection(page).getByRole('button', { name: 'Save rule' }).click();
  await expect
    .poll(async () => (await api.tasks(`id=eq.${task.id}&select=recurrence`))[0]?.recurrence)
    .toBe('FREQ=WEEKLY;BYDAY=MO');
  await page.goto(`/app/tasks/${task.id}`);
  await expect(repeatsSection(page).getByLabel('Repeat rule (RFC 5545 RRULE)')).toHaveValue('FREQ=WEEKLY;BYDAY=MO');

  // Saving an invalid rule is refused with the same sentence and changes nothing.
  await repeatsSection(page).getByLabel('Repeat rule (RFC 5545 RRULE)').fill('FREQ=DAILY;COUNT=2;UNTIL=20280101');
  await repeatsSection(page).getByRole('button', { name: 'Save rule' }).click();
  await expect(repeatsSection(page).getByTestId('recurrence-error')).toContainText(
    'A rule may end with COUNT or with UNTIL, not both',
  );
  expect((await api.tasks(`id=eq.${task.id}&select=recurrence`))[0]?.recurrence).toBe('FREQ=WEEKLY;BYDAY=MO');
});
