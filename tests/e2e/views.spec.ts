// The task views in a real browser against the production build: quick add with preview
// chips, complete/delete with undo, the keyboard (j/k/x, Alt+arrows), a reorder that
// writes one row, Today/Upcoming in a non-UTC zone, tenancy, and a 10,000-task project
// that stays a short DOM. Every test runs with JavaScript and without it (plain HTML
// forms); where a behaviour needs JavaScript the no-JS run checks the plain equivalent.
import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, rest as restAs, signUp as signUpPerson, taskRow as rowOf, toast, toasts } from './support/app.ts';

async function snap(page: Page, testInfo: TestInfo, step: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: `artifacts/screenshots/${testInfo.project.name}-views-${step}.png`, fullPage });
}

function scripted(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled !== false;
}

async function signUp(page: Page, testInfo: TestInfo, label = 'views'): Promise<string> {
  const person = newPerson(label, testInfo);
  await signUpPerson(page, person);
  return person.email;
}

/** REST as the signed-in browser (its session cookie); writes need the same-origin header. */
function api(page: Page, baseURL: string | undefined) {
  const request: APIRequestContext = page.request;
  const headers = { origin: baseURL ?? '', 'content-type': 'application/json' };
  return {
    async quickAdd(
      args: Record<string, unknown>,
    ): Promise<{ id: string; workspace_id: string; project_id: string | null }> {
      const res = await request.post('/rest/v1/rpc/quick_add_task', { headers, data: args });
      expect(res.status(), await res.text()).toBe(200);
      return res.json();
    },
    async tasks(query: string): Promise<Record<string, unknown>[]> {
      const res = await request.get(`/rest/v1/tasks?${query}`);
      expect(res.status(), await res.text()).toBe(200);
      return res.json();
    },
    async projects(): Promise<{ id: string; name: string }[]> {
      const res = await request.get('/rest/v1/projects?select=id,name');
      expect(res.status()).toBe(200);
      return res.json();
    },
    async setTimeZone(zone: string): Promise<void> {
      const res = await request.post('/rest/v1/user_settings?on_conflict=user_id', {
        headers: { ...headers, prefer: 'resolution=merge-duplicates' },
        data: { time_zone: zone },
      });
      expect(res.status(), await res.text()).toBeLessThan(300);
    },
  };
}

const todo = (page: Page) =>
  page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: /^To do/ }) });
const titles = (page: Page) => todo(page).getByRole('row').locator('a.title').allTextContents();

/** The list is interactive: reorder handles only render once the page has hydrated. */
async function hydrated(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: /^Reorder/ }).first()).toBeAttached();
}

function dayIn(zone: string, offsetDays = 0): string {
  const d = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + offsetDays);
  return x.toISOString().slice(0, 10);
}

test('quick add “Pay rent every 1st #home p1” previews chips and creates the task with its date, recurrence, project and priority', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, testInfo, 'quick');
  const text = 'Pay rent every 1st #home p1';
  if (scripted(testInfo)) {
    await page.keyboard.press('q');
    const dialog = page.getByRole('dialog', { name: 'Quick add' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Task').fill(text);
    const chips = dialog.getByRole('list', { name: 'Recognised' });
    await expect(chips.locator('[data-kind="date"]')).toBeVisible();
    await expect(chips.locator('[data-kind="recurrence"]')).toHaveText('↻ every 1st');
    await expect(chips.locator('[data-kind="priority"]')).toHaveText('P1');
    await expect(chips.locator('[data-kind="project"]')).toHaveText('#home (new)');
    await snap(page, testInfo, 'quick-add');
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await expect(dialog).toBeHidden();
    await expect(toasts(page).getByText('Added “Pay rent”.')).toBeVisible();
  } else {
    // Without JavaScript the Inbox's form is parsed on the server by the same module.
    await page.getByLabel('New task').fill(text);
    await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
    await expect(page).toHaveURL(/\/app$/);
  }
  const rest = api(page, baseURL);
  await expect.poll(async () => (await rest.projects()).map((p) => p.name)).toContain('home');
  const [task] = await rest.tasks(
    'select=title,priority,recurrence,due_date,project:projects(name)&title=eq.Pay%20rent',
  );
  expect(task).toMatchObject({
    title: 'Pay rent',
    priority: 1,
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
    project: { name: 'home' },
  });
  expect(String(task!.due_date)).toMatch(/^\d{4}-\d{2}-01$/);

  const home = (await rest.projects()).find((p) => p.name === 'home')!;
  await page.goto(`/app/projects/${home.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'home' })).toBeVisible();
  const row = rowOf(page, 'Pay rent');
  await expect(row).toContainText('↻ Repeats');
  await expect(row).toContainText('Priority 1');
  await expect(row.locator('time')).toHaveAttribute('datetime', String(task!.due_date));
  // Not in the Inbox: it has a project.
  await page.goto('/app');
  await expect(page.getByRole('link', { name: 'Pay rent' })).toHaveCount(0);
});

test('quick add on every app page: `q` on the task page, Trash, Settings and Search adds to the right list at once', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, testInfo, 'anywhere');
  const fixtures = restAs(page, baseURL);
  await fixtures.createProject('errands');
  const existing = await fixtures.createTask({ title: 'Existing task' });
  const banner = page.getByRole('banner');
  if (!scripted(testInfo)) {
    // Without JavaScript the header's "Add task" is a GET form to the Inbox's add field.
    await page.goto('/app/trash');
    await banner.getByRole('button', { name: 'Add task', exact: true }).click();
    await expect(page).toHaveURL(/\/app\?add=1$/);
    await expect(page.getByLabel('New task')).toBeFocused();
    return;
  }
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  // "Tomorrow" is read when the text is parsed; a run that crosses midnight may get either
  // day, so each add accepts the days before and after it (per title, for the server check).
  const tomorrows = new Map<string, string[]>();
  const dialog = page.getByRole('dialog', { name: 'Quick add' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  /** `q` does nothing until the page has hydrated: pressed until the dialog opens. */
  const pressQ = () =>
    expect(async () => {
      await page.keyboard.press('q');
      await expect(dialog).toBeVisible({ timeout: 1000 });
    }).toPass();

  const stops = [
    { path: `/app/tasks/${existing.id}`, title: 'buy oat milk' },
    { path: '/app/trash', title: 'buy soy milk' },
    { path: '/app/settings', title: 'buy whole milk' },
    { path: '/app/search', title: 'buy goat milk' },
  ];
  for (const stop of stops) {
    await page.goto(stop.path);
    await pressQ();
    await expect(dialog.getByLabel('Task')).toBeFocused();
    const before = dayIn(zone, 1);
    await dialog.getByLabel('Task').fill(`${stop.title} tomorrow p1 #errands`);
    const chips = dialog.getByRole('list', { name: 'Recognised' });
    await expect(chips.locator('[data-kind="date"]')).toHaveText('Tomorrow');
    await expect(chips.locator('[data-kind="priority"]')).toHaveText('P1');
    await expect(chips.locator('[data-kind="project"]')).toHaveText('#errands');
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await expect(dialog).toBeHidden();
    await expect(toast(page, `Added “${stop.title}”.`)).toBeVisible();
    await expect(page.getByTestId('announcer-polite')).toHaveText(`Added “${stop.title}”.`);
    // In the project's list, with its parsed fields (a client-side navigation).
    await nav.getByRole('link', { name: 'errands' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'errands' })).toBeVisible();
    const row = rowOf(page, stop.title);
    await expect(row).toContainText('Priority 1');
    const days = [...new Set([before, dayIn(zone, 1)])];
    tomorrows.set(stop.title, days);
    await expect(row.locator('time')).toHaveAttribute('datetime', new RegExp(`^(${days.join('|')})$`));
  }
  const stored = await api(page, baseURL).tasks(
    'select=title,priority,due_date,project:projects(name)&title=like.buy*&order=title',
  );
  expect(
    stored.map((t) => ({
      ...t,
      due_date: tomorrows.get(String(t.title))?.includes(String(t.due_date)) ? 'tomorrow' : t.due_date,
    })),
  ).toEqual(
    ['buy goat milk', 'buy oat milk', 'buy soy milk', 'buy whole milk'].map((title) => ({
      title,
      priority: 1,
      due_date: 'tomorrow',
      project: { name: 'errands' },
    })),
  );

  // The header's "Add task" opens the same dialog off the task lists; the task lands in the
  // browser cache, so the Inbox shows it with every task read from the server refused.
  await nav.getByRole('link', { name: 'Inbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await nav.getByRole('link', { name: 'Trash' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Trash' })).toBeVisible();
  await banner.getByRole('button', { name: 'Add task', exact: true }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Task').fill('buy milk today p1');
  await dialog.getByRole('button', { name: 'Add task' }).click();
  await expect(toast(page, 'Added “buy milk”.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Trash' })).toBeVisible();
  await expect(page).toHaveURL(/\/app\/trash$/);
  await expect.poll(async () => (await api(page, baseURL).tasks('select=id&title=eq.buy%20milk')).length).toBe(1);
  await page.route(/\/rest\/v1\/tasks\?/, (route) => route.abort());
  await nav.getByRole('link', { name: 'Inbox' }).click();
  const milk = rowOf(page, 'buy milk');
  await expect(milk).toContainText('Priority 1');
  await expect(milk.locator('time')).toHaveAttribute('datetime', dayIn(zone));
  await page.unrouteAll();
  await nav.getByRole('link', { name: 'Today' }).click();
  await expect(rowOf(page, 'buy milk')).toContainText('Priority 1');

  // `?` lists `q` off the task lists too.
  await page.goto('/app/settings');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(async () => {
    await page.keyboard.press('?');
    await expect(help).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(help.getByTestId('shortcut-list')).toContainText('Quick add a task');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('complete → undo and delete → undo, kept after a reload', async ({ page }, testInfo) => {
  await signUp(page, testInfo, 'undo');
  for (const title of ['Water the plants', 'Book the dentist']) {
    await page.getByLabel('New task').fill(title);
    await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
    await expect(todo(page).getByRole('link', { name: title })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Complete “Water the plants”' }).click();
  await expect(todo(page).getByRole('link', { name: 'Water the plants' })).toHaveCount(0);
  if (scripted(testInfo)) {
    await toast(page, 'Completed “Water the plants”.').getByRole('button', { name: 'Undo' }).click();
  } else {
    await page.getByRole('button', { name: 'Reopen “Water the plants”' }).click();
  }
  await expect(todo(page).getByRole('link', { name: 'Water the plants' })).toBeVisible();

  await page.getByRole('button', { name: 'Delete “Book the dentist”' }).click();
  await expect(page.getByRole('link', { name: 'Book the dentist' })).toHaveCount(0);
  const deleted = scripted(testInfo)
    ? toast(page, 'Deleted “Book the dentist”.')
    : page.getByRole('status').filter({ hasText: 'Deleted “Book the dentist”.' });
  await deleted.getByRole('button', { name: 'Undo' }).click();
  await expect(todo(page).getByRole('link', { name: 'Book the dentist' })).toBeVisible();

  // The server has exactly what the screen showed.
  await expect(async () => {
    await page.reload();
    expect(await titles(page)).toEqual(['Water the plants', 'Book the dentist']);
  }).toPass();
});

test('keyboard: j/k move the selection, x completes, # deletes; Alt+↑ reorders and writes one row', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, testInfo, 'keys');
  const rest = api(page, baseURL);
  for (const title of ['Alpha', 'Bravo', 'Charlie', 'Delta']) await rest.quickAdd({ title });
  await page.reload();
  expect(await titles(page)).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);
  const before = await rest.tasks('select=id,title,position::text');

  if (!scripted(testInfo)) {
    // Plain HTML: every row is a form; reordering needs JavaScript, so no handles are shown.
    await expect(page.getByRole('button', { name: /^Reorder/ })).toHaveCount(0);
    await page.getByRole('button', { name: 'Complete “Bravo”' }).click();
    await expect.poll(() => titles(page)).toEqual(['Alpha', 'Charlie', 'Delta']);
    return;
  }

  // A CSP violation or a hydration error would show here.
  const browserErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(m.text());
  });
  page.on('pageerror', (e) => browserErrors.push(e.message));
  await page.reload();
  await hydrated(page);
  const selected = () => todo(page).locator('[role="row"][aria-selected="true"]');
  await page.keyboard.press('j');
  await expect(selected()).toContainText('Alpha');
  await expect(selected()).toBeFocused();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(selected()).toContainText('Charlie');
  await page.keyboard.press('k');
  await expect(selected()).toContainText('Bravo');
  await page.keyboard.press('x');
  await expect(toasts(page).getByText('Completed “Bravo”.')).toBeVisible();
  await expect.poll(() => titles(page)).toEqual(['Alpha', 'Charlie', 'Delta']);
  // The selection moves on to the next task.
  await expect(selected()).toContainText('Charlie');
  await page.keyboard.press('j');
  await expect(selected()).toContainText('Delta');

  // Alt+↑ twice: Delta to the top. One request per move, one row changed in the end.
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => titles(page)).toEqual(['Alpha', 'Delta', 'Charlie']);
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => titles(page)).toEqual(['Delta', 'Alpha', 'Charlie']);
  await expect(selected()).toContainText('Delta');
  await expect
    .poll(async () => {
      const after = await rest.tasks('select=id,title,position::text');
      return after.filter((t) => before.find((b) => b.id === t.id)!.position !== t.position).map((t) => t.title);
    })
    .toEqual(['Delta']);
  await page.reload();
  expect(await titles(page)).toEqual(['Delta', 'Alpha', 'Charlie']);
  await hydrated(page);

  // Drag by the handle (pointer events, as touch sends them): Charlie two rows up.
  const handle = page.getByRole('button', { name: /^Reorder “Charlie”/ });
  const box = (await handle.boundingBox())!;
  const rowHeight = (await rowOf(page, 'Charlie').boundingBox())!.height;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 2 * rowHeight, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => titles(page)).toEqual(['Charlie', 'Delta', 'Alpha']);
  // The move is one PATCH; wait until the server has it before reloading.
  await expect
    .poll(async () => (await rest.tasks('select=title&status=eq.open&order=position')).map((t) => t.title))
    .toEqual(['Charlie', 'Delta', 'Alpha']);
  await page.reload();
  expect(await titles(page)).toEqual(['Charlie', 'Delta', 'Alpha']);
  await hydrated(page);

  // # deletes the selected task (with Undo).
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(selected()).toContainText('Delta');
  await page.keyboard.press('#');
  await expect(toasts(page).getByText('Deleted “Delta”.')).toBeVisible();
  await expect.poll(() => titles(page)).toEqual(['Charlie', 'Alpha']);
  expect(browserErrors).toEqual([]);
});

test('Today and Upcoming group by day in the person’s own time zone', async ({ page, baseURL }, testInfo) => {
  await signUp(page, testInfo, 'zone');
  const rest = api(page, baseURL);
  // UTC+14: for ten hours of every UTC day its calendar is a day ahead of UTC's.
  const zone = 'Pacific/Kiritimati';
  await rest.setTimeZone(zone);
  const today = dayIn(zone);
  await rest.quickAdd({ title: 'Overdue invoice', due_date: dayIn(zone, -2) });
  await rest.quickAdd({ title: 'Due today', due_date: today });
  await rest.quickAdd({ title: 'Due tomorrow', due_date: dayIn(zone, 1) });
  await rest.quickAdd({ title: 'In three days', due_date: dayIn(zone, 3) });
  await rest.quickAdd({ title: 'Far away', due_date: dayIn(zone, 20) });

  await page.goto('/app/today');
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expect.poll(() => titles(page)).toEqual(['Overdue invoice', 'Due today']);
  await expect(rowOf(page, 'Overdue invoice')).toContainText('Overdue');
  await snap(page, testInfo, 'today');

  await page.goto('/app/upcoming');
  const days = page.locator('section.day');
  await expect(days).toHaveCount(14);
  const group = (label: string | RegExp) =>
    page.getByRole('region').filter({ has: page.getByRole('heading', { level: 2, name: label }) });
  await expect(group(/^Today/).getByRole('link', { name: 'Due today' })).toBeVisible();
  await expect(group(/^Today/)).toContainText(today);
  await expect(group(/^Tomorrow/).getByRole('link', { name: 'Due tomorrow' })).toBeVisible();
  await expect(group(new RegExp(dayIn(zone, 3))).getByRole('link', { name: 'In three days' })).toBeVisible();
  await expect(group(new RegExp(dayIn(zone, 2)))).toContainText('No tasks');
  await expect(page.getByRole('link', { name: 'Far away' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Overdue invoice' })).toHaveCount(0);
  await snap(page, testInfo, 'upcoming');
});

test("a second person never sees the first person's tasks", async ({ browser, baseURL }, testInfo) => {
  const options = { baseURL, javaScriptEnabled: scripted(testInfo) };
  const alice = await (await browser.newContext(options)).newPage();
  await signUp(alice, testInfo, 'alice');
  const secret = `Alice secret ${randomUUID().slice(0, 6)}`;
  const made = await api(alice, baseURL).quickAdd({ title: secret, due_date: dayIn('UTC'), project_name: 'Private' });
  const bob = await (await browser.newContext(options)).newPage();
  await signUp(bob, testInfo, 'bob');
  for (const path of ['/app', '/app/today', '/app/upcoming']) {
    await bob.goto(path);
    await expect(bob.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(bob.getByText(secret)).toHaveCount(0);
  }
  const res = await bob.goto(`/app/projects/${made.project_id}`);
  expect(res?.status()).toBe(404);
  expect(await api(bob, baseURL).tasks(`select=id&title=eq.${encodeURIComponent(secret)}`)).toEqual([]);

  // The same tab, without a reload: Alice signs out and Carol signs up. Nothing Alice's
  // browser cache held (or her access token) may reach Carol's lists.
  await alice.goto('/app/today');
  await expect(alice.getByRole('link', { name: secret })).toBeVisible();
  await alice.getByRole('button', { name: /^Account menu/ }).click();
  await alice.getByRole('button', { name: 'Sign out' }).click();
  await expect(alice).toHaveURL(/\/$/);
  await signUp(alice, testInfo, 'carol');
  await alice.getByRole('link', { name: 'Today' }).click();
  await expect(alice.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expect(alice.getByText('Nothing due today or overdue.')).toBeVisible();
  await expect(alice.getByText(secret)).toHaveCount(0);
  await alice.context().close();
  await bob.context().close();
});

test('a project with 10,000 tasks opens with its first rows and keeps the DOM small', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, testInfo, 'big');
  const rest = api(page, baseURL);
  const first = await rest.quickAdd({ title: 'Bulk task 00000', project_name: 'Big' });
  await superuserQuery(
    `insert into public.tasks (workspace_id, project_id, title, position)
     select $1, $2, 'Bulk task ' || lpad(g::text, 5, '0'), g from generate_series(1, 9999) g`,
    [first.workspace_id, first.project_id],
  );
  await page.goto(`/app/projects/${first.project_id}`);
  await expect(rowOf(page, 'Bulk task 00001')).toBeVisible();
  // The viewport only: the page is 10,000 rows tall once the spacers are in.
  await snap(page, testInfo, 'big-project', false);
  const rendered = await page.getByRole('row').count();
  expect(rendered).toBeGreaterThan(10);
  expect(rendered).toBeLessThan(200);
  if (scripted(testInfo)) {
    await expect(todo(page).getByRole('heading', { level: 2 })).toContainText('10000');
    // Keyboard selection scrolls: End jumps to the last task, which is rendered and focused.
    await hydrated(page);
    await page.keyboard.press('j');
    await page.keyboard.press('End');
    // The quick-added task sorts last: its position is its creation time in milliseconds.
    const last = rowOf(page, 'Bulk task 00000');
    await expect(last).toBeFocused();
    await expect(last).toBeInViewport();
    expect(await page.getByRole('row').count()).toBeLessThan(200);
  }
});

test('a write the server refuses rolls back visibly, with the reason, and stores nothing', async ({
  page,
  baseURL,
}, testInfo) => {
  await signUp(page, testInfo, 'refused');
  // The parser keeps a 600-character title; the database allows 500 (tasks_title_length).
  const long = `Refused ${'x'.repeat(592)}`;
  if (scripted(testInfo)) {
    const dialog = page.getByRole('dialog', { name: 'Quick add' });
    // `q` works once the page has hydrated (an empty Inbox has no other sign of it).
    await expect(async () => {
      await page.keyboard.press('q');
      await expect(dialog).toBeVisible({ timeout: 500 });
    }).toPass();
    await dialog.getByLabel('Task').fill(`${long} tomorrow`);
    await dialog.getByRole('button', { name: 'Add task' }).click();
    // Shown at once (optimistic), then taken back with the server's reason.
    await expect(toasts(page).getByText(/Could not add .*Title must be 1 to 500 characters/)).toBeVisible();
    await expect(rowOf(page, 'Refused xxx')).toHaveCount(0);
  } else {
    // Without JavaScript the field's maxlength keeps titles at 500, so the refusal to show
    // is the server's for a title of spaces (it passes the browser's `required`).
    await page.getByLabel('New task').fill('   ');
    await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByText('Enter a title.').first()).toBeVisible();
    expect(await api(page, baseURL).tasks('select=id')).toEqual([]);
  }
  expect(await api(page, baseURL).tasks('select=id&title=like.Refused*')).toEqual([]);
});
