// The issue's main journey in a real browser (production build, JavaScript on): sign up →
// quick add "Pay rent every 1st #home p1" from the header → the task shows its date,
// recurrence, project and priority → edit → complete → Undo → delete → restore from Trash →
// delete forever → sign out → sign in → the rest of the data is still there. Then the same
// flow by keyboard alone (with visible focus), at 375 px through the drawer (touch targets
// ≥ 44 px), and a second person who never sees the first one's tasks.
// The no-JavaScript project skips this file (playwright.config.ts): the plain-HTML forms
// have their own runs in phase1/pages/views.spec.ts.
import { expect, test, type Page } from '@playwright/test';
import {
  expectTouchTarget,
  expectVisibleFocus,
  newPerson,
  nextFirstOfMonth,
  rest,
  screenshot,
  signIn,
  signOut,
  signUp,
  tabTo,
  taskRow,
  toast,
  watchBrowserErrors,
} from './support/app.ts';

const QUICK = 'Pay rent every 1st #home p1';
const ZONE = 'UTC';
test.use({ timezoneId: ZONE });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const quickAdd = (page: Page) => page.getByRole('dialog', { name: 'Quick add' });
const trashList = (page: Page) => page.getByRole('list', { name: 'Deleted tasks' });
/** The Trash's "Delete forever" for one task (its accessible name names the task). */
const deleteForever = (page: Page, title: string) =>
  trashList(page)
    .getByRole('listitem')
    .filter({ hasText: title })
    .getByRole('button', { name: /forever/ });

/** Types the quick-add text and checks the preview chips before it is sent. */
async function fillQuickAdd(page: Page): Promise<void> {
  const dialog = quickAdd(page);
  await expect(dialog).toBeVisible();
  const input = dialog.getByLabel('Task');
  await expect(input).toBeFocused();
  await input.pressSequentially(QUICK);
  const chips = dialog.getByRole('list', { name: 'Recognised' });
  await expect(chips.locator('[data-kind="recurrence"]')).toHaveText('↻ every 1st');
  await expect(chips.locator('[data-kind="priority"]')).toHaveText('P1');
  await expect(chips.locator('[data-kind="project"]')).toHaveText('#home (new)');
  await expect(chips.locator('[data-kind="date"]')).toBeVisible();
}

/** The new task in its project's list: date (next 1st), recurrence, priority 1, in “home”. */
async function expectRentRow(page: Page, title: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'home' })).toBeVisible();
  const row = taskRow(page, title);
  await expect(row).toBeVisible();
  await expect(row.locator('time')).toHaveAttribute('datetime', nextFirstOfMonth(ZONE));
  await expect(row).toContainText('↻ Repeats');
  await expect(row).toContainText('Priority 1');
}

/**
 * Back to the project's list after a change made on the Trash page (a server form action).
 * The list must show the restored task straight away; if the client cache still shows the
 * old state, the soft assertion records the failure and a reload lets the journey go on.
 */
async function projectAfterTrash(page: Page, open: () => Promise<void>, title: string): Promise<void> {
  await open();
  await expect(page.getByRole('heading', { level: 1, name: 'home' })).toBeVisible();
  await expect
    .soft(taskRow(page, title), 'the restored task is in its list after a client-side navigation from the Trash')
    .toBeVisible();
  if (!(await taskRow(page, title).isVisible())) await page.reload();
  await expectRentRow(page, title);
}

/** What the server holds for the rent task (via REST, as the person). */
async function storedRent(page: Page, baseURL: string | undefined, title: string) {
  const rows = await rest(page, baseURL).tasks(
    `select=id,title,notes,status,priority,recurrence,due_date,deleted_at,project:projects(name)&title=eq.${encodeURIComponent(title)}`,
  );
  return rows[0];
}

test('the main journey: quick add, edit, complete, undo, delete, restore, delete forever, sign out and in', async ({
  page,
  baseURL,
}) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('journey', test.info());
  await signUp(page, person);

  // Another task, through the Inbox's own field: it must survive the whole journey.
  await page.getByLabel('New task').fill('Buy oat milk');
  await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
  await expect(taskRow(page, 'Buy oat milk')).toBeVisible();

  // Quick add from the header's "Add task".
  await page.getByRole('banner').getByRole('button', { name: 'Add task' }).click();
  await fillQuickAdd(page);
  await screenshot(page, 'journey-quick-add');
  await quickAdd(page).getByRole('button', { name: 'Add task' }).click();
  await expect(quickAdd(page)).toBeHidden();
  await expect(toast(page, 'Added “Pay rent”.')).toBeVisible();

  const stored = await storedRent(page, baseURL, 'Pay rent');
  expect(stored).toMatchObject({
    title: 'Pay rent',
    priority: 1,
    recurrence: 'FREQ=MONTHLY;BYMONTHDAY=1',
    due_date: nextFirstOfMonth(ZONE),
    project: { name: 'home' },
  });

  // The new project is in the sidebar; its list shows the task with all it was given.
  await nav(page).getByRole('link', { name: 'home' }).click();
  await expectRentRow(page, 'Pay rent');
  await screenshot(page, 'journey-project');

  // Open and edit it.
  await taskRow(page, 'Pay rent').getByRole('link', { name: 'Pay rent' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Pay rent' })).toBeVisible();
  await expect(page.getByTestId('recurrence')).not.toBeEmpty();
  await expect(page.getByLabel('Due date (optional)')).toHaveValue(nextFirstOfMonth(ZONE));
  await expect(page.getByLabel('Priority')).toHaveValue('1');
  await expect(page.getByLabel('Project', { exact: true }).locator('option:checked')).toHaveText('home');
  const title = 'Pay the rent';
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Notes (optional)').fill('Transfer to the **landlord**.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/app$/);
  expect(await storedRent(page, baseURL, title)).toMatchObject({
    notes: 'Transfer to the **landlord**.',
    priority: 1,
    due_date: nextFirstOfMonth(ZONE),
  });

  // Complete, then Undo from the notification.
  await nav(page).getByRole('link', { name: 'home' }).click();
  await expectRentRow(page, title);
  await page.getByRole('button', { name: `Complete “${title}”` }).click();
  await expect(toast(page, `Completed “${title}”.`)).toBeVisible();
  await expect(page.getByRole('button', { name: `Complete “${title}”` })).toHaveCount(0);
  await expect.poll(async () => (await storedRent(page, baseURL, title))?.status).toBe('completed');
  await toast(page, `Completed “${title}”.`).getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('button', { name: `Complete “${title}”` })).toBeVisible();
  await expect.poll(async () => (await storedRent(page, baseURL, title))?.status).toBe('open');

  // Delete: it goes to the Trash, and comes back from there.
  await page.getByRole('button', { name: `Delete “${title}”` }).click();
  await expect(toast(page, `Deleted “${title}”.`)).toBeVisible();
  await expect(taskRow(page, title)).toHaveCount(0);
  await expect.poll(async () => (await storedRent(page, baseURL, title))?.deleted_at).not.toBeNull();
  await nav(page).getByRole('link', { name: 'Trash' }).click();
  await expect(trashList(page).getByText(title)).toBeVisible();
  await screenshot(page, 'journey-trash');
  await page.getByRole('button', { name: `Restore “${title}”` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Restored “${title}”.` })).toBeAttached();
  expect((await storedRent(page, baseURL, title))?.deleted_at).toBeNull();
  await projectAfterTrash(page, () => nav(page).getByRole('link', { name: 'home' }).click(), title);

  // Delete again, then forever (after a confirmation).
  await page.getByRole('button', { name: `Delete “${title}”` }).click();
  await expect(toast(page, `Deleted “${title}”.`).last()).toBeVisible();
  // The first delete's toast may still show: wait for this delete to reach the server.
  await expect.poll(async () => (await storedRent(page, baseURL, title))?.deleted_at).not.toBeNull();
  await nav(page).getByRole('link', { name: 'Trash' }).click();
  await deleteForever(page, title).click();
  const confirm = page.getByRole('dialog', { name: `Delete “${title}” forever?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete forever' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Deleted “${title}” forever.` })).toBeAttached();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  expect(await storedRent(page, baseURL, title)).toBeUndefined();

  // Sign out and back in: the rest is still there.
  await signOut(page);
  await page.goto('/app');
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, person);
  await expect(taskRow(page, 'Buy oat milk')).toBeVisible();
  await expect(page.getByText(title)).toHaveCount(0);
  await expect(nav(page).getByRole('link', { name: 'home' })).toBeVisible();
  await screenshot(page, 'journey-after-sign-in');
  expect(errors).toEqual([]);
});

test("a second person never sees the first person's tasks, in any list or by URL", async ({ browser, baseURL }) => {
  const alicePage = await (await browser.newContext({ baseURL, timezoneId: ZONE })).newPage();
  await signUp(alicePage, newPerson('alice', test.info()));
  const api = rest(alicePage, baseURL);
  const secret = `Alice secret ${Date.now().toString(36)}`;
  const project = await api.createProject('Alice private');
  const open = await api.createTask({ title: `${secret} open`, due_date: new Date().toISOString().slice(0, 10) });
  const inProject = await api.createTask({ title: `${secret} in project`, project_id: project.id });
  const done = await api.createTask({ title: `${secret} done`, status: 'completed' });
  const trashed = await api.createTask({ title: `${secret} trashed`, deleted_at: new Date().toISOString() });
  // Alice herself sees them (the fixtures are real).
  await alicePage.goto('/app/today');
  await expect(alicePage.getByRole('link', { name: `${secret} open` })).toBeVisible();

  const bobPage = await (await browser.newContext({ baseURL, timezoneId: ZONE })).newPage();
  await signUp(bobPage, newPerson('bob', test.info()));
  for (const path of [
    '/app',
    '/app/today',
    '/app/upcoming',
    '/app/completed',
    '/app/trash',
    '/app/projects',
    `/app/search?q=${encodeURIComponent(secret)}`,
  ]) {
    const response = await bobPage.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect(bobPage.getByRole('heading', { level: 1 })).toBeVisible();
    // Search repeats the query itself; no result may carry it.
    const leak = path.includes('search') ? bobPage.getByRole('link', { name: secret }) : bobPage.getByText(secret);
    await expect(leak, path).toHaveCount(0);
    await expect(bobPage.getByText('Alice private'), path).toHaveCount(0);
  }
  for (const task of [open, inProject, done, trashed]) {
    const response = await bobPage.goto(`/app/tasks/${task.id}`);
    expect(response?.status(), task.title).toBe(404);
    await expect(bobPage.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    await expect(bobPage.getByText(secret)).toHaveCount(0);
  }
  expect((await bobPage.goto(`/app/projects/${project.id}`))?.status()).toBe(404);
  expect(await rest(bobPage, baseURL).tasks(`select=id&title=like.${encodeURIComponent(`${secret}*`)}`)).toEqual([]);
  await alicePage.context().close();
  await bobPage.context().close();
});

test('the main journey by keyboard alone, with a visible focus ring', async ({ page, baseURL }) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('keys', test.info());
  const key = (k: string) => page.keyboard.press(k);

  // Sign up: Tab to each field, type, Enter submits.
  await page.goto('/sign-up');
  const name = page.getByLabel('Name');
  await tabTo(page, name);
  await expectVisibleFocus(name);
  await page.keyboard.type(person.name);
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(person.email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(person.password);
  await key('Enter');
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();

  // `q` opens quick add with focus in the field; Enter adds.
  await key('q');
  await fillQuickAdd(page);
  await key('Enter');
  await expect(quickAdd(page)).toBeHidden();
  await expect(toast(page, 'Added “Pay rent”.')).toBeVisible();
  // Another task with `q`, to keep after signing out.
  await key('q');
  await expect(quickAdd(page).getByLabel('Task')).toBeFocused();
  await page.keyboard.type('Call the bank');
  await key('Enter');
  await expect(taskRow(page, 'Call the bank')).toBeVisible();
  await key('q');
  await page.keyboard.type('Buy stamps');
  await key('Enter');
  await expect(taskRow(page, 'Buy stamps')).toBeVisible();

  // `j`/`k` move the selection through the Inbox (the focused row is the selected one).
  const selected = page.locator('[role="row"][aria-selected="true"]');
  await key('j');
  await expect(selected).toContainText('Call the bank');
  await key('j');
  await expect(selected).toContainText('Buy stamps');
  await expect(taskRow(page, 'Buy stamps')).toBeFocused();
  await key('k');
  await expect(selected).toContainText('Call the bank');
  await expectVisibleFocus(taskRow(page, 'Call the bank'));

  // `?` shows the shortcuts; Escape closes them.
  await key('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await key('Escape');
  await expect(help).toHaveCount(0);

  // To the project by Tab + Enter from the top of the page.
  const home = nav(page).getByRole('link', { name: 'home' });
  await tabTo(page, home);
  await expectVisibleFocus(home);
  await key('Enter');
  await expectRentRow(page, 'Pay rent');

  // `j` selects the task (a focused row with a ring), `e` opens it.
  await key('j');
  const row = taskRow(page, 'Pay rent');
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await expectVisibleFocus(row);
  await key('e');
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  const titleField = page.getByLabel('Title');
  await tabTo(page, titleField);
  await expectVisibleFocus(titleField);
  await key('ControlOrMeta+a');
  await page.keyboard.type('Pay the rent');
  await tabTo(page, page.getByLabel('Notes (optional)'));
  await page.keyboard.type('Landlord: *Mr Jones*.');
  const save = page.getByRole('button', { name: 'Save changes' });
  await tabTo(page, save);
  await expectVisibleFocus(save);
  await key('Enter');
  await expect(page).toHaveURL(/\/app$/);
  expect(await storedRent(page, baseURL, 'Pay the rent')).toMatchObject({ notes: 'Landlord: *Mr Jones*.' });

  // Back to the project; `j` then `x` completes; Undo is reachable by Tab.
  await tabTo(page, nav(page).getByRole('link', { name: 'home' }));
  await key('Enter');
  await expectRentRow(page, 'Pay the rent');
  await key('j');
  await expect(taskRow(page, 'Pay the rent')).toBeFocused();
  await key('x');
  const completed = toast(page, 'Completed “Pay the rent”.');
  await expect(completed).toBeVisible();
  await expect.poll(async () => (await storedRent(page, baseURL, 'Pay the rent'))?.status).toBe('completed');
  const undo = completed.getByRole('button', { name: 'Undo' });
  await tabTo(page, undo);
  await expectVisibleFocus(undo);
  await key('Enter');
  await expect(taskRow(page, 'Pay the rent')).toBeVisible();
  await expect.poll(async () => (await storedRent(page, baseURL, 'Pay the rent'))?.status).toBe('open');

  // `j` then `#` deletes.
  await tabTo(page, taskRow(page, 'Pay the rent'), { backwards: true });
  await key('#');
  await expect(toast(page, 'Deleted “Pay the rent”.')).toBeVisible();
  await expect.poll(async () => (await storedRent(page, baseURL, 'Pay the rent'))?.deleted_at).not.toBeNull();

  // Trash: restore, then delete forever through the confirmation dialog.
  const trash = nav(page).getByRole('link', { name: 'Trash' });
  await tabTo(page, trash);
  await key('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Trash' })).toBeVisible();
  const restore = page.getByRole('button', { name: 'Restore “Pay the rent”' });
  await tabTo(page, restore);
  await expectVisibleFocus(restore);
  await key('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Pay the rent”.' })).toBeAttached();
  expect((await storedRent(page, baseURL, 'Pay the rent'))?.deleted_at).toBeNull();

  await projectAfterTrash(
    page,
    async () => {
      await tabTo(page, nav(page).getByRole('link', { name: 'home' }), { backwards: true });
      await key('Enter');
    },
    'Pay the rent',
  );
  await key('j');
  await key('#');
  await expect(toast(page, 'Deleted “Pay the rent”.').last()).toBeVisible();
  await tabTo(page, nav(page).getByRole('link', { name: 'Trash' }));
  await key('Enter');
  const forever = deleteForever(page, 'Pay the rent');
  await tabTo(page, forever);
  await key('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete “Pay the rent” forever?' });
  await expect(confirm).toBeVisible();
  const confirmButton = confirm.getByRole('button', { name: 'Delete forever' });
  await tabTo(page, confirmButton, { max: 6 });
  await key('Enter');
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  // The row leaves at once (optimistic); the server's answer brings the status.
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Pay the rent” forever.' })).toBeAttached();
  expect(await storedRent(page, baseURL, 'Pay the rent')).toBeUndefined();

  // Sign out from the account menu, by keyboard.
  const account = page.getByRole('button', { name: /^Account menu/ });
  await tabTo(page, account, { backwards: true });
  await expectVisibleFocus(account);
  await key('Enter');
  const signOutButton = page.getByRole('button', { name: 'Sign out' });
  await tabTo(page, signOutButton, { max: 10 });
  await key('Enter');
  await expect(page).toHaveURL(/\/$/);

  // Sign in by keyboard: the other task is still there.
  await page.goto('/sign-in');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(person.email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(person.password);
  await key('Enter');
  await expect(page).toHaveURL(/\/app$/);
  await expect(taskRow(page, 'Call the bank')).toBeVisible();
  expect(errors).toEqual([]);
});

test.describe('on a 375 px phone', () => {
  test.use({ viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true });

  test('the main journey through the drawer, with touch targets of at least 44 px', async ({ page, baseURL }) => {
    const errors = watchBrowserErrors(page);
    const person = newPerson('phone', test.info());
    await signUp(page, person);
    const noSideScroll = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    expect(await noSideScroll()).toBe(true);

    const header = page.getByRole('banner');
    const addTask = header.getByRole('button', { name: 'Add task' });
    const menu = header.getByRole('button', { name: 'Menu', exact: true });
    const account = header.getByRole('button', { name: /^Account menu/ });
    for (const control of [addTask, menu, account]) await expectTouchTarget(control);
    await expect(nav(page).getByRole('link', { name: 'Inbox' })).toBeHidden();

    await addTask.tap();
    await fillQuickAdd(page);
    await expectTouchTarget(quickAdd(page).getByRole('button', { name: 'Add task' }));
    await expectTouchTarget(quickAdd(page).getByRole('button', { name: 'Cancel' }));
    await screenshot(page, 'journey-mobile-quick-add');
    await quickAdd(page).getByRole('button', { name: 'Add task' }).tap();
    await expect(toast(page, 'Added “Pay rent”.')).toBeVisible();

    // Navigation: the drawer.
    await menu.tap();
    const home = nav(page).getByRole('link', { name: 'home' });
    await expect(home).toBeVisible();
    for (const link of ['Inbox', 'Today', 'Upcoming', 'home', 'Completed', 'Trash', 'Search', 'Settings'])
      await expectTouchTarget(nav(page).getByRole('link', { name: link, exact: true }));
    await expectTouchTarget(nav(page).getByRole('button', { name: 'Close menu' }));
    await screenshot(page, 'journey-mobile-drawer');
    await home.tap();
    await expectRentRow(page, 'Pay rent');
    await expect(home).toBeHidden();
    expect(await noSideScroll()).toBe(true);
    await expectTouchTarget(page.getByRole('button', { name: 'Complete “Pay rent”' }));
    await expectTouchTarget(page.getByRole('button', { name: 'Delete “Pay rent”' }));
    await screenshot(page, 'journey-mobile-project');

    // Edit.
    await taskRow(page, 'Pay rent').getByRole('link', { name: 'Pay rent' }).tap();
    await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
    await page.getByLabel('Title').fill('Pay the rent');
    const save = page.getByRole('button', { name: 'Save changes' });
    await expectTouchTarget(save);
    expect(await noSideScroll()).toBe(true);
    await save.tap();
    await expect(page).toHaveURL(/\/app$/);

    // Complete → Undo, delete.
    await menu.tap();
    await nav(page).getByRole('link', { name: 'home' }).tap();
    await page.getByRole('button', { name: 'Complete “Pay the rent”' }).tap();
    const completed = toast(page, 'Completed “Pay the rent”.');
    await expect(completed).toBeVisible();
    await expectTouchTarget(completed.getByRole('button', { name: 'Undo' }));
    await completed.getByRole('button', { name: 'Undo' }).tap();
    await expect(page.getByRole('button', { name: 'Complete “Pay the rent”' })).toBeVisible();
    await expect.poll(async () => (await storedRent(page, baseURL, 'Pay the rent'))?.status).toBe('open');
    await page.getByRole('button', { name: 'Delete “Pay the rent”' }).tap();
    await expect(toast(page, 'Deleted “Pay the rent”.')).toBeVisible();

    // Trash through the drawer: restore, delete again, delete forever.
    await menu.tap();
    await nav(page).getByRole('link', { name: 'Trash' }).tap();
    const restore = page.getByRole('button', { name: 'Restore “Pay the rent”' });
    await expectTouchTarget(restore);
    await expectTouchTarget(deleteForever(page, 'Pay the rent'));
    await screenshot(page, 'journey-mobile-trash');
    await restore.tap();
    await expect(page.getByText('The trash is empty.')).toBeVisible();
    // The row leaves at once (optimistic); the server's answer brings the status.
    await expect(page.getByRole('status').filter({ hasText: 'Restored “Pay the rent”.' })).toBeAttached();
    expect((await storedRent(page, baseURL, 'Pay the rent'))?.deleted_at).toBeNull();
    await projectAfterTrash(
      page,
      async () => {
        await menu.tap();
        await nav(page).getByRole('link', { name: 'home' }).tap();
      },
      'Pay the rent',
    );
    await page.getByRole('button', { name: 'Delete “Pay the rent”' }).tap();
    await expect(toast(page, 'Deleted “Pay the rent”.').last()).toBeVisible();
    await menu.tap();
    await nav(page).getByRole('link', { name: 'Trash' }).tap();
    await deleteForever(page, 'Pay the rent').tap();
    const confirm = page.getByRole('dialog', { name: 'Delete “Pay the rent” forever?' });
    await expectTouchTarget(confirm.getByRole('button', { name: 'Delete forever' }));
    await confirm.getByRole('button', { name: 'Delete forever' }).tap();
    await expect(page.getByText('The trash is empty.')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Deleted “Pay the rent” forever.' })).toBeAttached();
    expect(await storedRent(page, baseURL, 'Pay the rent')).toBeUndefined();

    // Sign out from the account menu; sign back in: the project is still there.
    await account.tap();
    const signOutButton = page.getByRole('button', { name: 'Sign out' });
    await expectTouchTarget(signOutButton);
    await signOutButton.tap();
    await expect(page).toHaveURL(/\/$/);
    await signIn(page, person);
    await menu.tap();
    await expect(nav(page).getByRole('link', { name: 'home' })).toBeVisible();
    expect(errors).toEqual([]);
  });
});
