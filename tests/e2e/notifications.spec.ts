// Notifications in a real browser against the production build: the header's bell shows
// the unread count (rendered by the server; refreshed in place with JavaScript), the
// notifications page marks one and then all read, and a notification setting persists.
// Every test runs with and without JavaScript (playwright.config.ts).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, signUp } from './support/app.ts';

const scripted = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

async function userId(email: string): Promise<string> {
  const { rows } = await superuserQuery<{ id: string }>(`select id from identity.users where email = $1`, [email]);
  return rows[0]!.id;
}

async function notify(user: string, key: string, title: string, body: string) {
  await superuserQuery(`select private.notify($1, 'task_activity', $2, $3, $4, '/app')`, [user, key, title, body]);
}

/** No WCAG 2.2 A/AA violation, light and dark (axe runs as a script: only with JavaScript). */
async function expectAccessible(page: Page, testInfo: TestInfo) {
  if (!scripted(testInfo)) return;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'])
      .analyze();
    expect(
      violations.map((v) => `${colorScheme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}

test('the bell counts unread notifications; marking one and then all read empties it', async ({ page }, testInfo) => {
  const person = newPerson('bell', testInfo);
  await signUp(page, person);
  const id = await userId(person.email);
  await notify(id, 'bell-1', 'Ana completed “Draft the plan”', 'In Rocket team.');
  await notify(id, 'bell-2', 'Ben created “Book the venue”', 'In Rocket team.');

  await page.goto('/app');
  const bell = page.getByTestId('notification-bell');
  // The count is rendered by the server: there with or without JavaScript.
  await expect(bell).toHaveAccessibleName('Notifications, 2 unread');
  await expect(page.getByTestId('notification-count')).toHaveText('2');
  await bell.click();
  await expect(page).toHaveURL(/\/app\/notifications$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByText('2 unread.')).toBeVisible();
  const items = page.getByTestId('notification');
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText('Unread:');
  await expectAccessible(page, testInfo);

  await page.getByRole('button', { name: 'Mark “Ana completed “Draft the plan”” as read' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Marked as read.' })).toBeVisible();
  await expect(page.getByText('1 unread.')).toBeVisible();
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');

  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByText('You are all caught up.')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Marked 1 notification as read.' })).toBeVisible();
  await expect(bell).toHaveAccessibleName('Notifications');
  await expect(page.getByTestId('notification-count')).toHaveCount(0);
  const { rows } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from account.notifications where user_id = $1 and read_at is null`,
    [id],
  );
  expect(rows[0]!.n).toBe(0);
});

test('a notification setting persists: the daily digest by email, on and off again', async ({ page }, testInfo) => {
  const person = newPerson('prefs', testInfo);
  await signUp(page, person);
  const id = await userId(person.email);
  await page.goto('/app/settings');
  await page.getByRole('link', { name: 'Notifications' }).last().click();
  await expect(page).toHaveURL(/\/app\/settings\/notifications$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();

  const digestEmail = page.getByRole('checkbox', { name: 'Daily digest: by email' });
  const reminderApp = page.getByRole('checkbox', { name: 'Reminders: in the app' });
  await expect(digestEmail).not.toBeChecked(); // opt-in
  await expect(reminderApp).toBeChecked();
  await expectAccessible(page, testInfo);

  await digestEmail.check();
  // With JavaScript a change saves by itself; without it, the Save button submits the form.
  if (!scripted(testInfo)) await page.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const stored = async () =>
    (
      await superuserQuery<{ enabled: boolean }>(
        `select enabled from account.notification_preferences where user_id = $1 and kind = 'digest' and channel = 'email'`,
        [id],
      )
    ).rows[0]?.enabled;
  await expect.poll(stored).toBe(true);
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Daily digest: by email' })).toBeChecked();

  await page.getByRole('checkbox', { name: 'Daily digest: by email' }).uncheck();
  if (!scripted(testInfo)) await page.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect.poll(stored).toBe(false);
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Daily digest: by email' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Reminders: in the app' })).toBeChecked();
});

test('the bell picks up a new notification: on focus with JavaScript, on the next page without', async ({
  page,
}, testInfo) => {
  const person = newPerson('focus', testInfo);
  await signUp(page, person);
  const bell = page.getByTestId('notification-bell');
  await expect(bell).toHaveAccessibleName('Notifications');
  await notify(await userId(person.email), 'focus-1', 'Ana created “Plan the offsite”', 'In Rocket team.');
  if (scripted(testInfo)) {
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
    // The polite live region says it too.
    await expect(page.getByText('1 unread notification', { exact: true })).toBeAttached();
  } else {
    await page.getByRole('link', { name: 'Today' }).click();
    await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
  }
});
