// Issue 4's security section in a real browser: the response headers every page carries,
// a CSP without 'unsafe-inline' scripts, and a hostile task title rendered as text on
// every page that shows it (list, detail, search), with no script ever running.
import { expect, test } from '@playwright/test';
import { newPerson, rest, signUp, taskRow, watchBrowserErrors } from './support/app.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

test('pages carry the security headers and a CSP without inline scripts', async ({ page }, testInfo) => {
  await signUp(page, newPerson('headers', testInfo));
  for (const path of ['/', '/sign-in', '/app', '/app/settings']) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    const h = response.headers();
    expect(h['x-content-type-options'], path).toBe('nosniff');
    expect(h['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    expect(h['permissions-policy'], path).toBeTruthy();
    expect(h['x-frame-options'], path).toBe('DENY');
    // HSTS is for production only: a development server on http must not pin itself.
    expect(h['strict-transport-security'], path).toBeUndefined();
    const csp = h['content-security-policy'] ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc, `${path}: ${csp}`).toMatch(/'self'/);
    expect(scriptSrc, `${path}: ${csp}`).not.toContain('unsafe-inline');
    expect(scriptSrc, `${path}: ${csp}`).toMatch(/'nonce-[^']+'|'sha256-[^']+'/);
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("object-src 'none'");
  }
});

test('a task titled like an HTML injection renders as text everywhere', async ({ page, baseURL }, testInfo) => {
  // Console errors, page errors and any alert() dialog.
  const errors = watchBrowserErrors(page);
  await signUp(page, newPerson('xss', testInfo));
  const api = rest(page, baseURL);
  const task = await api.createTask({ title: HOSTILE, notes: `**bold** ${HOSTILE} [x](javascript:alert(2))` });

  await page.goto('/app');
  await expect(taskRow(page, HOSTILE)).toBeVisible();
  await page.goto(`/app/tasks/${task.id}`);
  await expect(page.getByText(HOSTILE).first()).toBeVisible();
  await page.goto(`/app/search?q=${encodeURIComponent('onerror')}`);
  await expect(page.getByRole('list', { name: 'Search results' })).toContainText(HOSTILE);

  // Nowhere did the markup become an element, and nothing ran.
  for (const path of ['/app', `/app/tasks/${task.id}`, `/app/search?q=onerror`]) {
    await page.goto(path);
    expect(await page.locator('img[src="x"]').count(), path).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count(), path).toBe(0);
  }
  expect(errors).toEqual([]);
});
