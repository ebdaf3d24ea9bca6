// "Continue with …" through a real OpenID Provider (scripts/oidc-dev-provider.ts, started
// by scripts/test-e2e.sh): its login page accepts any login, which becomes the account's
// verified email. Runs with and without JavaScript: the buttons are plain forms.
import { expect, test, type Page } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, screenshot, signUp } from './support/app.ts';

const PROVIDER = 'Dev OpenID';

/** The provider's own (development) login page. */
async function loginAtProvider(page: Page, login: string) {
  await expect(page.getByRole('button', { name: 'Sign-in' })).toBeVisible();
  expect(new URL(page.url()).origin).not.toBe(new URL(test.info().project.use.baseURL ?? '').origin);
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

test('a new person continues with the provider from sign-in and lands in the app', async ({ page }, testInfo) => {
  const person = newPerson('oauth-new', testInfo);
  const signInPage = await page.goto('/sign-in');
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  await expect(page.getByRole('button', { name: 'Sign-in' })).toBeVisible();
  // The page's CSP lets its forms lead to the provider, and nowhere else.
  const formAction = (signInPage?.headers()['content-security-policy'] ?? '')
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('form-action'));
  expect(formAction).toBe(`form-action 'self' ${new URL(page.url()).origin}`);
  await loginAtProvider(page, person.email);
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();

  await page.goto('/app/settings/connections');
  await expect(page.getByRole('heading', { level: 1, name: 'Connections' })).toBeVisible();
  const rows = page.getByTestId('connection');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(PROVIDER);
  await expect(rows.first()).toContainText('Cannot be removed: your only password or provider');
  await expect(page.getByRole('button', { name: `Remove ${PROVIDER}` })).toHaveCount(0);
  await screenshot(page, `oauth-connections-${testInfo.project.name}`);
});

test('sign-up offers the provider too', async ({ page }, testInfo) => {
  const person = newPerson('oauth-signup', testInfo);
  await page.goto('/sign-up');
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  await loginAtProvider(page, person.email);
  await expect(page).toHaveURL(/\/app$/);
});

test('an existing account with an unverified email is not taken over: the sign-in page explains', async ({
  page,
}, testInfo) => {
  const person = newPerson('oauth-existing', testInfo);
  await signUp(page, person);
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  await loginAtProvider(page, person.email);
  await expect(page).toHaveURL(/\/sign-in\?error=account_not_linked$/);
  await expect(page.getByRole('alert')).toContainText('An account with this email already exists');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await screenshot(page, `oauth-not-linked-${testInfo.project.name}`);
});

test('a provider that has not verified the email cannot create an account', async ({ page }, testInfo) => {
  const person = newPerson('oauth-unverified', testInfo);
  await page.goto('/sign-in');
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  // The development provider marks logins starting with "unverified" as unverified emails.
  await loginAtProvider(page, `unverified-${person.email}`);
  await expect(page).toHaveURL(/\/sign-in\?error=email_not_verified/);
  await expect(page.getByRole('alert')).toContainText('has not verified this email address');
});

test('a signed-in person connects the provider in settings, then removes it', async ({ page }, testInfo) => {
  const person = newPerson('oauth-connect', testInfo);
  await signUp(page, person);
  await page.goto('/app/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Connections' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/connections$/);
  await expect(page.getByTestId('connection')).toHaveCount(1);
  await expect(page.getByTestId('connection').first()).toContainText('Password');

  await page.getByRole('button', { name: `Connect ${PROVIDER}` }).click();
  await loginAtProvider(page, person.email);
  await expect(page).toHaveURL(/\/app\/settings\/connections\?linked=dev-oidc$/);
  await expect(page.getByRole('status').filter({ hasText: `Connected ${PROVIDER}.` })).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveCount(2);

  await page.getByRole('button', { name: `Remove ${PROVIDER}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Removed ${PROVIDER}.` })).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveCount(1);
  await expect(page.getByRole('button', { name: `Connect ${PROVIDER}` })).toBeVisible();
});

test('connecting a provider account with a different email is refused with a reason', async ({ page }, testInfo) => {
  const person = newPerson('oauth-other-email', testInfo);
  await signUp(page, person);
  await page.goto('/app/settings/connections');
  await page.getByRole('button', { name: `Connect ${PROVIDER}` }).click();
  await loginAtProvider(page, `someone-else-${person.email}`);
  await expect(page).toHaveURL(/\/app\/settings\/connections\?error=/);
  await expect(page.getByRole('alert')).toContainText('different email address');
  await expect(page.getByTestId('connection')).toHaveCount(1);
});

test('a person who signs in only with the provider deletes their account without a password', async ({
  page,
}, testInfo) => {
  const person = newPerson('oauth-delete', testInfo);
  await page.goto('/sign-in');
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  await loginAtProvider(page, person.email);
  await expect(page).toHaveURL(/\/app$/);

  // A sign-in older than 10 minutes is not proof enough: sign in again first.
  await superuserQuery(
    `update identity.sessions set created_at = now() - interval '1 hour'
     where user_id = (select id from identity.users where email = $1)`,
    [person.email],
  );
  await page.goto('/app/settings/delete-account');
  await expect(page.getByRole('heading', { level: 1, name: 'Delete your account' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fapp%2Fsettings%2Fdelete-account$/);
  // The provider still knows this browser: it answers at once, without its login page.
  await page.getByRole('button', { name: `Continue with ${PROVIDER}` }).click();
  await expect(page).toHaveURL(/\/app(\/settings\/delete-account)?$/);

  await page.goto('/app/settings/delete-account');
  await expect(page.getByLabel('Password')).toHaveCount(0);
  await page.getByLabel('Type your email address to confirm').fill(person.email);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/account-deleted$/);
  const { rows } = await superuserQuery(`select 1 from identity.users where email = $1`, [person.email]);
  expect(rows).toHaveLength(0);
});
