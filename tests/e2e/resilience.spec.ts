// Resilience in a real browser against the production build: web vitals and uncaught
// errors reach the telemetry tables, and "Report a bug" stores a report with the route,
// the app version and the reporter, with JavaScript (JSON to /api/v1/bug-reports, recent
// errors, a screenshot) and without it (the form action). playwright.config.ts runs every
// test with and without JavaScript; telemetry needs JavaScript, so without it those tests
// check that pages still work and send nothing.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, signUp as signUpPerson } from './support/app.ts';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
  'base64',
);

const SCREENSHOTS = 'artifacts/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

async function snap(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${testInfo.project.name}-report-bug-${step}.png`, fullPage: true });
}

/**
 * axe-core finds no WCAG 2.2 A/AA violation on the page as it is now. axe runs as a script
 * in the page, so only where JavaScript is on (the markup is the same without it).
 */
async function expectAccessible(page: Page, testInfo: TestInfo): Promise<void> {
  if (testInfo.project.use.javaScriptEnabled === false) return;
  // Light and dark (the system theme follows the browser's colour scheme).
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

const scripted = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

async function dbNow(): Promise<Date> {
  const { rows } = await superuserQuery<{ now: Date }>('select clock_timestamp() as now');
  return rows[0]!.now;
}

async function signUp(page: Page, testInfo: TestInfo): Promise<{ email: string; name: string }> {
  const person = newPerson('reporter', testInfo);
  await signUpPerson(page, person);
  return person;
}

async function userId(email: string): Promise<string> {
  const { rows } = await superuserQuery<{ id: string }>(
    'select id from identity.users where lower(email) = lower($1)',
    [email],
  );
  return rows[0]!.id;
}

/** Wait until the lazily loaded telemetry module listens (hooks.client.ts loads it when idle). */
async function telemetryReady(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-telemetry', 'ready');
}

/**
 * The page becomes hidden, as when the person switches tabs: headless Chromium never hides
 * a page by itself, so the document says it is hidden and the event fires.
 */
async function hidePage(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function vitalsSince(since: Date, route: string): Promise<string[]> {
  const { rows } = await superuserQuery<{ name: string }>(
    `select distinct name from telemetry.web_vitals where received_at >= $1 and route = $2 order by name`,
    [since, route],
  );
  return rows.map((r) => r.name);
}

async function bugReportCount(): Promise<number> {
  const { rows } = await superuserQuery<{ n: string }>('select count(*) as n from support.bug_reports');
  return Number(rows[0]!.n);
}

type StoredReport = {
  user_id: string | null;
  description: string;
  route: string | null;
  app_version: string | null;
  user_agent: string | null;
  client_errors: { message: string; route?: string }[];
  screenshot: string | null;
};

async function storedReport(id: string): Promise<StoredReport | undefined> {
  const { rows } = await superuserQuery<StoredReport>(
    `select user_id, description, route, app_version, user_agent, client_errors, screenshot
       from support.bug_reports where id = $1`,
    [id],
  );
  return rows[0];
}

test('web vitals are sent when the page is hidden and land in the telemetry tables', async ({ page }, testInfo) => {
  const since = await dbNow();
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  if (!scripted(testInfo)) {
    // Without JavaScript there is no telemetry, and the page works as plain HTML.
    expect(await page.locator('html').getAttribute('data-telemetry')).toBeNull();
    await page.goto('/');
    expect(await vitalsSince(since, '/sign-in')).toEqual([]);
    return;
  }
  await telemetryReady(page);
  // A real input finalises LCP (web-vitals waits for one, or for the page to be hidden).
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).click();
  await hidePage(page);
  // The route is the route id without its layout group, not a URL.
  await expect
    .poll(() => vitalsSince(since, '/sign-in'), { timeout: 15_000 })
    .toEqual(expect.arrayContaining(['CLS', 'FCP', 'LCP', 'TTFB']));
  const { rows } = await superuserQuery<{ name: string; value: number; rating: string; app_version: string }>(
    `select name, value, rating, navigation_type, app_version from telemetry.web_vitals
      where received_at >= $1 and route = '/sign-in'`,
    [since],
  );
  for (const row of rows) {
    expect(row.value).toBeGreaterThanOrEqual(0);
    expect(['good', 'needs-improvement', 'poor']).toContain(row.rating);
    expect(row.app_version).toMatch(/\S/);
  }
});

test('an uncaught client error is recorded, and a bug report carries it with a screenshot', async ({
  page,
}, testInfo) => {
  const marker = `e2e-boom-${randomUUID().slice(0, 8)}`;
  const person = await signUp(page, testInfo);
  const since = await dbNow();

  if (scripted(testInfo)) {
    await telemetryReady(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Thrown outside any handler: only the window 'error' listener sees it. The query
    // string and the e-mail address must not reach the database.
    await page.evaluate((m) => {
      setTimeout(() => {
        throw new Error(`${m} at https://example.com/x?token=secret for ada@example.com`);
      }, 0);
    }, marker);
    await expect.poll(() => pageErrors.length).toBe(1);
    await expect
      .poll(
        async () => {
          const { rows } = await superuserQuery<{ message: string; route: string; stack: string | null }>(
            `select message, route, stack from telemetry.client_errors where received_at >= $1 and message like $2`,
            [since, `%${marker}%`],
          );
          return rows;
        },
        { timeout: 15_000 },
      )
      .toEqual([
        {
          message: `${marker} at https://example.com/x for [email]`,
          route: '/app',
          stack: expect.stringContaining(marker) as unknown as string,
        },
      ]);
  }

  // "Report a bug" from the account menu names the page it was opened on.
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('link', { name: 'Report a bug' }).click();
  await expect(page).toHaveURL(/\/report-bug\?route=%2Fapp$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Report a bug' })).toBeVisible();
  if (scripted(testInfo)) await expect(page.getByTestId('recent-error-count')).toHaveText('1');
  // A query string on ?route= is dropped; recent errors survive a reload (sessionStorage).
  await page.goto('/report-bug?route=%2Fapp%3Fq%3Dprivate');
  await expect(page.getByRole('heading', { level: 1, name: 'Report a bug' })).toBeVisible();
  const summary = page.getByRole('region', { name: 'What will be sent' });
  // The path only: the query string is dropped.
  await expect(summary.locator('dt:text-is("Page") + dd')).toHaveText('/app');
  await expect(summary.getByText(`Yours (${person.name})`)).toBeVisible();
  const version = (await summary.locator('dt:text-is("App version") + dd').textContent())?.trim() ?? '';
  expect(version).not.toBe('');
  if (scripted(testInfo)) {
    await expect(page.getByTestId('recent-error-count')).toHaveText('1');
    await summary.getByText('View the recent error').click();
    await expect(summary.getByText(marker, { exact: false }).first()).toBeVisible();
  }
  await expectAccessible(page, testInfo);

  await page.getByLabel('What went wrong?').fill(`The list did not refresh (${marker})`);
  await page.getByLabel('Attach a screenshot (optional)').setInputFiles({
    name: 'screen.png',
    mimeType: 'image/png',
    buffer: PNG,
  });
  if (scripted(testInfo)) {
    await expect(page.getByRole('img', { name: 'The screenshot that will be sent' })).toBeVisible();
    await expect(summary.getByText('Attached')).toBeVisible();
  }
  await snap(page, testInfo, 'filled');
  await page.getByRole('button', { name: 'Send report' }).click();

  const sent = page.getByRole('heading', { level: 1, name: 'Thank you, your report was sent' });
  await expect(sent).toBeVisible();
  if (scripted(testInfo)) await expect(sent).toBeFocused();
  await snap(page, testInfo, 'sent');
  const id = (await page.getByTestId('report-id').textContent())?.trim() ?? '';
  expect(id).toMatch(/^[0-9a-f-]{36}$/);

  const report = await storedReport(id);
  expect(report).toBeDefined();
  expect(report!.user_id).toBe(await userId(person.email));
  expect(report!.description).toBe(`The list did not refresh (${marker})`);
  expect(report!.route).toBe('/app');
  expect(report!.app_version).toBe(version);
  expect(report!.user_agent).toMatch(/Chrom/);
  expect(report!.screenshot).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
  if (scripted(testInfo)) {
    expect(report!.client_errors).toHaveLength(1);
    expect(report!.client_errors[0]!.message).toContain(marker);
    expect(report!.client_errors[0]!.message).not.toContain('token=secret');
  } else {
    expect(report!.client_errors).toEqual([]);
  }
  await expect(page.getByRole('link', { name: 'Back to where you were' })).toHaveAttribute('href', '/app');
});

test('a report without a description is refused with the error on the field, and nothing is stored', async ({
  page,
}, testInfo) => {
  const before = await bugReportCount();
  // From an error screen, signed out.
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Report a bug' }).click();
  await expect(page).toHaveURL(/\/report-bug\?route=%2Fno-such-page$/);
  await expect(
    page.getByRole('region', { name: 'What will be sent' }).getByText('None: you are not signed in'),
  ).toBeVisible();
  const description = page.getByLabel('What went wrong?');
  // With JavaScript the page checks before sending; without it, spaces pass the browser's
  // `required` and the server refuses them.
  await description.fill(scripted(testInfo) ? '' : '   ');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('alert')).toContainText('The report was not sent');
  await expect(page.getByText('Describe what went wrong.')).toBeVisible();
  await expect(description).toHaveAttribute('aria-invalid', 'true');
  await expect(description).toBeFocused();
  expect(await bugReportCount()).toBe(before);
  await snap(page, testInfo, 'refused');
  await expectAccessible(page, testInfo);

  // A file that only claims to be a PNG is refused too.
  await description.fill('The page froze');
  await page.getByLabel('Attach a screenshot (optional)').setInputFiles({
    name: 'fake.png',
    mimeType: 'image/png',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  });
  if (scripted(testInfo)) {
    await expect(page.getByText('That file is not a PNG or JPEG image')).toBeVisible();
  } else {
    await page.getByRole('button', { name: 'Send report' }).click();
    await expect(page.getByText('Choose a PNG or JPEG image.')).toBeVisible();
    expect(await bugReportCount()).toBe(before);
    await page.getByLabel('Attach a screenshot (optional)').setInputFiles([]);
  }

  // Fixed, it goes through, signed out: no user on the report.
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Thank you, your report was sent' })).toBeVisible();
  const id = (await page.getByTestId('report-id').textContent())?.trim() ?? '';
  const report = await storedReport(id);
  expect(report?.user_id).toBeNull();
  expect(report?.route).toBe('/no-such-page');
  expect(report?.screenshot).toBeNull();
  expect(await bugReportCount()).toBe(before + 1);
});
