// Security history (/app/settings/security) and the sign-in form's answer to a rate limit,
// through the real app and gateway, with and without JavaScript (both projects).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { accountKey } from '../../lib/auth/throttle.ts';
import { config } from '../../lib/config.ts';
import { superuserQuery } from '../support/db.ts';
import { newPerson, signOut, signUp, watchBrowserErrors } from './support/app.ts';

const scripted = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

async function submitSignIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the security history lists my sign-up, failed and successful sign-ins and sign-out, with IP and device', async ({
  page,
}, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('history', testInfo);
  await signUp(page, person);
  await signOut(page);

  await submitSignIn(page, person.email, 'not the right password');
  await expect(page.getByRole('alert')).toContainText('That email and password do not match an account.');
  await submitSignIn(page, person.email, person.password);
  await expect(page).toHaveURL(/\/app$/);

  await page.goto('/app/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Security history' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/security$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Security history' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Security history' })).toHaveAttribute('aria-current', 'page');

  const rows = page.getByTestId('security-event');
  // Newest first: signed in, failed attempt, signed out, account created.
  await expect(rows.nth(0)).toContainText('Signed in');
  await expect(rows.nth(1)).toContainText('Failed sign-in attempt');
  await expect(rows.nth(1)).toContainText('Invalid email or password');
  await expect(rows.nth(2)).toContainText('Signed out');
  await expect(rows.nth(3)).toContainText('Account created');
  await expect(rows).toHaveCount(4);
  for (let i = 0; i < 4; i += 1) {
    await expect(rows.nth(i).getByRole('cell').nth(1)).toHaveText('127.0.0.1');
    await expect(rows.nth(i).getByRole('cell').nth(2)).toContainText(/Chrom/);
  }
  // A single page: no pager links.
  await expect(page.getByRole('navigation', { name: 'Security history pages' }).getByRole('link')).toHaveCount(0);

  if (scripted(testInfo)) {
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
      .analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  // The refused sign-in is a 400 answer by design (a plain form post without JavaScript).
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});

test('the history is paged, 25 events a page, newest first', async ({ page }, testInfo) => {
  const person = newPerson('paged', testInfo);
  await signUp(page, person);
  // 30 more events on this account (newer than the sign-up), as the auth service writes them.
  await superuserQuery(
    `select private.record_audit('mfa.challenge', 'failure', u.id, u.id, '192.0.2.5', 'curl/8.5.0', 'invalid_code')
       from identity.users u, generate_series(1, 30)
      where u.email = $1`,
    [person.email],
  );
  await page.goto('/app/settings/security');
  const rows = page.getByTestId('security-event');
  await expect(rows).toHaveCount(25);
  await expect(rows.first()).toContainText('Wrong second-factor code');
  await expect(rows.first().getByRole('cell').nth(2)).toHaveText('Program: curl');
  const pager = page.getByRole('navigation', { name: 'Security history pages' });
  await expect(pager.getByRole('link', { name: 'Newer events' })).toHaveCount(0);
  await pager.getByRole('link', { name: 'Older events' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/security\?page=2$/);
  await expect(rows).toHaveCount(6);
  await expect(pager.getByRole('link', { name: 'Older events' })).toHaveCount(0);
  await expect(pager.getByRole('link', { name: 'Newer events' })).toBeVisible();
});

test('an out-of-range page is a clear 400, not an error page of the server', async ({ page }, testInfo) => {
  await signUp(page, newPerson('pager', testInfo));
  const res = await page.goto('/app/settings/security?page=0');
  expect(res?.status()).toBe(400);
  await expect(page.getByText('Page must be a whole number from 1 to 200.')).toBeVisible();
});

test('a rate-limited sign-in shows a message on the form, not an error page', async ({ page }, testInfo) => {
  const person = newPerson('limited', testInfo);
  await signUp(page, person);
  await signOut(page);
  // Exhaust this account's sign-in bucket the way many attempts would (the suite's limits
  // are raised for the shared test IP): the next attempt is refused with 429.
  const bucket = `sign_in:acct:${accountKey(config().BETTER_AUTH_SECRET, person.email)}`;
  await superuserQuery(
    `insert into private.auth_rate_limits (bucket, window_start, hits) values ($1, now(), 2000000000)
     on conflict (bucket) do update set window_start = now(), hits = 2000000000`,
    [bucket],
  );
  await submitSignIn(page, person.email, person.password);
  await expect(page).toHaveURL(/\/sign-in/);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/Too many attempts\. Wait \d+ (seconds|minutes) and try again\./);
  await expect(page.getByLabel('Email')).toHaveValue(person.email);
});
