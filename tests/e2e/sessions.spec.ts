// Settings → Sessions in two real browsers (contexts) of the same person, with and without
// JavaScript (both projects): each sees both sessions, "this device" marked; revoking the
// other one sends its next request to sign-in. "Remember me" off gives a browser-session
// cookie (no Max-Age/Expires).
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { newPerson, signUp, type Person } from './support/app.ts';

type Device = { context: BrowserContext; page: Page };

async function device(browser: Browser, baseURL: string | undefined, javaScriptEnabled: boolean): Promise<Device> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled, viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

async function signInWith(page: Page, person: Person, rememberMe: boolean) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByLabel('Keep me signed in on this device').setChecked(rememberMe);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app$/);
}

async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith('session_token'));
  expect(cookie, 'a session cookie').toBeTruthy();
  return cookie!;
}

test('two devices see both sessions; revoking the other signs it out', async ({
  browser,
  baseURL,
  javaScriptEnabled,
}, testInfo) => {
  const person = newPerson('sessions', testInfo);
  const laptop = await device(browser, baseURL, javaScriptEnabled);
  const phone = await device(browser, baseURL, javaScriptEnabled);
  try {
    await signUp(laptop.page, person);
    await signInWith(phone.page, person, true);

    await laptop.page.goto('/app/settings/sessions');
    await expect(laptop.page.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible();
    await expect(laptop.page.getByRole('link', { name: 'Sessions' })).toHaveAttribute('aria-current', 'page');
    const rows = laptop.page.getByTestId('session-row');
    await expect(rows).toHaveCount(2);
    const current = rows.filter({ hasText: 'This device' });
    await expect(current).toHaveCount(1);
    await expect(current.getByRole('button')).toHaveCount(0);
    await expect(rows.first()).toContainText('Chrome');
    await expect(rows.first()).toContainText('IP address');

    const other = rows.filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: /^Sign out / }).click();
    await expect(laptop.page.getByRole('status').filter({ hasText: 'Signed out that session' })).toBeVisible();
    await expect(rows).toHaveCount(1);
    await expect(laptop.page.getByText('This is your only session.')).toBeVisible();

    // The phone's next request lands on sign-in; the laptop is still signed in.
    await phone.page.goto('/app');
    await expect(phone.page).toHaveURL(/\/sign-in/);
    await laptop.page.goto('/app');
    await expect(laptop.page).toHaveURL(/\/app$/);
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test('sign out all other sessions keeps only this one', async ({ browser, baseURL, javaScriptEnabled }, testInfo) => {
  const person = newPerson('sessions-all', testInfo);
  const main = await device(browser, baseURL, javaScriptEnabled);
  const a = await device(browser, baseURL, javaScriptEnabled);
  const b = await device(browser, baseURL, javaScriptEnabled);
  try {
    await signUp(main.page, person);
    await signInWith(a.page, person, true);
    await signInWith(b.page, person, false);
    await main.page.goto('/app/settings/sessions');
    await expect(main.page.getByTestId('session-row')).toHaveCount(3);
    await main.page.getByRole('button', { name: 'Sign out all other sessions (2)' }).click();
    await expect(main.page.getByRole('status').filter({ hasText: 'Signed out every other session' })).toBeVisible();
    await expect(main.page.getByTestId('session-row')).toHaveCount(1);
    for (const other of [a, b]) {
      await other.page.goto('/app');
      await expect(other.page).toHaveURL(/\/sign-in/);
    }
  } finally {
    await Promise.all([main.context.close(), a.context.close(), b.context.close()]);
  }
});

test('"keep me signed in" off sets a browser-session cookie; on sets a lasting one', async ({
  browser,
  baseURL,
  javaScriptEnabled,
}, testInfo) => {
  const person = newPerson('remember', testInfo);
  const first = await device(browser, baseURL, javaScriptEnabled);
  const forgetful = await device(browser, baseURL, javaScriptEnabled);
  const lasting = await device(browser, baseURL, javaScriptEnabled);
  try {
    await signUp(first.page, person);
    await signInWith(forgetful.page, person, false);
    // Playwright reports a cookie without Max-Age/Expires as expires = -1.
    expect((await sessionCookie(forgetful.context)).expires).toBe(-1);
    await signInWith(lasting.page, person, true);
    expect((await sessionCookie(lasting.context)).expires).toBeGreaterThan(Date.now() / 1000 + 86_400);
  } finally {
    await Promise.all([first.context.close(), forgetful.context.close(), lasting.context.close()]);
  }
});
