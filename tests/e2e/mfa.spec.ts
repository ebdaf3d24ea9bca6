// Two-factor authentication in a real browser, with and without JavaScript (every step is a
// plain form): enrol with the manual key (codes computed here with otpauth), sign out, sign
// in with a TOTP code, then with a backup code, step up before turning two-factor off, and
// delete an account.
import { expect, test, type Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { superuserQuery } from '../support/db.ts';
import { newPerson, screenshot, signOut, signUp, watchBrowserErrors, type Person } from './support/app.ts';

/** Lets the next TOTP code count as new, as if 30 seconds had passed (codes are single use). */
async function nextPeriod(person: Person) {
  await superuserQuery(
    `delete from private.totp_steps where user_id = (select id from identity.users where email = $1)`,
    [person.email],
  );
}

const form = (page: Page, heading: string) =>
  page.locator('form').filter({ has: page.getByRole('heading', { name: heading }) });

async function submitSignIn(page: Page, person: Person, redirectTo?: string) {
  await page.goto(redirectTo ? `/sign-in?redirectTo=${encodeURIComponent(redirectTo)}` : '/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sign-in\/two-factor/);
  await expect(page.getByRole('heading', { level: 1, name: 'Two-factor sign-in' })).toBeVisible();
}

test('enrol TOTP, sign in with a code and with a backup code, step up, turn it off', async ({ page }, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('mfa', testInfo);
  await signUp(page, person);

  // Enrol.
  await page.goto('/app/settings/two-factor');
  await expect(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' })).toBeVisible();
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByTestId('backup-codes').locator('code')).toHaveCount(10);
  const codes = await page.getByTestId('backup-codes').locator('code').allTextContents();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const key = (await page.getByTestId('manual-key').textContent())!.replace(/\s+/g, '');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30 });
  await screenshot(page, `${testInfo.project.name}-mfa-setup`);

  await page.getByLabel('Code from your authenticator app').fill('000000' === totp.generate() ? '111111' : '000000');
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expect(page.getByText('That code is not right.')).toBeVisible();
  await expect(page.getByLabel('Code from your authenticator app')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Code from your authenticator app').fill(totp.generate());
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/two-factor\?enabled=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'Two-factor authentication is on.' })).toBeVisible();
  await expect(page.getByText('You have 10 backup codes left.')).toBeVisible();

  // Sign in with a TOTP code.
  await signOut(page);
  await submitSignIn(page, person);
  await nextPeriod(person);
  await page.getByLabel('Code from your authenticator app').fill(totp.generate());
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/app$/);

  // Sign in with a backup code; it works once.
  await signOut(page);
  await submitSignIn(page, person);
  await page.getByRole('link', { name: 'Use a backup code instead' }).click();
  await page.getByLabel('Backup code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await signOut(page);
  await submitSignIn(page, person, '/app/settings/two-factor');
  await page.getByRole('link', { name: 'Use a backup code instead' }).click();
  await page.getByLabel('Backup code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That backup code is not right, or it was already used.')).toBeVisible();
  await page.getByLabel('Backup code').fill(codes[1]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  // Back where the sign-in started, even after a refused code.
  await expect(page).toHaveURL(/\/app\/settings\/two-factor$/);

  // Ten minutes later, turning it off asks for the second factor again (step-up).
  await superuserQuery(
    `update identity.sessions set second_factor_at = now() - interval '11 minutes'
     where user_id = (select id from identity.users where email = $1)`,
    [person.email],
  );
  await page.reload();
  await expect(page.getByText('You have 8 backup codes left.')).toBeVisible();
  await form(page, 'Turn off two-factor authentication').getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page).toHaveURL(/\/step-up\?redirectTo=%2Fapp%2Fsettings%2Ftwo-factor$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm it is you' })).toBeVisible();
  await nextPeriod(person);
  await page.getByLabel('Code from your authenticator app').fill(totp.generate());
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/two-factor$/);
  await form(page, 'Turn off two-factor authentication').getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/two-factor\?disabled=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'Two-factor authentication is off.' })).toBeVisible();

  // Signing in is one step again.
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/app$/);
  // The refused codes above answer 400 on purpose; the browser reports those responses.
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});

test('delete an account: confirm with the email, then it is gone', async ({ page }, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('delete', testInfo);
  await signUp(page, person);
  await page.goto('/app/settings');
  await page.getByRole('link', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/delete-account$/);

  await page.getByLabel('Type your email address to confirm').fill('someone-else@example.com');
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByText(`Type ${person.email} exactly`)).toBeVisible();
  await expect(page.getByLabel('Type your email address to confirm')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Type your email address to confirm')).toBeFocused();

  await page.getByLabel('Type your email address to confirm').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/account-deleted$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your account was deleted' })).toBeVisible();

  const { rows } = await superuserQuery<{ n: number }>(
    `select count(*)::int as n from identity.users where email = $1`,
    [person.email],
  );
  expect(rows[0]!.n).toBe(0);
  await page.goto('/app');
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fapp$/);
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});

test('without a second factor, step-up is the password and signs in afresh', async ({ page }, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('stepup-pw', testInfo);
  await signUp(page, person);
  const before = await superuserQuery<{ id: string }>(
    `select s.id from identity.sessions s join identity.users u on u.id = s.user_id where u.email = $1`,
    [person.email],
  );
  expect(before.rows).toHaveLength(1);

  await page.goto('/step-up?redirectTo=%2Fapp%2Fsettings');
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm it is you' })).toBeVisible();
  await page.getByLabel('Password').fill('not my password at all');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('That password is not right.')).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/app\/settings$/);

  const after = await superuserQuery<{ id: string }>(
    `select s.id from identity.sessions s join identity.users u on u.id = s.user_id where u.email = $1`,
    [person.email],
  );
  expect(after.rows).toHaveLength(1);
  expect(after.rows[0]!.id).not.toBe(before.rows[0]!.id);
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});
