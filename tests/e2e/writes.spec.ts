// With JavaScript the task page, Trash, Projects and Settings write through the data API
// (supabase-js → /rest/v1, the person's token, an Idempotency-Key on every write), never
// through their form actions; a refusal takes the optimistic change back and shows the
// server's reason by the field; a label change made offline waits in the outbox and lands
// on reconnect. Without JavaScript the same forms post to their actions (the fallback) and
// reach the same result.
import { expect, test, type Page, type Request, type TestInfo } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { controlled, newPerson, rest, signUp, toast } from './support/app.ts';

type Seen = { method: string; path: string; key: string | undefined };

/** Every write the page sends: REST writes with their Idempotency-Key, and form-action posts. */
function watchWrites(page: Page): Seen[] {
  const seen: Seen[] = [];
  page.on('request', (request: Request) => {
    const method = request.method();
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
    const url = new URL(request.url());
    seen.push({ method, path: url.pathname + url.search, key: request.headers()['idempotency-key'] });
  });
  return seen;
}

const restWrites = (seen: Seen[]) => seen.filter((s) => s.path.startsWith('/rest/v1/'));
const actionPosts = (seen: Seen[]) => seen.filter((s) => s.method === 'POST' && s.path.includes('?/'));

/** With JavaScript: only REST writes, each with a key. Without: only form-action posts. */
function expectWritesThrough(seen: Seen[], js: boolean, expected: RegExp[]): void {
  if (!js) {
    expect(restWrites(seen)).toEqual([]);
    expect(actionPosts(seen).length).toBeGreaterThan(0);
    return;
  }
  expect(actionPosts(seen)).toEqual([]);
  const writes = restWrites(seen);
  for (const pattern of expected)
    expect(
      writes.some((w) => pattern.test(`${w.method} ${w.path}`)),
      `${pattern} in ${JSON.stringify(writes)}`,
    ).toBe(true);
  for (const w of writes) expect(w.key, `${w.method} ${w.path} carries an Idempotency-Key`).toBeTruthy();
}

async function start(page: Page, testInfo: TestInfo, label: string) {
  const person = newPerson(label, testInfo);
  await signUp(page, person);
  return { email: person.email, api: rest(page, testInfo.project.use.baseURL) };
}

const js = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

/**
 * Opens a page and lets it settle: with JavaScript, a form used before hydration would post
 * to its action, and a select changed before it would be set back to the page's state.
 */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.waitForLoadState('networkidle');
}

async function taskLabels(taskId: string): Promise<string[]> {
  const { rows } = await superuserQuery<{ name: string }>(
    `select l.name from public.task_labels tl join public.labels l on l.id = tl.label_id
      where tl.task_id = $1 order by l.name`,
    [taskId],
  );
  return rows.map((r) => r.name);
}

test('the task page saves fields and labels through /rest/v1 with JavaScript, through its action without', async ({
  page,
}, testInfo) => {
  const { api } = await start(page, testInfo, 'writes-task');
  const workspace_id = await api.workspaceId();
  const [home] = await api.call<{ id: string }[]>('POST', 'labels', { workspace_id, name: 'home' });
  const task = await api.createTask({ title: 'Write the report' });
  await open(page, `/app/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  const seen = watchWrites(page);

  await page.getByLabel('Title').fill('Write the annual report');
  await page.getByLabel('Priority').selectOption('2');
  await page.getByLabel('@home').check();
  await page.getByLabel('Add labels').fill('Errands');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();

  await expect
    .poll(async () => (await superuserQuery('select title, priority from public.tasks where id = $1', [task.id])).rows)
    .toEqual([{ title: 'Write the annual report', priority: 2 }]);
  await expect.poll(() => taskLabels(task.id)).toEqual(['Errands', 'home']);
  expect(home).toBeTruthy();
  expectWritesThrough(seen, js(testInfo), [
    /^PATCH \/rest\/v1\/tasks\?/,
    /^POST \/rest\/v1\/labels\?/,
    /^DELETE \/rest\/v1\/task_labels\?/,
    /^POST \/rest\/v1\/task_labels\?/,
  ]);
  if (js(testInfo)) {
    // The Inbox shows the new title and labels from the cache at once.
    const row = page.getByRole('row').filter({ hasText: 'Write the annual report' });
    await expect(row.getByText('@Errands')).toBeVisible();
  }
});

test('a refused task save rolls back and shows the reason at the field', async ({ page }, testInfo) => {
  const { api } = await start(page, testInfo, 'writes-refused');
  const task = await api.createTask({ title: 'Keep this title' });
  await open(page, `/app/tasks/${task.id}`);
  const title = page.getByRole('textbox', { name: 'Title', exact: true });
  if (!js(testInfo)) {
    // The form action checks the same schema and answers with the reason at the field.
    await title.fill('A title that is not saved');
    await page.getByLabel('Time (optional)').fill('17:30');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const time = page.getByLabel('Time (optional)');
    await expect(time).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Pick a due date for this time, or clear the time.')).toBeVisible();
  } else {
    // The database refuses the PATCH (as a check constraint would).
    await page.route('**/rest/v1/tasks?*', async (route) => {
      if (route.request().method() !== 'PATCH') return route.fallback();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          code: '23514',
          message: 'Titles are at most 500 characters.',
          details: null,
          hint: null,
        }),
      });
    });
    await title.fill('A title the server refuses');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(toast(page, 'Could not save the task: Titles are at most 500 characters.')).toBeVisible();
    await expect(title).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Titles are at most 500 characters.', { exact: true })).toBeVisible();
    // Still on the page, and the summary shows the saved title again.
    await expect(page.getByRole('heading', { level: 2, name: 'Keep this title' })).toBeVisible();
  }
  const { rows } = await superuserQuery('select title from public.tasks where id = $1', [task.id]);
  expect(rows).toEqual([{ title: 'Keep this title' }]);
});

test('trash: restore, delete forever and empty go through /rest/v1; a refusal brings the row back', async ({
  page,
}, testInfo) => {
  const { api } = await start(page, testInfo, 'writes-trash');
  const ids: Record<string, string> = {};
  for (const title of ['Restore me', 'Purge me', 'Empty me', 'Refuse me'])
    ids[title] = (await api.createTask({ title })).id;
  await superuserQuery('update public.tasks set deleted_at = now() where id = any($1::uuid[])', [Object.values(ids)]);
  await open(page, '/app/trash');
  const list = page.getByRole('list', { name: 'Deleted tasks' });
  await expect(list.getByRole('listitem')).toHaveCount(4);
  const seen = watchWrites(page);

  if (js(testInfo)) {
    // A refused purge: the row leaves, comes back, and the reason is shown.
    await page.route('**/rest/v1/tasks?*', async (route) => {
      if (route.request().method() !== 'DELETE' || !route.request().url().includes(ids['Refuse me']!))
        return route.fallback();
      await route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ code: '23503', message: 'Another change holds this task.', details: null, hint: null }),
      });
    });
    await page.getByRole('button', { name: 'Delete forever “Refuse me”' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete forever' }).click();
    await expect(page.getByRole('alert')).toContainText('Could not delete the task: Another change holds this task.');
    await expect(list.getByText('Refuse me')).toBeVisible();
  }

  await page.getByRole('button', { name: 'Restore “Restore me”' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Restore me”.' })).toBeAttached();
  await expect(list.getByText('Restore me')).toHaveCount(0);

  await page.getByRole('button', { name: 'Delete forever “Purge me”' }).click();
  const confirm = js(testInfo) ? page.getByRole('dialog') : page.getByRole('region', { name: /forever\?$/ });
  await confirm.getByRole('button', { name: 'Delete forever' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Purge me” forever.' })).toBeAttached();

  await page.getByRole('button', { name: 'Empty trash' }).click();
  const confirmEmpty = js(testInfo) ? page.getByRole('dialog') : page.getByRole('region', { name: 'Empty the trash?' });
  await confirmEmpty.getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  // The list empties at once; the count comes from the server's answer.
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 2 tasks forever.' })).toBeAttached();

  const { rows } = await superuserQuery<{ title: string; deleted: boolean }>(
    'select title, deleted_at is not null as deleted from public.tasks where id = any($1::uuid[]) order by title',
    [Object.values(ids)],
  );
  expect(rows).toEqual([{ title: 'Restore me', deleted: false }]);
  expectWritesThrough(seen, js(testInfo), [/^PATCH \/rest\/v1\/tasks\?/, /^DELETE \/rest\/v1\/tasks\?/]);
});

test('projects: create, rename, colour and archive go through /rest/v1; a refused rename rolls back', async ({
  page,
}, testInfo) => {
  const { api } = await start(page, testInfo, 'writes-projects');
  await open(page, '/app/projects');
  const seen = watchWrites(page);
  const active = page.getByRole('list', { name: 'Active' });

  await page.getByLabel('Project name').fill('Garden');
  await page.getByRole('group', { name: 'Colour' }).getByLabel('Green').check();
  await page.getByRole('button', { name: 'Add project' }).click();
  await expect(active.getByRole('link', { name: 'Garden' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Created “Garden”.' })).toBeAttached();

  if (js(testInfo)) {
    await page.route('**/rest/v1/projects?*', async (route) => {
      if (route.request().method() !== 'PATCH' || !route.request().postData()?.includes('Refused'))
        return route.fallback();
      await route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ code: '23505', message: 'A project with this name already exists.', details: null }),
      });
    });
    await page.getByLabel('Rename “Garden”').click();
    await page.getByLabel('New name for “Garden”').fill('Refused');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect(page.getByText('A project with this name already exists.')).toBeVisible();
    await expect(page.getByLabel('New name for “Garden”')).toHaveAttribute('aria-invalid', 'true');
    await expect(active.getByRole('link', { name: 'Garden' })).toBeVisible();
    await expect(active.getByRole('link', { name: 'Refused' })).toHaveCount(0);
  } else {
    await page.getByLabel('Rename “Garden”').click();
  }

  await page.getByLabel('New name for “Garden”').fill('Allotment');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(active.getByRole('link', { name: 'Allotment' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed to “Allotment”.' })).toBeAttached();

  await page.getByLabel('Change colour of “Allotment”').click();
  const row = active.getByTestId('project').filter({ hasText: 'Allotment' });
  await row.getByRole('group', { name: 'Colour' }).getByLabel('Violet').check();
  await page.getByRole('button', { name: 'Save colour of “Allotment”' }).click();
  await expect(active.getByText('Violet · 0 open tasks')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Colour changed.' })).toBeAttached();

  await page.getByRole('button', { name: 'Archive “Allotment”' }).click();
  await expect(page.getByRole('list', { name: 'Archived' }).getByRole('link', { name: 'Allotment' })).toBeVisible();
  // The list changes at once; the status comes with the server's answer.
  await expect(page.getByRole('status').filter({ hasText: 'Project archived.' })).toBeAttached();

  const stored = await api.call<{ name: string; color: string; archived_at: string | null }[]>(
    'GET',
    'projects?select=name,color,archived_at',
  );
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ name: 'Allotment', color: 'violet' });
  expect(stored[0]!.archived_at).not.toBeNull();
  expectWritesThrough(seen, js(testInfo), [/^POST \/rest\/v1\/projects\?/, /^PATCH \/rest\/v1\/projects\?/]);
});

test('settings: preferences and the theme go through /rest/v1; a refused theme goes back', async ({
  page,
}, testInfo) => {
  const { email } = await start(page, testInfo, 'writes-settings');
  await open(page, '/app/settings');
  const seen = watchWrites(page);
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await page.getByLabel('Language and region').selectOption('de-DE');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Preferences saved.').first()).toBeAttached();
  const settings = () =>
    superuserQuery<{ time_zone: string; locale: string; theme: string }>(
      `select s.time_zone, s.locale, s.theme from public.user_settings s
         join identity.users u on u.id = s.user_id where u.email = $1`,
      [email],
    ).then((r) => r.rows);
  await expect.poll(settings).toEqual([expect.objectContaining({ time_zone: 'Europe/Paris', locale: 'de-DE' })]);

  if (js(testInfo)) {
    const html = page.locator('html');
    await page.route('**/rest/v1/user_settings?*', async (route) => {
      if (!route.request().postData()?.includes('dark')) return route.fallback();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ code: '23514', message: 'That theme is not offered.', details: null }),
      });
    });
    const before = await html.getAttribute('data-theme');
    // click, not check: the refusal unchecks it again at once.
    await page.getByRole('radio', { name: 'Dark' }).click();
    await expect(page.getByText('Could not save the theme: That theme is not offered.')).toBeVisible();
    await expect(page.getByRole('radio', { name: 'Dark' })).not.toBeChecked();
    await expect(html).toHaveAttribute('data-theme', before ?? 'system');
    await page.unrouteAll();
    await page.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(settings).toEqual([expect.objectContaining({ theme: 'light' })]);
  }
  expectWritesThrough(seen, js(testInfo), [/^POST \/rest\/v1\/user_settings\?/]);
});

test('a label change made offline on the task page is queued and lands on reconnect', async ({
  page,
  context,
}, testInfo) => {
  const { api } = await start(page, testInfo, 'writes-offline');
  const task = await api.createTask({ title: 'Label me offline' });
  if (!js(testInfo)) {
    // Without JavaScript there is no offline mode: the labels are saved by the form online.
    await open(page, `/app/tasks/${task.id}`);
    await page.getByLabel('Add labels').fill('later');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
    await expect.poll(() => taskLabels(task.id)).toEqual(['later']);
    return;
  }
  // Online once: the service worker takes over and keeps the Inbox and the task's page.
  await page.reload();
  await controlled(page);
  await open(page, `/app/tasks/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  const indicator = page.locator('header').getByRole('status');

  await context.setOffline(true);
  await expect(indicator).toHaveText('Offline');
  await page.getByLabel('Add labels').fill('later');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Label me offline' });
  await expect(row.getByText('@later')).toBeVisible();
  await expect(indicator).toHaveText('Offline — 1 change pending');
  expect(await taskLabels(task.id)).toEqual([]);

  await context.setOffline(false);
  await expect(indicator).toHaveText('');
  await expect.poll(() => taskLabels(task.id)).toEqual(['later']);
  const { rows } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from public.labels l join public.tasks t on t.workspace_id = l.workspace_id
      where t.id = $1 and lower(l.name) = 'later'`,
    [task.id],
  );
  expect(rows).toEqual([{ n: 1 }]);
});
