// Shared helpers for the browser tests (tests/e2e): people signed up and in through the real
// forms, REST fixtures made with the page's own session cookie (so RLS applies exactly as for
// the person), and small keyboard/focus/size checks. Any spec may import them.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';
export const SCREENSHOTS = 'artifacts/screenshots';

export type Person = { name: string; email: string; password: string };

/** A person nobody has used yet (unique per test and project). */
export function newPerson(label: string, testInfo: TestInfo): Person {
  const id = randomUUID().slice(0, 8);
  return {
    name: `${label[0]!.toUpperCase()}${label.slice(1)} ${id}`,
    email: `e2e-${testInfo.project.name}-${label}-${id}@example.com`,
    password: PASSWORD,
  };
}

/** Full-page screenshot into the known folder, artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Signs up through the form; the page's context keeps the session cookie. */
export async function signUp(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
}

export async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app$/);
}

/** Sign out from the account menu (a native popover). */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** Script errors, CSP violations and script dialogs seen by the page. */
export function watchBrowserErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return errors;
}

export type TaskFields = Record<string, unknown>;
export type Task = { id: string; workspace_id: string; title: string; project_id: string | null };

/** REST (/rest/v1, the PostgREST dialect) as the signed-in browser; writes send the same-origin header. */
export function rest(page: Page, baseURL: string | undefined) {
  const headers = {
    origin: baseURL ?? '',
    accept: 'application/json',
    'content-type': 'application/json',
    prefer: 'return=representation',
  };
  async function call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, data?: unknown): Promise<T> {
    const response = await page.request.fetch(`/rest/v1/${path}`, {
      method,
      headers,
      ...(data === undefined ? {} : { data }),
    });
    expect(response.status(), `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
    return (await response.json()) as T;
  }
  return {
    call,
    async workspaceId(): Promise<string> {
      const rows = await call<{ id: string }[]>('GET', 'workspaces?select=id&kind=eq.personal');
      return rows[0]!.id;
    },
    async createProject(name: string): Promise<{ id: string; name: string }> {
      const workspace_id = await this.workspaceId();
      const rows = await call<{ id: string; name: string }[]>('POST', 'projects', { workspace_id, name });
      return rows[0]!;
    },
    async createTask(fields: TaskFields): Promise<Task> {
      const workspace_id = await this.workspaceId();
      const rows = await call<Task[]>('POST', 'tasks', { workspace_id, ...fields });
      return rows[0]!;
    },
    async tasks(query: string): Promise<Record<string, unknown>[]> {
      return call<Record<string, unknown>[]>('GET', `tasks?${query}`);
    },
    async projects(): Promise<{ id: string; name: string }[]> {
      return call<{ id: string; name: string }[]>('GET', 'projects?select=id,name');
    },
  };
}

/** Today (YYYY-MM-DD) in a time zone. */
export function todayIn(zone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}

/** The first "1st of a month" on or after today in `zone` (what "every 1st" starts on). */
export function nextFirstOfMonth(zone: string, now = new Date()): string {
  const [y, m, d] = todayIn(zone, now).split('-').map(Number) as [number, number, number];
  if (d === 1) return todayIn(zone, now);
  const next = new Date(Date.UTC(y, m, 1));
  return next.toISOString().slice(0, 10);
}

const isActive = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/** Presses Tab (or Shift+Tab) until `target` has focus: how a keyboard user gets there. */
export async function tabTo(page: Page, target: Locator, { max = 60, backwards = false } = {}): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await isActive(target)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  await expect(target, `reached by ${backwards ? 'Shift+' : ''}Tab within ${max} presses`).toBeFocused();
}

/** The focused element shows a visible focus indicator (an outline of at least 2 px, or a box shadow ring). */
export async function expectVisibleFocus(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    return {
      matches: element.matches(':focus-visible'),
      outline: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      shadow: style.boxShadow,
    };
  });
  expect(ring.matches, 'the element matches :focus-visible').toBe(true);
  const outlined = ring.outline !== 'none' && ring.width >= 2;
  const shadowed = ring.shadow !== 'none' && ring.shadow !== '';
  expect(outlined || shadowed, `focus ring: ${JSON.stringify(ring)}`).toBe(true);
}

/** A touch target at least 44×44 CSS pixels (WCAG 2.5.5 / the bar). */
export async function expectTouchTarget(target: Locator, min = 44): Promise<void> {
  await expect(target).toBeVisible();
  const box = await target.boundingBox();
  expect(box, 'has a box').not.toBeNull();
  const label = (await target.getAttribute('aria-label')) ?? (await target.innerText());
  expect(Math.round(box!.width), `width of “${label.trim()}”`).toBeGreaterThanOrEqual(min);
  expect(Math.round(box!.height), `height of “${label.trim()}”`).toBeGreaterThanOrEqual(min);
}

export const toasts = (page: Page) => page.getByRole('region', { name: 'Notifications' });
export const toast = (page: Page, text: string) => toasts(page).getByRole('listitem').filter({ hasText: text });
export const taskRow = (page: Page, title: string) => page.getByRole('row').filter({ hasText: title });

/**
 * Waits until the service worker controls the page. The worker claims open pages when it
 * activates; a page whose navigation (a reload) started before activation and committed
 * after the claim is not controlled until the next load, so that case reloads once.
 */
export async function controlled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}
