// axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA) finds zero violations on every page, in the
// light and the dark theme (the `theme` cookie, applied by the server in its first response),
// and full-page screenshots of the pages go to artifacts/screenshots/<page>-<theme>.png
// (light, dark, and a 375 px phone as <page>-mobile.png). One person, signed up once through
// the auth API, holds data on every page: tasks in the Inbox, today, upcoming and a project,
// a completed one, one in the Trash, and search results.
import AxeBuilder from '@axe-core/playwright';
import {
  expect,
  request as playwrightRequest,
  test,
  type Browser,
  type BrowserContextOptions,
  type Page,
} from '@playwright/test';
import { PASSWORD, screenshot, todayIn } from './support/app.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const ZONE = 'UTC';
const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];

type Fixture = {
  storageState: BrowserContextOptions['storageState'];
  taskId: string;
  projectId: string;
};
let fixture: Fixture;

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

test.beforeAll(async ({ baseURL }) => {
  const origin = baseURL!;
  const api = await playwrightRequest.newContext({ baseURL: origin, extraHTTPHeaders: { origin } });
  const email = `e2e-a11y-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const signUp = await api.post('/auth/sign-up/email', { data: { name: 'Ada Lovelace', email, password: PASSWORD } });
  expect(signUp.status(), await signUp.text()).toBe(200);
  const post = async <T>(path: string, data: unknown): Promise<T> => {
    const res = await api.post(`/rest/v1/${path}`, { data, headers: { prefer: 'return=representation' } });
    expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
    return ((await res.json()) as T[])[0]!;
  };
  const workspaces = await api.get('/rest/v1/workspaces?select=id&kind=eq.personal');
  const workspace_id = ((await workspaces.json()) as { id: string }[])[0]!.id;
  const today = todayIn(ZONE);
  const project = await post<{ id: string }>('projects', { workspace_id, name: 'Errands', color: 'green' });
  const task = await post<{ id: string }>('tasks', {
    workspace_id,
    title: 'Buy groceries for the week',
    notes: '**Milk**, *bread* and [a recipe](https://example.com).\n\n- eggs\n- apples',
    priority: 1,
    due_date: today,
    recurrence: 'FREQ=WEEKLY;BYDAY=MO',
  });
  await post('tasks', { workspace_id, title: 'Call the plumber', priority: 2 });
  await post('tasks', { workspace_id, title: 'Overdue invoice', due_date: addDays(today, -2), priority: 3 });
  await post('tasks', {
    workspace_id,
    title: 'Dentist appointment',
    due_date: addDays(today, 1),
    due_time: '09:30',
    due_tz: ZONE,
  });
  await post('tasks', {
    workspace_id,
    title: 'Grocery list for the party',
    project_id: project.id,
    due_date: addDays(today, 4),
  });
  await post('tasks', { workspace_id, title: 'Pick up parcel', project_id: project.id });
  await post('tasks', {
    workspace_id,
    title: 'Filed taxes',
    status: 'completed',
    completed_at: new Date().toISOString(),
  });
  await post('tasks', { workspace_id, title: 'Old idea', deleted_at: new Date().toISOString() });
  const label = await post<{ id: string }>('labels', { workspace_id, name: 'errands' });
  await post('task_labels', { workspace_id, task_id: task.id, label_id: label.id });
  fixture = { storageState: await api.storageState(), taskId: task.id, projectId: project.id };
  await api.dispose();
});

type PageCase = {
  /** File name in artifacts/screenshots and the test's name. */
  name: string;
  path: () => string;
  signedIn: boolean;
  /** Something the page shows once it is ready (and proves it has data). */
  ready: (page: Page) => ReturnType<Page['getByText']>;
  status?: number;
  /** One of the issue's main pages: also screenshotted at 375 px. */
  main?: boolean;
};

const h1 = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name });

const PAGES: PageCase[] = [
  { name: 'landing', path: () => '/', signedIn: false, ready: h1(/one calm list/), main: true },
  { name: 'sign-in', path: () => '/sign-in', signedIn: false, ready: h1('Sign in'), main: true },
  { name: 'sign-up', path: () => '/sign-up', signedIn: false, ready: h1(/account/i) },
  {
    name: 'inbox',
    path: () => '/app',
    signedIn: true,
    ready: (page) => page.getByRole('link', { name: 'Call the plumber' }),
    main: true,
  },
  {
    name: 'today',
    path: () => '/app/today',
    signedIn: true,
    ready: (page) => page.getByRole('link', { name: 'Overdue invoice' }),
    main: true,
  },
  {
    name: 'upcoming',
    path: () => '/app/upcoming',
    signedIn: true,
    ready: (page) => page.getByRole('link', { name: 'Dentist appointment' }),
    main: true,
  },
  {
    name: 'project',
    path: () => `/app/projects/${fixture.projectId}`,
    signedIn: true,
    ready: (page) => page.getByRole('main').getByRole('link', { name: 'Pick up parcel' }),
    main: true,
  },
  {
    name: 'task-detail',
    path: () => `/app/tasks/${fixture.taskId}`,
    signedIn: true,
    ready: (page) => page.getByTestId('notes-rendered'),
    main: true,
  },
  {
    name: 'completed',
    path: () => '/app/completed',
    signedIn: true,
    ready: (page) => page.getByRole('main').getByText('Filed taxes'),
    main: true,
  },
  {
    name: 'trash',
    path: () => '/app/trash',
    signedIn: true,
    ready: (page) => page.getByRole('list', { name: 'Deleted tasks' }).getByText('Old idea'),
    main: true,
  },
  {
    name: 'search',
    path: () => '/app/search?q=grocries',
    signedIn: true,
    ready: (page) => page.getByRole('list', { name: 'Search results' }).getByRole('link').first(),
    main: true,
  },
  { name: 'settings', path: () => '/app/settings', signedIn: true, ready: h1('Settings'), main: true },
  { name: 'api-keys', path: () => '/app/settings/api-keys', signedIn: true, ready: h1('API keys') },
  {
    name: 'two-factor',
    path: () => '/app/settings/two-factor',
    signedIn: true,
    ready: h1('Two-factor authentication'),
  },
  { name: 'step-up', path: () => '/step-up?redirectTo=%2Fapp', signedIn: true, ready: h1('Confirm it is you') },
  {
    name: 'delete-account',
    path: () => '/app/settings/delete-account',
    signedIn: true,
    ready: h1('Delete your account'),
  },
  { name: 'account-deleted', path: () => '/account-deleted', signedIn: false, ready: h1('Your account was deleted') },
  { name: 'connections', path: () => '/app/settings/connections', signedIn: true, ready: h1('Connections') },
  { name: 'settings-account', path: () => '/app/settings/account', signedIn: true, ready: h1('Account') },
  { name: 'forgot-password', path: () => '/forgot-password', signedIn: false, ready: h1('Reset your password') },
  {
    name: 'reset-password',
    path: () => '/reset-password?token=t',
    signedIn: false,
    ready: h1('Choose a new password'),
  },
  { name: 'magic-link', path: () => '/sign-in/magic-link', signedIn: false, ready: h1('Email me a sign-in link') },
  {
    name: 'verify-email',
    path: () => '/verify-email?token=t',
    signedIn: false,
    ready: h1('Confirm your email address'),
  },
  { name: 'passkeys', path: () => '/app/settings/passkeys', signedIn: true, ready: h1('Passkeys') },
  { name: 'sessions', path: () => '/app/settings/sessions', signedIn: true, ready: h1('Sessions') },
  { name: 'design', path: () => '/design', signedIn: false, ready: h1('Design system') },
  { name: 'report-bug', path: () => '/report-bug', signedIn: true, ready: h1(/bug/i) },
  {
    name: 'not-found',
    path: () => '/app/tasks/00000000-0000-4000-8000-000000000000',
    signedIn: true,
    ready: h1('Page not found'),
    status: 404,
  },
  { name: 'not-found-public', path: () => '/no-such-page', signedIn: false, ready: h1('Page not found'), status: 404 },
];

async function openPage(
  browser: Browser,
  baseURL: string | undefined,
  page: PageCase,
  theme: Theme,
  viewport = { width: 1280, height: 800 },
) {
  const context = await browser.newContext({
    baseURL,
    viewport,
    timezoneId: ZONE,
    colorScheme: theme,
    ...(page.signedIn ? { storageState: fixture.storageState } : {}),
  });
  await context.addCookies([{ name: 'theme', value: theme, url: baseURL ?? 'http://localhost' }]);
  const tab = await context.newPage();
  const response = await tab.goto(page.path());
  expect(response?.status(), page.path()).toBe(page.status ?? 200);
  await expect(tab.locator('html')).toHaveAttribute('data-theme', theme);
  await expect(page.ready(tab).first()).toBeVisible();
  // Hydrated, fonts loaded, nothing still animating in.
  await tab.waitForLoadState('networkidle');
  await tab.evaluate(() => document.fonts.ready.then(() => undefined));
  return { context, tab };
}

/** One line per violation and node: rule, impact, what to fix, and where. */
function formatViolations(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string {
  return violations
    .map((v) =>
      [
        `${v.id} (${v.impact ?? 'unknown'}): ${v.help} — ${v.helpUrl}`,
        ...v.nodes.map(
          (n) =>
            `    at ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

for (const theme of THEMES) {
  test.describe(`axe, ${theme} theme`, () => {
    for (const pageCase of PAGES) {
      test(`${pageCase.name} has no WCAG 2.2 AA violations (${theme})`, async ({ browser, baseURL }) => {
        const { context, tab } = await openPage(browser, baseURL, pageCase, theme);
        const results = await new AxeBuilder({ page: tab }).withTags(TAGS).analyze();
        await screenshot(tab, `${pageCase.name}-${theme}`);
        const report = formatViolations(results.violations);
        expect(
          results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
          `axe on ${pageCase.path()} (${theme}):\n${report}`,
        ).toEqual([]);
        await context.close();
      });
    }
  });
}

test('screenshots of the main pages on a 375 px phone, none scrolling sideways', async ({ browser, baseURL }) => {
  const sideways: string[] = [];
  for (const pageCase of PAGES.filter((p) => p.main)) {
    const { context, tab } = await openPage(browser, baseURL, pageCase, 'light', { width: 375, height: 812 });
    const widths = await tab.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    await screenshot(tab, `${pageCase.name}-mobile`);
    if (widths.scroll > widths.client)
      sideways.push(`${pageCase.path()}: ${widths.scroll} px wide in ${widths.client} px`);
    await context.close();
  }
  // WCAG 1.4.10 (reflow): nothing may scroll sideways at phone width.
  expect(sideways).toEqual([]);
});
