// The identity email flows in a real browser, reading each email from the capture SMTP
// server that scripts/test-e2e.sh starts (with a worker sending to it): sign-up → confirm
// the address, forgot → reset → sign in, magic-link sign-in, change password, change
// email. All are plain forms, so they run in the no-JavaScript project too.
import { expect, test, type Page } from '@playwright/test';
import { SignJWT } from 'jose';
import { superuserQuery } from '../support/db.ts';
import { newPerson, signIn, signOut, signUp, type Person } from './support/app.ts';
import { linkFromMail } from './support/mail.ts';

const banner = (page: Page) => page.getByRole('complementary').filter({ hasText: 'Confirm your email address.' });

async function signOutOf(page: Page): Promise<void> {
  await page.goto('/app');
  await signOut(page);
}

test('sign-up mails a confirmation link; it confirms once and the banner goes away', async ({ page }, testInfo) => {
  const person = newPerson('verify', testInfo);
  await signUp(page, person);
  await expect(banner(page)).toBeVisible();

  const link = await linkFromMail(person.email, '/verify-email', { subject: 'Confirm your email address' });
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm your email address' })).toBeVisible();
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your email address is confirmed' })).toBeVisible();

  await page.goto('/app');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect(banner(page)).toHaveCount(0);

  // The same link a second time does nothing.
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'This link was already used' })).toBeVisible();
});

test('the banner mails a new confirmation link', async ({ page }, testInfo) => {
  const person = newPerson('resend', testInfo);
  await signUp(page, person);
  await linkFromMail(person.email, '/verify-email');
  const since = new Date();
  await banner(page).getByRole('button', { name: 'Send a new link' }).click();
  await expect(page.getByText(/We sent a new link/)).toBeVisible();
  // A second email (its token may equal the first one's when signed within the same second).
  const second = await linkFromMail(person.email, '/verify-email', { after: since });
  await page.goto(second);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your email address is confirmed' })).toBeVisible();
});

async function requestReset(page: Page, person: Person): Promise<string> {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill(person.email);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: person.email })).toBeVisible();
  return linkFromMail(person.email, '/reset-password', { subject: 'Reset your TaskMaster password' });
}

test('forgot password → reset by email → sign in with the new password; the link works once', async ({
  page,
}, testInfo) => {
  const person = newPerson('reset', testInfo);
  await signUp(page, person);
  await signOutOf(page);

  const link = await requestReset(page, person);
  await page.goto(link);
  const newPassword = 'a fresh reset passphrase';
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your password is changed' })).toBeVisible();

  await signIn(page, { ...person, password: newPassword });
  await signOutOf(page);

  await page.goto(link);
  await page.getByLabel('New password').fill('another passphrase 123');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'This link has expired or was already used' }),
  ).toBeVisible();
});

test('the same answer for an address without an account', async ({ page }, testInfo) => {
  const nobody = newPerson('nobody', testInfo);
  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill(nobody.email);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByRole('status').filter({ hasText: `If an account exists for ${nobody.email}` })).toBeVisible();
  await page.goto('/sign-in/magic-link');
  await page.getByLabel('Email').fill(nobody.email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status').filter({ hasText: `If an account exists for ${nobody.email}` })).toBeVisible();
});

test('magic link: request from the sign-in page, sign in with the link, once', async ({ page }, testInfo) => {
  const person = newPerson('magic', testInfo);
  await signUp(page, person);
  await signOutOf(page);

  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
  // The sign-in page has an Email field too: fill only once the new page is there.
  await expect(page.getByRole('heading', { level: 1, name: 'Email me a sign-in link' })).toBeVisible();
  await page.getByLabel('Email').fill(person.email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your inbox' })).toBeVisible();
  const link = await linkFromMail(person.email, '/sign-in/magic-link/verify', {
    subject: 'Your TaskMaster sign-in link',
  });

  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await signOutOf(page);

  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'This sign-in link has expired or was already used' }),
  ).toBeVisible();
});

test('change password in settings; the new password signs in', async ({ page }, testInfo) => {
  const person = newPerson('changepw', testInfo);
  await signUp(page, person);
  await page.goto('/app/settings/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();

  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password').fill('the changed passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toHaveAccessibleDescription(/not your current password/);
  await expect(page.getByLabel('Current password')).toBeFocused();

  await page.getByLabel('Current password').fill(person.password);
  await page.getByLabel('New password').fill('the changed passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed' })).toBeVisible();

  await signOutOf(page);
  await signIn(page, { ...person, password: 'the changed passphrase' });
});

test('change email: a link to the new address; the email changes when it is used', async ({ page }, testInfo) => {
  const person = newPerson('changeemail', testInfo);
  const next = newPerson('newaddress', testInfo);
  await signUp(page, person);
  await page.goto('/app/settings/account');
  await page.getByLabel('New email address').fill(next.email);
  await page.getByRole('button', { name: 'Change email' }).click();
  await expect(page.getByRole('status').filter({ hasText: `We sent a link to ${next.email}` })).toBeVisible();

  const link = await linkFromMail(next.email, '/verify-email', { subject: 'Confirm your new email address' });
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your email address is confirmed' })).toBeVisible();

  await page.goto('/app/settings/account');
  await expect(page.getByText(`You sign in with ${next.email}`)).toBeVisible();
  await signOutOf(page);
  await signIn(page, { ...person, email: next.email });
});

test('expired links say so and offer a new one', async ({ page }, testInfo) => {
  const person = newPerson('expired', testInfo);
  await signUp(page, person);

  // A verification link past its 24 hours (signed like Better Auth's, already expired).
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ email: person.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now - 2 * 86_400)
    .setExpirationTime(now - 86_400)
    .sign(new TextEncoder().encode(process.env.BETTER_AUTH_SECRET ?? ''));
  await page.goto(`/verify-email?token=${expired}`);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'This link has expired' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send a new link' })).toBeVisible();

  // A reset link past its 30 minutes (moved in the database, not waited for).
  await signOutOf(page);
  const link = await requestReset(page, person);
  const token = new URL(link).searchParams.get('token')!;
  await superuserQuery(
    `update identity.verifications set expires_at = now() - interval '1 second' where identifier = $1`,
    [`reset-password:${token}`],
  );
  await page.goto(link);
  await page.getByLabel('New password').fill('too late passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'This link has expired or was already used' }),
  ).toBeVisible();
  await signIn(page, person);
});

test('bad input gets a 4xx with a message, never a 500', async ({ page, baseURL }) => {
  const headers = { origin: baseURL ?? '', accept: 'text/html' };
  const malformed = await page.request.post('/forgot-password', { form: { email: 'not an email' }, headers });
  expect(malformed.status()).toBe(400);
  expect(await malformed.text()).toContain('Enter an email address like name@example.com.');

  const huge = await page.request.post('/reset-password', {
    form: { token: 'whatever-token', password: 'x'.repeat(10 * 1024) },
    headers,
  });
  expect(huge.status()).toBe(400);
  expect(await huge.text()).toContain('Passwords are at most 128 characters.');

  const magic = await page.request.post('/sign-in/magic-link', { form: { email: 'a@' }, headers });
  expect(magic.status()).toBe(400);
});
