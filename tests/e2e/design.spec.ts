// The design system and the app shell in a real browser (playwright.config.ts runs every
// test with and without JavaScript): /design renders every component, the theme is in the
// server's first response (no flash), the switcher works both ways, the shell is usable by
// keyboard alone, axe finds nothing on /design in either theme, and nothing scrolls
// sideways at 320 px.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

const PASSWORD = 'correct horse battery staple';
const SCREENSHOTS = 'artifacts/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

const scripted = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

async function snap(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${testInfo.project.name}-design-${step}.png`, fullPage: true });
}

/** Console errors include CSP violations: a blocked style or script would show up here. */
function collectBrowserErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function signUp(page: Page, testInfo: TestInfo): Promise<string> {
  const id = randomUUID().slice(0, 8);
  const name = `Shell ${id}`;
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(`e2e-${testInfo.project.name}-shell-${id}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/app$/);
  return name;
}

async function setThemeCookie(page: Page, baseURL: string | undefined, theme: string): Promise<void> {
  await page.context().addCookies([{ name: 'theme', value: theme, url: baseURL ?? 'http://localhost' }]);
}

async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

test('/design shows every component section, without errors', async ({ page }, testInfo) => {
  const errors = collectBrowserErrors(page);
  await page.goto('/design');
  await expect(page.getByRole('heading', { level: 1, name: 'Design system' })).toBeVisible();
  for (const section of [
    'Both themes',
    'Tokens',
    'Buttons',
    'Fields',
    'Checkboxes',
    'Dialog and menu',
    'Feedback',
    'Chips, badges, keys',
    'Loading and empty',
    'Error boundary',
  ]) {
    await expect(page.getByRole('heading', { level: 2, name: section, exact: true })).toBeVisible();
  }
  // States: an invalid field is marked and described, a loading button is busy.
  const due = page.getByLabel('Due date');
  await expect(due).toHaveAttribute('aria-invalid', 'true');
  await expect(due).toHaveAccessibleDescription(/real date/);
  await expect(page.getByRole('button', { name: 'Saving…' })).toHaveAttribute('aria-busy', 'true');
  await expect(page.getByRole('button', { name: 'Disabled', exact: true }).first()).toBeDisabled();
  // The same sample in both themes, side by side.
  await expect(page.getByTestId('preview-light')).toHaveAttribute('data-theme', 'light');
  await expect(page.getByTestId('preview-dark')).toHaveAttribute('data-theme', 'dark');
  const previewBackgrounds = await Promise.all(
    ['light', 'dark'].map((theme) =>
      page.getByTestId(`preview-${theme}`).evaluate((element) => getComputedStyle(element).backgroundColor),
    ),
  );
  expect(previewBackgrounds[0]).not.toEqual(previewBackgrounds[1]);

  if (scripted(testInfo)) {
    // Interactive pieces: a chip goes, the dialog opens and closes, the boundary recovers.
    await page.getByRole('button', { name: 'Remove every Monday' }).click();
    await expect(page.getByTestId('chips').getByText('every Monday')).toHaveCount(0);

    await page.getByRole('button', { name: 'Open dialog' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename project' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Name')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Open dialog' })).toBeFocused();

    await page.getByRole('button', { name: 'Actions for “Pay rent”' }).click();
    await expect(page.getByRole('menu')).toBeVisible();
    await page.getByRole('menuitem', { name: /Complete/ }).click();
    await expect(page.getByText('Last menu action: Complete')).toBeVisible();

    await page.getByRole('button', { name: 'Success toast' }).click();
    await expect(page.getByTestId('announcer-polite')).toHaveText('Task completed.');
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Task completed.');

    await page.getByLabel('Break the widget').check();
    const failure = page.getByRole('alert').filter({ hasText: 'could not be shown' });
    await expect(failure).toBeVisible();
    // The rest of the page still works while the widget is down.
    await expect(page.getByRole('heading', { level: 1, name: 'Design system' })).toBeVisible();
    // Whatever broke it is fixed; Retry renders the widget again.
    await page.getByLabel('Break the widget').uncheck();
    await expect(failure).toBeVisible();
    await failure.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByText('This widget renders fine.')).toBeVisible();
    // The demo widget throws on purpose; that is the only error allowed.
    const unexpected = errors.filter((message) => !message.includes('failed on purpose'));
    expect(unexpected).toEqual([]);
  } else {
    expect(errors).toEqual([]);
  }
  await snap(page, testInfo, 'page');
});

test('the theme from the cookie is in the very first response', async ({ request }) => {
  for (const theme of ['light', 'dark', 'system']) {
    const response = await request.get('/design', { headers: { cookie: `theme=${theme}` } });
    expect(response.status()).toBe(200);
    // The HTML as the server sent it, before any script could run.
    expect(await response.text()).toContain(`<html lang="en" data-theme="${theme}">`);
  }
  // No cookie, or one that is not a theme, is "system"; nothing from the cookie reaches the page.
  const none = await request.get('/design', { headers: { cookie: '' } });
  expect(await none.text()).toContain('<html lang="en" data-theme="system">');
  const hostile = await request.get('/design', { headers: { cookie: 'theme="><script>alert(1)</script>' } });
  const html = await hostile.text();
  expect(html).toContain('<html lang="en" data-theme="system">');
  expect(html).not.toContain('<script>alert(1)');
});

test('the theme switcher changes the theme and remembers it', async ({ page, baseURL }, testInfo) => {
  await setThemeCookie(page, baseURL, 'light');
  await page.goto('/design');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  const switcher = page.getByRole('group', { name: 'Theme', exact: true });
  await switcher.getByRole('radio', { name: 'Dark' }).check();
  if (!scripted(testInfo)) {
    // Without JavaScript the form posts to /theme, which sets the cookie and comes back.
    await switcher.locator('..').getByRole('button', { name: 'Apply theme' }).click();
    await expect(page).toHaveURL(/\/design$/);
  } else {
    await expect(page.getByRole('button', { name: 'Apply theme' })).toHaveCount(0);
  }
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect(switcher.getByRole('radio', { name: 'Dark' })).toBeChecked();
  const darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(darkBackground).not.toEqual(lightBackground);
  const cookie = (await page.context().cookies()).find((candidate) => candidate.name === 'theme');
  expect(cookie?.value).toBe('dark');

  // The next page load comes from the server already dark.
  const response = await page.reload();
  expect(await response?.text()).toContain('data-theme="dark"');
  await snap(page, testInfo, 'dark');

  // "System" follows the operating system's preference.
  await page.getByRole('group', { name: 'Theme', exact: true }).getByRole('radio', { name: 'System' }).check();
  if (!scripted(testInfo)) await page.getByRole('button', { name: 'Apply theme' }).first().click();
  await expect(html).toHaveAttribute('data-theme', 'system');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toEqual(lightBackground);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toEqual(darkBackground);
});

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no violations on /design (${theme})`, async ({ browser, baseURL }, testInfo) => {
    // axe runs as a script in the page. For the no-JavaScript project the page's own
    // scripts are blocked instead, so axe checks the server-rendered HTML that visitor gets.
    const context = await browser.newContext({ baseURL, javaScriptEnabled: true });
    const page = await context.newPage();
    if (!scripted(testInfo)) await page.route('**/_app/immutable/**/*.js', (route) => route.abort());
    await setThemeCookie(page, baseURL, theme);
    await page.goto('/design');
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
      .analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary).toEqual([]);
    await snap(page, testInfo, `axe-${theme}`);
    await context.close();
  });
}

test('the shell works by keyboard: skip link, nav, focus ring, shortcut help', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Inbox' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Today' })).not.toHaveAttribute('aria-current', 'page');

  // Tab from the top of the page: the skip link first, then on to the sidebar's Inbox link.
  await page.goto('/app');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  const inbox = nav.getByRole('link', { name: 'Inbox' });
  for (let i = 0; i < 12; i += 1) {
    if (await inbox.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(inbox).toBeFocused();
  const ring = await inbox.evaluate((element) => {
    const style = getComputedStyle(element);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style).toBe('solid');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  await snap(page, testInfo, 'shell-focus');

  // "Add task" in the header: quick add on every app page; without JavaScript it takes the
  // person to the Inbox's add field.
  if (!scripted(testInfo)) {
    await page.goto('/app/settings');
    await page.getByRole('banner').getByRole('button', { name: 'Add task', exact: true }).click();
    await expect(page).toHaveURL(/\/app\?add=1$/);
    return;
  }
  await page.getByRole('banner').getByRole('button', { name: 'Add task', exact: true }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await inbox.focus();

  // `?` opens the help, which lists the registered shortcuts; Escape closes it and focus
  // goes back where it was.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByTestId('shortcut-list')).toContainText('Show keyboard shortcuts');
  await expect(help.getByTestId('shortcut-list')).toContainText('Search');
  await snap(page, testInfo, 'shortcut-help');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(inbox).toBeFocused();

  // The account menu opens from the keyboard and offers the same help.
  await page.getByRole('button', { name: /^Account menu/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // `/` goes to search.
  await page.keyboard.press('/');
  await expect(page).toHaveURL(/\/app\/search$/);
});

test('320 px: nothing scrolls sideways and the navigation is one tap away', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/design');
  expect(await hasHorizontalScroll(page)).toBe(false);
  await snap(page, testInfo, '320-design');

  await signUp(page, testInfo);
  expect(await hasHorizontalScroll(page)).toBe(false);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Inbox' })).toBeHidden();
  // The drawer is a native popover: it opens without JavaScript too.
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await expect(nav.getByRole('link', { name: 'Inbox' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Settings' })).toBeVisible();
  await snap(page, testInfo, '320-drawer');
  await page.getByRole('button', { name: 'Close menu' }).click();
  await expect(nav.getByRole('link', { name: 'Inbox' })).toBeHidden();

  // The account menu fits and signs out.
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(await hasHorizontalScroll(page)).toBe(false);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('reduced motion switches the motion tokens off', async ({ page }) => {
  // In milliseconds, whatever unit the CSS minifier chose (200ms may ship as .2s).
  const duration = async () => {
    const value = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--duration-normal').trim(),
    );
    return value.endsWith('ms') ? parseFloat(value) : parseFloat(value) * 1000;
  };
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('/design');
  expect(await duration()).toBe(200);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await duration()).toBe(0);
});

test('right-to-left: the shell mirrors and nothing overflows', async ({ page }, testInfo) => {
  await signUp(page, testInfo);
  const navBox = () => page.getByRole('navigation', { name: 'Main' }).boundingBox();
  const mainBox = () => page.locator('main').boundingBox();
  expect((await navBox())!.x).toBeLessThan((await mainBox())!.x);
  // Logical properties only: flipping the direction is all it takes.
  await page.evaluate(() => document.documentElement.setAttribute('dir', 'rtl'));
  expect((await navBox())!.x).toBeGreaterThan((await mainBox())!.x);
  expect(await hasHorizontalScroll(page)).toBe(false);
  await snap(page, testInfo, 'rtl');
});
