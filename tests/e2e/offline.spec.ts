// Offline in a real browser against the production build: after one online visit the app
// shell and the last-seen tasks open without a network (service worker + IndexedDB);
// tasks added, completed, moved and deleted offline are queued, survive a reload, and
// reach the server exactly once on reconnect; replaying the same outbox again (a lost
// answer) changes nothing; signing out deletes the offline data. Without JavaScript there
// is no service worker: the run checks that the plain pages carry no offline machinery.
// Signing out with changes still only on the device asks first; a change the server
// refuses on replay keeps the person's values, listed with the reason, to edit again.
import { createClient } from '@supabase/supabase-js';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { config } from '../../lib/config.ts';
import type { Mutation } from '../../app/src/lib/offline/outbox.ts';
import { replay } from '../../app/src/lib/offline/send.ts';
import { superuserQuery } from '../support/db.ts';
import { controlled, newPerson, rest, signOut, signUp as signUpPerson, toast } from './support/app.ts';

async function signUp(page: Page, testInfo: TestInfo, label: string): Promise<string> {
  const person = newPerson(label, testInfo);
  await signUpPerson(page, person);
  return person.email;
}

const todo = (page: Page) =>
  page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: /^To do/ }) });
const titles = (page: Page) => todo(page).getByRole('row').locator('a.title').allTextContents();
const indicator = (page: Page) => page.locator('header').getByRole('status');

type Stored = { databases: string[]; outbox: Mutation[]; snapshotRows: number; savedAt: number | null };

/** What the page keeps in IndexedDB (read with the raw API, as any script of the origin could). */
function stored(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases())
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith('taskmaster-offline-'));
    const result = { databases: names, outbox: [] as unknown[], snapshotRows: 0, savedAt: null as number | null };
    if (names.length !== 1) return result as Stored;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(names[0] as string);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const get = <T>(store: string, key?: string) =>
      new Promise<T>((resolve, reject) => {
        const req =
          key === undefined
            ? db.transaction(store).objectStore(store).count()
            : db.transaction(store).objectStore(store).get(key);
        req.onsuccess = () => resolve(req.result as T);
        req.onerror = () => reject(req.error);
      });
    result.outbox = (await get<unknown[] | undefined>('meta', 'outbox')) ?? [];
    result.snapshotRows = await get<number>('tasks');
    result.savedAt = (await get<{ savedAt: number } | undefined>('meta', 'snapshot'))?.savedAt ?? null;
    db.close();
    return result as Stored;
  });
}

/** Whether the service worker keeps a copy of the current page. */
function pageKept(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    for (const name of await caches.keys()) {
      if (!name.startsWith('pages-')) continue;
      if (await (await caches.open(name)).match(location.href, { ignoreVary: true })) return true;
    }
    return false;
  });
}

async function serverTasks(email: string) {
  const { rows } = await superuserQuery<{ title: string; status: string; deleted: boolean; position: string }>(
    `select t.title, t.status, t.deleted_at is not null as deleted, t.position::text as position
       from public.tasks t
       join public.workspace_members m on m.workspace_id = t.workspace_id
       join identity.users u on u.id = m.user_id
      where u.email = $1
      order by t.title`,
    [email],
  );
  return rows;
}

test('after one online visit the Inbox opens offline; offline changes are queued, survive a reload and land once', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  if (testInfo.project.use.javaScriptEnabled === false) {
    // Plain HTML: no service worker registers and nothing is queued; the page works online.
    await signUp(page, testInfo, 'offline-nojs');
    await page.getByLabel('New task').fill('Plain form task');
    await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
    await expect(todo(page).getByRole('link', { name: 'Plain form task' })).toBeVisible();
    await expect(indicator(page)).toHaveText('');
    return;
  }

  const email = await signUp(page, testInfo, 'offline');
  const headers = { origin: baseURL ?? '', 'content-type': 'application/json' };
  for (const title of ['Keep me', 'Delete me', 'Move me']) {
    const res = await page.request.post('/rest/v1/rpc/quick_add_task', { headers, data: { title } });
    expect(res.status(), await res.text()).toBe(200);
  }
  await page.reload();
  expect(await titles(page)).toEqual(['Keep me', 'Delete me', 'Move me']);

  // The service worker takes control, keeps this page, and the snapshot is written.
  await controlled(page);
  await expect.poll(() => pageKept(page)).toBe(true);
  await expect.poll(async () => (await stored(page)).snapshotRows).toBe(3);
  // A view opened by a client-side navigation is kept too.
  const nav = page.getByRole('navigation', { name: 'Main' });
  const beforeToday = await page.evaluate(() => Date.now());
  await nav.getByRole('link', { name: 'Today' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expect.poll(() => pageKept(page)).toBe(true);
  await nav.getByRole('link', { name: 'Inbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  // The snapshot is written a moment after the last change (Today's first load); a person
  // does not go offline within that moment, so the test waits for that write.
  await expect.poll(async () => (await stored(page)).savedAt ?? 0).toBeGreaterThan(beforeToday);

  // ---- offline: the shell and the last-seen tasks come from the device
  await context.setOffline(true);
  await expect(indicator(page)).toHaveText('Offline');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect.poll(() => titles(page)).toEqual(['Keep me', 'Delete me', 'Move me']);
  await expect(indicator(page)).toHaveText('Offline');
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Other visited views open offline, by link and by a full load.
  await nav.getByRole('link', { name: 'Today' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await nav.getByRole('link', { name: 'Inbox' }).click();
  await expect.poll(() => titles(page)).toEqual(['Keep me', 'Delete me', 'Move me']);

  // Two tasks through quick add, one of them completed; one existing task moved, one deleted.
  for (const title of ['Offline one', 'Offline two']) {
    await page.keyboard.press('q');
    const dialog = page.getByRole('dialog', { name: 'Quick add' });
    await dialog.getByLabel('Task').fill(title);
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await expect(todo(page).getByRole('link', { name: title })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Complete “Offline one”' }).click();
  await expect(todo(page).getByRole('link', { name: 'Offline one' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete “Delete me”' }).click();
  await expect(page.getByRole('link', { name: 'Delete me' })).toHaveCount(0);
  await todo(page).getByRole('row').filter({ hasText: 'Move me' }).focus();
  await page.keyboard.press('Alt+ArrowUp');
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => titles(page)).toEqual(['Move me', 'Keep me', 'Offline two']);

  // Two creates, the completion, the deletion and the (coalesced) move: five writes wait.
  await expect(indicator(page)).toHaveText('Offline — 5 changes pending');
  await expect.poll(async () => (await stored(page)).outbox.length).toBe(5);

  // ---- still offline, a reload keeps every queued change
  await page.reload();
  await expect(indicator(page)).toHaveText('Offline — 5 changes pending');
  await expect.poll(() => titles(page)).toEqual(['Move me', 'Keep me', 'Offline two']);
  const outbox = (await stored(page)).outbox;
  expect(outbox.map((m) => m.kind)).toEqual(['quick_add', 'quick_add', 'update', 'update', 'update']);
  expect(new Set(outbox.map((m) => m.key)).size).toBe(5);
  // Nothing reached the server yet.
  expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Delete me', 'Keep me', 'Move me']);

  // ---- back online: the outbox is replayed and the indicator clears
  await context.setOffline(false);
  await expect(indicator(page)).toHaveText('');
  await expect.poll(async () => (await stored(page)).outbox.length).toBe(0);

  const expected = [
    { title: 'Delete me', status: 'open', deleted: true },
    { title: 'Keep me', status: 'open', deleted: false },
    { title: 'Move me', status: 'open', deleted: false },
    { title: 'Offline one', status: 'completed', deleted: false },
    { title: 'Offline two', status: 'open', deleted: false },
  ];
  const after = await serverTasks(email);
  expect(after.map(({ title, status, deleted }) => ({ title, status, deleted }))).toEqual(expected);
  const position = (title: string) => Number(after.find((t) => t.title === title)?.position);
  expect(position('Move me')).toBeLessThan(position('Keep me'));
  await page.reload();
  await expect.poll(() => titles(page)).toEqual(['Move me', 'Keep me', 'Offline two']);

  // ---- the same outbox again, as after a lost answer: the server replays, nothing doubles
  const tokenRes = await page.request.get('/auth/token');
  const { token } = (await tokenRes.json()) as { token: string };
  const client = createClient(baseURL ?? '', config().API_PUBLISHABLE_KEY, {
    accessToken: async () => token,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  for (const m of outbox) {
    const outcome = await replay(client, { ...m, sent: true });
    expect(outcome.kind, JSON.stringify(outcome)).toBe('done');
  }
  const again = await serverTasks(email);
  expect(again).toEqual(after);

  // ---- signing out deletes the offline data of this browser
  expect((await stored(page)).databases).toHaveLength(1);
  await page.getByRole('button', { name: /^Account menu for/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(async () => (await stored(page)).databases).toEqual([]);
});

test('a task edited offline on its page is saved on reconnect, once', async ({ page, context, baseURL }, testInfo) => {
  const email = await signUp(page, testInfo, 'offline-edit');
  if (testInfo.project.use.javaScriptEnabled === false) {
    // Without JavaScript there is no offline mode: the page saves through its form online.
    await page.getByLabel('New task').fill('Edit me');
    await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
    await todo(page).getByRole('link', { name: 'Edit me' }).click();
    await page.getByLabel('Title').fill('Edited by the form');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(indicator(page)).toHaveText('');
    await expect.poll(async () => (await serverTasks(email)).map((t) => t.title)).toEqual(['Edited by the form']);
    return;
  }
  const headers = { origin: baseURL ?? '', 'content-type': 'application/json' };
  const res = await page.request.post('/rest/v1/rpc/quick_add_task', { headers, data: { title: 'Edit me' } });
  expect(res.status(), await res.text()).toBe(200);
  const { id } = (await res.json()) as { id: string };
  // Online: the Inbox (snapshot) and the task's page (kept by the service worker).
  await page.reload();
  await controlled(page);
  await expect.poll(async () => (await stored(page)).snapshotRows).toBe(1);
  await page.goto(`/app/tasks/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  await expect.poll(() => pageKept(page)).toBe(true);

  await context.setOffline(true);
  await expect(indicator(page)).toHaveText('Offline');
  await page.getByLabel('Title').fill('Edited offline');
  await page.getByLabel('Priority').selectOption('2');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect.poll(() => titles(page)).toEqual(['Edited offline']);
  await expect(indicator(page)).toHaveText('Offline — 1 change pending');
  expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Edit me']);

  await context.setOffline(false);
  await expect(indicator(page)).toHaveText('');
  await expect.poll(async () => (await serverTasks(email)).map((t) => t.title)).toEqual(['Edited offline']);
  const { rows } = await superuserQuery<{ priority: number }>('select priority from public.tasks where id = $1', [id]);
  expect(rows).toEqual([{ priority: 2 }]);
});

test.describe('a lost answer', () => {
  // Without the service worker in the way, the test can drop the server's answers.
  test.use({ serviceWorkers: 'block' });

  test('a write whose answer never arrives waits in the outbox and is replayed once under its key', async ({
    page,
    context,
  }, testInfo) => {
    if (testInfo.project.use.javaScriptEnabled === false) {
      // Plain HTML posts the form once per click: one row.
      const email = await signUp(page, testInfo, 'lost-nojs');
      await page.getByLabel('New task').fill('Sent once');
      await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
      await expect(todo(page).getByRole('link', { name: 'Sent once' })).toBeVisible();
      expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Sent once']);
      return;
    }
    const email = await signUp(page, testInfo, 'lost');
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
    // The server performs every attempt; the browser never hears back.
    let performed = 0;
    await page.route('**/rest/v1/rpc/quick_add_task', async (route) => {
      await route.fetch();
      performed += 1;
      await route.abort('connectionreset');
    });
    await page.keyboard.press('q');
    const dialog = page.getByRole('dialog', { name: 'Quick add' });
    await dialog.getByLabel('Task').fill('Answer lost');
    await dialog.getByRole('button', { name: 'Add task' }).click();
    await expect(todo(page).getByRole('link', { name: 'Answer lost' })).toBeVisible();
    await expect(indicator(page)).toHaveText('1 change waiting to sync');
    expect(performed).toBeGreaterThan(0);
    expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Answer lost']);

    // The network is back (the browser says so): the same request, the stored answer, one task.
    await page.unroute('**/rest/v1/rpc/quick_add_task');
    const replayed = page.waitForResponse('**/rest/v1/rpc/quick_add_task');
    await context.setOffline(true);
    await context.setOffline(false);
    // The gateway answers from its idempotency store: the request was the same, under the same key.
    expect((await replayed).headers()['idempotent-replayed']).toBe('true');
    await expect(indicator(page)).toHaveText('');
    await expect.poll(async () => (await stored(page)).outbox.length).toBe(0);
    expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Answer lost']);
    await page.reload();
    await expect(todo(page).getByRole('link', { name: 'Answer lost' })).toBeVisible();
  });
});

test('signing out with unsynced changes asks first; staying keeps them and they land on reconnect', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  if (testInfo.project.use.javaScriptEnabled === false) {
    // The plain form signs out at once: there is no offline data to lose without JavaScript.
    await signUp(page, testInfo, 'signout-nojs');
    await signOut(page);
    return;
  }
  const email = await signUp(page, testInfo, 'signout');
  await rest(page, baseURL).createTask({ title: 'Water the plants' });
  await page.reload();
  await controlled(page);
  await expect.poll(async () => (await stored(page)).snapshotRows).toBe(1);

  await context.setOffline(true);
  await expect(indicator(page)).toHaveText('Offline');
  await page.getByRole('button', { name: 'Complete “Water the plants”' }).click();
  await expect(indicator(page)).toHaveText('Offline — 1 change pending');

  const menu = page.getByRole('button', { name: /^Account menu for/ });
  await menu.click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unsynced changes' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('1 change hasn’t synced. Sign out anyway and lose it?');
  // Focus starts on the safe choice; staying closes the dialog and returns focus to the menu.
  const stay = dialog.getByRole('button', { name: 'Stay signed in' });
  await expect(stay).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(menu).toBeFocused();
  await expect(page).toHaveURL(/\/app$/);
  await expect(indicator(page)).toHaveText('Offline — 1 change pending');
  expect((await stored(page)).outbox).toHaveLength(1);
  expect((await serverTasks(email)).map((t) => t.status)).toEqual(['open']);

  // Back online the change lands; signing out now has nothing to lose and does not ask.
  await context.setOffline(false);
  await expect(indicator(page)).toHaveText('');
  await expect.poll(async () => (await serverTasks(email)).map((t) => t.status)).toEqual(['completed']);
  await signOut(page);
  await expect(dialog).toHaveCount(0);
  await expect.poll(async () => (await stored(page)).databases).toEqual([]);
});

test('an offline change the server refuses keeps the typed values: listed with the reason, editable again', async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  if (testInfo.project.use.javaScriptEnabled === false) {
    // Without JavaScript nothing is queued, so nothing can be refused later.
    await signUp(page, testInfo, 'refused-nojs');
    await expect(indicator(page)).toHaveText('');
    await expect(page.getByRole('button', { name: /not saved$/ })).toHaveCount(0);
    return;
  }
  const email = await signUp(page, testInfo, 'refused');
  const api = rest(page, baseURL);
  const project = await api.createProject('Errands');
  const milk = await api.createTask({ title: 'Buy milk' });
  const letter = await api.createTask({ title: 'Post letter' });
  await page.reload();
  await controlled(page);
  await expect.poll(async () => (await stored(page)).snapshotRows).toBe(2);
  // Both task pages are visited online, so they open offline.
  for (const id of [milk.id, letter.id]) {
    await page.goto(`/app/tasks/${id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
    await expect.poll(() => pageKept(page)).toBe(true);
  }

  // Offline, both tasks are renamed and moved into "Errands".
  await context.setOffline(true);
  await expect(indicator(page)).toHaveText('Offline');
  for (const [id, title] of [
    [milk.id, 'Buy oat milk'],
    [letter.id, 'Post the letter'],
  ] as const) {
    if (!page.url().endsWith(id)) await page.goto(`/app/tasks/${id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'Errands' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  }
  await expect(indicator(page)).toHaveText('Offline — 2 changes pending');

  // Meanwhile another session deletes the project: the queued moves now refer to nothing.
  await superuserQuery('delete from public.projects where id = $1', [project.id]);
  await context.setOffline(false);
  const refusedToast = toast(page, 'Could not save a change made offline to “Buy oat milk”');
  await expect(refusedToast).toBeVisible();
  await expect(toast(page, 'Could not save a change made offline to “Post the letter”')).toBeVisible();
  await expect(indicator(page)).toHaveText('');
  expect((await serverTasks(email)).map((t) => t.title)).toEqual(['Buy milk', 'Post letter']);
  // Kept on the device (a reload does not lose them), listed under the indicator with the values.
  await expect.poll(async () => (await stored(page)).outbox.length).toBe(0);
  await page.reload();
  const toggle = page.getByRole('button', { name: '2 changes not saved' });
  await expect(toggle).toBeVisible();
  await toggle.click();
  const list = page.locator('#refused-changes');
  await expect(list).toBeVisible();
  const milkItem = list.getByRole('listitem').filter({ hasText: '“Buy oat milk”' });
  await expect(milkItem).toContainText('Title: Buy oat milk');
  await expect(milkItem).toContainText('Project: A project that no longer exists');
  const reason = (await milkItem.locator('p').first().innerText()).replace('“Buy oat milk”:', '').trim();
  expect(reason.length, 'the server’s reason is shown').toBeGreaterThan(0);

  // "Edit again": the task's page with the typed title back in the form, and why.
  await milkItem.getByRole('button', { name: 'Edit again' }).click();
  await expect(page).toHaveURL(new RegExp(`/app/tasks/${milk.id}$`));
  await expect(page.getByLabel('Title')).toHaveValue('Buy oat milk');
  await expect(page.getByRole('status').filter({ hasText: 'Your change made offline was not saved' })).toContainText(
    reason.replace(/\.$/, ''),
  );
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect
    .poll(async () => (await serverTasks(email)).map((t) => t.title))
    .toEqual(['Buy oat milk', 'Post letter']);

  // One refused change is left: signing out would lose it, so it asks; "Sign out anyway" does.
  await expect(page.getByRole('button', { name: '1 change not saved' })).toBeVisible();
  await page.getByRole('button', { name: /^Account menu for/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unsynced changes' });
  await expect(dialog).toContainText('1 change hasn’t synced. Sign out anyway and lose it?');
  await dialog.getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(async () => (await stored(page)).databases).toEqual([]);
});
