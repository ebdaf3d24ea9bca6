// Phase 1 in a real browser: sign up, manage tasks, sign out and back in, and tenancy
// between two people. playwright.config.ts runs every test twice: with JavaScript
// (use:enhance) and without it (plain HTML forms).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

const PASSWORD = 'correct horse battery staple';
const SCREENSHOTS = 'artifacts/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

type Person = { name: string; email: string; password: string };

function newPerson(label: string, testInfo: TestInfo): Person {
  const id = randomUUID().slice(0, 8);
  return {
    name: `${label} ${id}`,
    email: `e2e-${testInfo.project.name}-${label}-${id}@example.com`,
    password: PASSWORD,
  };
}

async function snap(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${testInfo.project.name}-${step}.png`, fullPage: true });
}

/** A calendar day `days` from today, as <input type="date"> wants it. */
function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function signUp(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
}

async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app$/);
}

async function addTask(page: Page, title: string, dueDate?: string): Promise<void> {
  await page.getByLabel('New task').fill(title);
  if (dueDate) await page.getByLabel('Due date (optional)').fill(dueDate);
  // Scoped to the form: the app header has its own "Add task" (quick add) button.
  await page.getByRole('form', { name: 'Add a task' }).getByRole('button', { name: 'Add task' }).click();
  await expect(openList(page).getByRole('link', { name: title, exact: true })).toBeVisible();
  // The form is ready for the next task (a fresh page without JS, a reset form with it).
  await expect(page.getByLabel('New task')).toHaveValue('');
}

/** Sign out lives in the account menu (a native popover: it opens without JavaScript too). */
async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
}

const section = (page: Page, heading: RegExp) =>
  page.locator('section').filter({ has: page.getByRole('heading', { level: 2, name: heading }) });
const openList = (page: Page) => section(page, /^To do/);
const completedList = (page: Page) => section(page, /^Completed/);

test('a person signs up, manages tasks, and finds them again after signing back in', async ({ page }, testInfo) => {
  const person = newPerson('alice', testInfo);
  // A CSP violation or a script error would silently turn the app into plain HTML forms.
  const browserErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('one calm list');
  await snap(page, testInfo, '01-landing');

  // Anonymous visitors are sent to sign in, and come back afterwards.
  await page.goto('/app');
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fapp$/);

  await signUp(page, person);
  await expect(openList(page).getByText('Nothing to do')).toBeVisible();
  await snap(page, testInfo, '02-empty-inbox');

  const report = 'Write the quarterly report';
  const milk = 'Buy oat milk';
  const plumber = 'Call the plumber';
  await addTask(page, report, isoDay(7));
  await addTask(page, milk);
  await addTask(page, plumber, isoDay(-2));
  await expect(openList(page).getByRole('row')).toHaveCount(3);
  await expect(openList(page).getByText(/^Overdue/)).toBeVisible();
  await snap(page, testInfo, '03-three-tasks');

  // Edit on the task's own page.
  await openList(page).getByRole('link', { name: report }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit task' })).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue(report);
  const edited = 'Write the Q4 report';
  await page.getByLabel('Title').fill(edited);
  await page.getByLabel('Notes (optional)').fill('Numbers from finance first.');
  await snap(page, testInfo, '04-edit');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(openList(page).getByRole('link', { name: edited, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: report, exact: true })).toHaveCount(0);

  // Complete two: they move to the Completed section.
  await page.getByRole('button', { name: `Complete “${edited}”` }).click();
  await expect(completedList(page).getByRole('link', { name: edited, exact: true })).toBeVisible();
  await expect(openList(page).getByRole('link', { name: edited, exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: `Complete “${plumber}”` }).click();
  await expect(completedList(page).getByRole('link', { name: plumber, exact: true })).toBeVisible();
  await snap(page, testInfo, '05-completed');

  // Reopen one and complete it again: the toggle works both ways.
  await page.getByRole('button', { name: `Reopen “${plumber}”` }).click();
  await expect(openList(page).getByRole('link', { name: plumber, exact: true })).toBeVisible();
  await page.getByRole('button', { name: `Complete “${plumber}”` }).click();
  await expect(completedList(page).getByRole('link', { name: plumber, exact: true })).toBeVisible();

  // Delete (soft) the edited task, undo, and delete it for good.
  await page.getByRole('button', { name: `Delete “${edited}”` }).click();
  await expect(page.getByRole('status').getByText(`Deleted “${edited}”.`)).toBeVisible();
  await expect(page.getByRole('link', { name: edited, exact: true })).toHaveCount(0);
  await snap(page, testInfo, '06-deleted');
  // The newest notice (completions before it carry their own Undo).
  await page.getByRole('button', { name: 'Undo' }).last().click();
  await expect(completedList(page).getByRole('link', { name: edited, exact: true })).toBeVisible();
  await page.getByRole('button', { name: `Delete “${edited}”` }).click();
  await expect(page.getByRole('status').getByText(`Deleted “${edited}”.`)).toBeVisible();

  // Sign out: the Inbox is closed again.
  await signOut(page);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/app');
  await expect(page).toHaveURL(/\/sign-in/);

  // Sign back in: everything is where it was.
  await signIn(page, person);
  await expect(openList(page).getByRole('link', { name: milk, exact: true })).toBeVisible();
  await expect(completedList(page).getByRole('link', { name: plumber, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: edited, exact: true })).toHaveCount(0);
  await expect(openList(page).getByRole('row')).toHaveCount(1);
  await snap(page, testInfo, '07-after-sign-in');

  await page.emulateMedia({ colorScheme: 'dark' });
  await snap(page, testInfo, '08-inbox-dark');
  expect(browserErrors).toEqual([]);
});

test("a second person sees none of the first person's tasks", async ({ browser, baseURL }, testInfo) => {
  const alice = newPerson('alice', testInfo);
  const bob = newPerson('bob', testInfo);
  const contextOptions = { baseURL, javaScriptEnabled: testInfo.project.use.javaScriptEnabled ?? true };

  const aliceContext = await browser.newContext(contextOptions);
  const alicePage = await aliceContext.newPage();
  await signUp(alicePage, alice);
  const secret = `Alice's surprise party ${randomUUID().slice(0, 6)}`;
  await addTask(alicePage, secret);
  const href = await openList(alicePage).getByRole('link', { name: secret }).getAttribute('href');
  expect(href).toMatch(/^\/app\/tasks\/[0-9a-f-]{36}$/);

  const bobContext = await browser.newContext(contextOptions);
  const bobPage = await bobContext.newPage();
  await signUp(bobPage, bob);
  await expect(bobPage.getByText(secret)).toHaveCount(0);
  await expect(openList(bobPage).getByText('Nothing to do')).toBeVisible();
  await snap(bobPage, testInfo, '09-second-person-inbox');

  // Not even by guessing the URL: row-level security hides the row, so it is a 404.
  const response = await bobPage.goto(href ?? '/');
  expect(response?.status()).toBe(404);
  await expect(bobPage.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await snap(bobPage, testInfo, '10-not-found');

  await bobContext.close();
  await aliceContext.close();
});

test('forms explain what is wrong and put focus on the first problem', async ({ page }, testInfo) => {
  const person = newPerson('carol', testInfo);
  await signUp(page, person);
  await signOut(page);
  await expect(page).toHaveURL(/\/$/);

  // The same email again: the email field is marked, described and focused.
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Someone Else');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  const email = page.getByLabel('Email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/already exists/);
  await expect(email).toBeFocused();
  await expect(email).toHaveValue(person.email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  await snap(page, testInfo, '11-sign-up-error');

  // A wrong password: one message for the whole form, never which part was wrong.
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await expect(page).toHaveURL(/\/sign-in/);
  await snap(page, testInfo, '12-sign-in-error');
});

test('a refused sign-in still returns the person to the page they asked for', async ({ page }, testInfo) => {
  const person = newPerson('return', testInfo);
  await signUp(page, person);
  await signOut(page);
  await expect(page).toHaveURL(/\/$/); // signed out before asking for a signed-in page
  await page.goto('/app/settings');
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fapp%2Fsettings$/);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill('not the right password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('That email and password do not match an account.')).toBeVisible();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app\/settings$/);
});
