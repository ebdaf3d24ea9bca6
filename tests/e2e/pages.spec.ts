// The secondary pages of the app in a real browser: task detail (Markdown notes, due date
// and time, priority, labels, project), Trash, Completed, Projects, Search and Settings.
// playwright.config.ts runs every test twice: with JavaScript and without it. Fixtures are
// made through the REST API with the page's own session cookie, so each test starts from
// exactly the data it needs and the pages under test are the only UI exercised.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

const PASSWORD = 'correct horse battery staple';
const SCREENSHOTS = 'artifacts/screenshots';
const XSS = '<img src=x onerror=alert(1)>';
mkdirSync(SCREENSHOTS, { recursive: true });

type Task = { id: string; workspace_id: string; title: string };

async function snap(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/pages-${testInfo.project.name}-${step}.png`, fullPage: true });
}

/** Signs a new person up through the form; the context keeps the session cookie. */
async function signUp(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  const id = randomUUID().slice(0, 8);
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(`${label} ${id}`);
  await page.getByLabel('Email').fill(`e2e-pages-${testInfo.project.name}-${label}-${id}@example.com`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/app$/);
}

/** Script dialogs (alert, confirm) and page errors: an XSS payload that ran would show here. */
function watchForScripts(page: Page): string[] {
  const fired: string[] = [];
  page.on('dialog', (dialog) => {
    fired.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => fired.push(error.message));
  return fired;
}

async function rest<T>(page: Page, method: 'GET' | 'POST' | 'PATCH', path: string, data?: unknown): Promise<T> {
  const response = await page.request.fetch(`/rest/v1/${path}`, {
    method,
    headers: { accept: 'application/json', prefer: 'return=representation' },
    ...(data === undefined ? {} : { data }),
  });
  expect(response.status(), `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function workspaceId(page: Page): Promise<string> {
  const rows = await rest<{ id: string }[]>(page, 'GET', 'workspaces?select=id&kind=eq.personal');
  return rows[0]!.id;
}

async function createTask(page: Page, fields: Record<string, unknown>): Promise<Task> {
  const workspace = await workspaceId(page);
  const rows = await rest<Task[]>(page, 'POST', 'tasks', { workspace_id: workspace, ...fields });
  return rows[0]!;
}

async function readTask(page: Page, id: string): Promise<Record<string, unknown> | undefined> {
  const rows = await rest<Record<string, unknown>[]>(
    page,
    'GET',
    `tasks?id=eq.${id}&select=title,notes,status,priority,due_date,due_time,due_tz,project_id,deleted_at,task_labels(labels(name))`,
  );
  return rows[0];
}

test('task detail: Markdown notes render safely, and date, time, priority, labels and project are saved', async ({
  page,
}, testInfo) => {
  const fired = watchForScripts(page);
  await signUp(page, testInfo, 'detail');
  const workspace = await workspaceId(page);
  const [project] = await rest<{ id: string }[]>(page, 'POST', 'projects', { workspace_id: workspace, name: 'Home' });
  // The title itself is the XSS payload: it must read as text on every page it appears on.
  const task = await createTask(page, { title: XSS, recurrence: 'FREQ=WEEKLY;BYDAY=MO' });

  await page.goto(`/app/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: XSS })).toBeVisible();
  await expect(page.getByTestId('recurrence')).toHaveText('Every week on Monday');

  const notes = `**Bold move** then *calm*.\n\n${XSS}\n\n[safe](https://example.com) [evil](javascript:alert(1))`;
  await page.getByLabel('Notes (optional)').fill(notes);
  if (testInfo.project.name === 'chromium') {
    // The preview renders the Markdown in the browser with the same renderer as the server.
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('notes-preview');
    await expect(preview.locator('strong')).toHaveText('Bold move');
    await expect(preview).toContainText(XSS);
    await expect(preview.locator('img')).toHaveCount(0);
    await page.getByRole('button', { name: 'Write' }).click();
  }
  await page.getByLabel('Due date (optional)').fill('2031-03-14');
  await page.getByLabel('Time (optional)').fill('17:30');
  await page.getByLabel('Priority').selectOption({ label: 'P1 · Urgent' });
  await page.getByLabel('Project', { exact: true }).selectOption({ label: 'Home' });
  await page.getByLabel('Add labels').fill('errands, @Weekend');
  const zone = ((await page.locator('#dueTime-hint').textContent()) ?? '').replace(/^In (.+)\.$/, '$1');
  expect(zone).not.toBe('');
  await snap(page, testInfo, '01-detail-edit');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/app$/);

  await page.goto(`/app/tasks/${task.id}`);
  const rendered = page.getByTestId('notes-rendered');
  await expect(rendered.locator('strong')).toHaveText('Bold move');
  await expect(rendered.locator('em')).toHaveText('calm');
  await expect(rendered).toContainText(XSS);
  await expect(rendered.locator('img')).toHaveCount(0);
  const safe = rendered.getByRole('link', { name: 'safe' });
  await expect(safe).toHaveAttribute('href', 'https://example.com');
  await expect(safe).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await expect(rendered.getByRole('link', { name: 'evil' })).toHaveCount(0);
  await expect(page.getByLabel('Due date (optional)')).toHaveValue('2031-03-14');
  await expect(page.getByLabel('Time (optional)')).toHaveValue('17:30');
  await expect(page.getByLabel('Priority')).toHaveValue('1');
  await expect(page.getByLabel('Project', { exact: true })).toHaveValue(project!.id);
  await expect(page.getByLabel('@errands')).toBeChecked();
  await expect(page.getByLabel('@Weekend')).toBeChecked();
  await snap(page, testInfo, '02-detail-saved');

  const saved = await readTask(page, task.id);
  expect(saved).toMatchObject({
    notes,
    priority: 1,
    due_date: '2031-03-14',
    due_time: '17:30:00',
    // The person's zone (nobody saved one: the browser's, or UTC without JavaScript).
    due_tz: zone,
    project_id: project!.id,
  });
  const labels = (saved!.task_labels as { labels: { name: string } }[]).map((l) => l.labels.name).sort();
  expect(labels).toEqual(['Weekend', 'errands']);

  // Remove a label and clear the time: both stick.
  await page.getByLabel('@Weekend').uncheck();
  await page.getByLabel('Time (optional)').fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/app$/);
  const again = await readTask(page, task.id);
  expect(again).toMatchObject({ due_time: null, due_date: '2031-03-14' });
  expect((again!.task_labels as unknown[]).length).toBe(1);

  // A time without a date is refused on the field, with focus on it, and nothing is written.
  await page.goto(`/app/tasks/${task.id}`);
  await page.getByLabel('Due date (optional)').fill('');
  await page.getByLabel('Time (optional)').fill('09:00');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const time = page.getByLabel('Time (optional)');
  await expect(time).toHaveAttribute('aria-invalid', 'true');
  await expect(time).toBeFocused();
  await expect(page.getByText('Pick a due date for this time, or clear the time.')).toBeVisible();
  expect((await readTask(page, task.id))!.due_date).toBe('2031-03-14');

  expect(fired).toEqual([]);
});

test('trash: a deleted task can be restored, then deleted forever', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'trash');
  const keep = await createTask(page, { title: 'Water the plants' });
  const task = await createTask(page, { title: 'Cancel the gym' });

  await page.goto(`/app/tasks/${task.id}`);
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(page).toHaveURL(/\/app$/);

  await page.goto('/app/trash');
  await expect(page.getByRole('heading', { level: 1, name: 'Trash' })).toBeVisible();
  const list = page.getByRole('list', { name: 'Deleted tasks' });
  await expect(list.getByText('Cancel the gym')).toBeVisible();
  await expect(list.getByText('Water the plants')).toHaveCount(0);
  await snap(page, testInfo, '03-trash');

  await page.getByRole('button', { name: 'Restore “Cancel the gym”' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Cancel the gym”.' })).toBeAttached();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  expect((await readTask(page, task.id))!.deleted_at).toBeNull();
  await page.goto(`/app/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 2, name: 'Cancel the gym' })).toBeVisible();

  // Delete again, then for good: a confirmation comes first (a modal dialog, or a page section without JS).
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await page.goto('/app/trash');
  await page.getByRole('button', { name: 'Delete forever “Cancel the gym”' }).click();
  const ask =
    testInfo.project.name === 'chromium'
      ? page.getByRole('dialog', { name: 'Delete “Cancel the gym” forever?' })
      : page.getByRole('region', { name: 'Delete “Cancel the gym” forever?' });
  await expect(ask).toBeVisible();
  await snap(page, testInfo, '04-trash-confirm');
  // Nothing is gone before the confirmation.
  expect(await readTask(page, task.id)).toBeDefined();
  await ask.getByRole('button', { name: 'Delete forever' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Cancel the gym” forever.' })).toBeAttached();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  expect(await readTask(page, task.id)).toBeUndefined();
  const gone = await page.goto(`/app/tasks/${task.id}`);
  expect(gone?.status()).toBe(404);

  // Empty trash, also behind a confirmation; only trashed tasks go.
  const a = await createTask(page, { title: 'Old idea A', deleted_at: new Date().toISOString() });
  const b = await createTask(page, { title: 'Old idea B', deleted_at: new Date().toISOString() });
  await page.goto('/app/trash');
  await page.getByRole('button', { name: 'Empty trash' }).click();
  const confirmEmpty =
    testInfo.project.name === 'chromium'
      ? page.getByRole('dialog', { name: 'Empty the trash?' })
      : page.getByRole('region', { name: 'Empty the trash?' });
  await confirmEmpty.getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 2 tasks forever.' })).toBeAttached();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  expect(await readTask(page, a.id)).toBeUndefined();
  expect(await readTask(page, b.id)).toBeUndefined();
  expect(await readTask(page, keep.id)).toMatchObject({ deleted_at: null });
});

test('completed: newest first, grouped by day, and a task can be reopened', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'done');
  await createTask(page, { title: 'Filed taxes', status: 'completed', completed_at: '2026-01-05T10:00:00Z' });
  const recent = await createTask(page, { title: 'Booked flights', status: 'completed' });
  await createTask(page, { title: 'Still open' });

  await page.goto('/app/completed');
  await expect(page.getByRole('heading', { level: 1, name: 'Completed' })).toBeVisible();
  const days = page.getByRole('main').getByRole('heading', { level: 2 });
  await expect(days).toHaveText(['Today', /January 5, 2026/]);
  const titles = page.locator('main a.title');
  await expect(titles).toHaveText(['Booked flights', 'Filed taxes']);
  await expect(page.getByText('Still open')).toHaveCount(0);
  await snap(page, testInfo, '05-completed');

  await page.getByRole('button', { name: 'Reopen “Booked flights”' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reopened “Booked flights”.' })).toBeAttached();
  await expect(titles).toHaveText(['Filed taxes']);
  expect((await readTask(page, recent.id))!.status).toBe('open');
});

test('projects: create, rename, recolour, archive and unarchive', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'projects');
  await page.goto('/app/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();

  // An empty name is refused on the field, with focus there.
  await page.getByRole('button', { name: 'Add project' }).click();
  const name = page.getByLabel('Project name');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();

  await name.fill('Garden');
  await page.getByRole('group', { name: 'Colour' }).getByLabel('Green').check();
  await page.getByRole('button', { name: 'Add project' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created “Garden”.' })).toBeAttached();
  const active = page.getByRole('list', { name: 'Active' });
  await expect(active.getByRole('link', { name: 'Garden' })).toHaveAttribute('href', /\/app\/projects\/[0-9a-f-]{36}$/);
  await expect(active.getByText('Green · 0 open tasks')).toBeVisible();

  await page.getByLabel('Rename “Garden”').click();
  await page.getByLabel('New name for “Garden”').fill('Allotment');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(active.getByRole('link', { name: 'Allotment' })).toBeVisible();
  await expect(active.getByRole('link', { name: 'Garden' })).toHaveCount(0);

  await page.getByLabel('Change colour of “Allotment”').click();
  const row = active.getByTestId('project').filter({ hasText: 'Allotment' });
  await row.getByRole('group', { name: 'Colour' }).getByLabel('Violet').check();
  await page.getByRole('button', { name: 'Save colour of “Allotment”' }).click();
  await expect(active.getByText('Violet · 0 open tasks')).toBeVisible();
  await snap(page, testInfo, '06-projects');

  await page.getByRole('button', { name: 'Archive “Allotment”' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Project archived.' })).toBeAttached();
  const archived = page.getByRole('list', { name: 'Archived' });
  await expect(archived.getByRole('link', { name: 'Allotment' })).toBeVisible();
  await expect(page.getByRole('main').getByText('No projects yet.')).toBeVisible();
  const [stored] = await rest<{ name: string; color: string; archived_at: string | null }[]>(
    page,
    'GET',
    'projects?select=name,color,archived_at',
  );
  expect(stored).toMatchObject({ name: 'Allotment', color: 'violet' });
  expect(stored!.archived_at).not.toBeNull();

  await page.getByRole('button', { name: 'Unarchive “Allotment”' }).click();
  await expect(active.getByRole('link', { name: 'Allotment' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Archived' })).toHaveCount(0);
});

test('search: a typo still finds the task, and the match is highlighted', async ({ page }, testInfo) => {
  const fired = watchForScripts(page);
  await signUp(page, testInfo, 'search');
  await createTask(page, { title: 'Buy groceries for the week', notes: 'Milk and bread' });
  await createTask(page, { title: 'Call the plumber' });
  await createTask(page, { title: `${XSS} groceries list` });

  await page.goto('/app/search');
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
  const input = page.locator('#search-input');
  await expect(input).toHaveAccessibleName('Search tasks');
  await input.fill('grocries');
  // With JavaScript the results come as you type; without it the form submits.
  if (testInfo.project.name !== 'chromium') await input.press('Enter');
  await expect(page).toHaveURL(/\/app\/search\?q=grocries$/);
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results.getByRole('link')).toHaveCount(2);
  const hit = results.getByRole('link', { name: /Buy groceries for the week/ });
  await expect(hit.locator('mark')).toHaveText(['groceries']);
  await expect(results.getByRole('link', { name: /plumber/ })).toHaveCount(0);
  // The payload in a title is text, beside its own highlight.
  await expect(results.getByText(XSS, { exact: false })).toBeVisible();
  await expect(results.locator('img')).toHaveCount(0);
  await expect(page.getByText('2 tasks match “grocries”.')).toBeVisible();
  await snap(page, testInfo, '07-search');

  if (testInfo.project.name === 'chromium') {
    // Keyboard: ↓ from the field enters the results, Escape goes back.
    await input.focus();
    await input.press('ArrowDown');
    await expect(results.getByRole('link').first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(results.getByRole('link').nth(1)).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(input).toBeFocused();
  }

  // A direct load renders the results on the server.
  await page.goto('/app/search?q=plumbr');
  await expect(page.locator('#search-input')).toHaveValue('plumbr');
  await expect(
    page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Call the plumber' }),
  ).toBeVisible();
  expect(fired).toEqual([]);
});

test('settings: time zone, theme and name are saved and survive a reload', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'settings');
  await page.goto('/app/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'API keys' })).toBeVisible();

  // With JavaScript a theme applies and is saved when picked; without it, with the form.
  await page.getByRole('group', { name: 'Theme' }).getByLabel('Dark').check();
  if (testInfo.project.name === 'chromium') {
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByRole('status').filter({ hasText: 'Theme saved.' })).toBeAttached();
  }

  await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
  await page.getByLabel('Language and region').selectOption('en-GB');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeAttached();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByRole('textbox', { name: 'Name' }).fill('Renamed Person');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved.' })).toBeAttached();
  await snap(page, testInfo, '08-settings');

  await page.goto('/app/settings');
  await expect(page.getByLabel('Time zone')).toHaveValue('Asia/Tokyo');
  await expect(page.getByLabel('Language and region')).toHaveValue('en-GB');
  await expect(page.getByRole('group', { name: 'Theme' }).getByLabel('Dark')).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('Renamed Person');
  const [row] = await rest<{ time_zone: string; theme: string }[]>(page, 'GET', 'user_settings?select=time_zone,theme');
  expect(row).toMatchObject({ time_zone: 'Asia/Tokyo', theme: 'dark' });

  // A due time now goes into the saved zone.
  const task = await createTask(page, { title: 'Ring Osaka office' });
  await page.goto(`/app/tasks/${task.id}`);
  await expect(page.getByText('In Asia/Tokyo.')).toBeVisible();
  await page.getByLabel('Due date (optional)').fill('2031-05-01');
  await page.getByLabel('Time (optional)').fill('09:15');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/app$/);
  expect(await readTask(page, task.id)).toMatchObject({ due_tz: 'Asia/Tokyo', due_time: '09:15:00' });

  // The existing API keys sub-page still works.
  await page.goto('/app/settings');
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/api-keys$/);
});
