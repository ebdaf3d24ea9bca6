// Passkeys in a real Chromium with its virtual authenticator (DevTools protocol, WebAuthn
// domain): add one in settings, sign in with it (an aal2 session), use it to confirm a
// sensitive action (step-up) from a password session, remove it; a passkey TaskMaster does
// not know is refused. WebAuthn needs JavaScript, so the no-JS project ignores this file
// (playwright.config.ts); the server-side rules are in tests/integration/passkeys.test.ts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { newPerson, screenshot, signIn, signOut, signUp, watchBrowserErrors } from './support/app.ts';

async function virtualAuthenticator(cdp: CDPSession): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** The `aal` claim of the access token GET /auth/token gives this browser's session. */
async function aal(page: Page): Promise<string> {
  const res = await page.request.get('/auth/token');
  expect(res.status()).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aal: string };
  return payload.aal;
}

const passkeyRow = (page: Page, name: string) => page.getByTestId('passkey-row').filter({ hasText: name });

test('a person adds a passkey, signs in with it, confirms a removal with it, and removes it', async ({
  page,
}, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('passkey', testInfo);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const authenticatorId = await virtualAuthenticator(cdp);

  await signUp(page, person);
  await page.goto('/app/settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Passkeys' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Passkeys' })).toBeVisible();
  await expect(page.getByText('No passkeys yet.')).toBeVisible();

  // A name is required; the error is tied to the field and focused.
  await page.getByRole('button', { name: 'Add passkey' }).click();
  const nameField = page.getByLabel('Name');
  await expect(nameField).toHaveAttribute('aria-invalid', 'true');
  await expect(nameField).toBeFocused();
  await expect(page.getByText('Enter a name for the passkey.')).toBeVisible();

  await nameField.fill('Virtual laptop');
  await page.getByRole('button', { name: 'Add passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey “Virtual laptop” added' })).toBeAttached();
  await expect(passkeyRow(page, 'Virtual laptop')).toBeVisible();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);
  await screenshot(page, 'passkeys-settings');

  // Rename (a plain form).
  await passkeyRow(page, 'Virtual laptop').getByRole('link', { name: 'Rename “Virtual laptop”' }).click();
  await page.getByLabel('New name').fill('Work laptop');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey renamed.' })).toBeVisible();
  await expect(passkeyRow(page, 'Work laptop')).toBeVisible();

  // Sign in with the passkey: no email, no password, straight into the app at aal2.
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  expect(await aal(page)).toBe('aal2');

  // A password session is aal1; removing a passkey first asks to confirm with one.
  await signOut(page);
  await signIn(page, person);
  expect(await aal(page)).toBe('aal1');
  await page.goto('/app/settings/passkeys');
  await passkeyRow(page, 'Work laptop').getByRole('link', { name: 'Remove “Work laptop”' }).click();
  const confirm = page.getByRole('region', { name: 'Remove “Work laptop”?' });
  await expect(confirm.getByText('First confirm it is you')).toBeVisible();
  await confirm.getByRole('button', { name: 'Confirm with a passkey' }).click();
  await expect(confirm.getByText('You confirmed it is you a moment ago.')).toBeVisible();
  expect(await aal(page)).toBe('aal2');
  await confirm.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey removed.' })).toBeVisible();
  await expect(page.getByText('No passkeys yet.')).toBeVisible();

  // The credential is still in the authenticator, but TaskMaster no longer knows it.
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered with TaskMaster');
  await expect(page).toHaveURL(/\/sign-in/);
  expect(errors.filter((e) => !/status of 40[01]/.test(e))).toEqual([]);
});

test('a passkey from an authenticator TaskMaster never registered is refused', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const authenticatorId = await virtualAuthenticator(cdp);
  await page.goto('/sign-in');
  // A resident credential for this site that was never registered with the server.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: randomBytes(32).toString('base64'),
      isResidentCredential: true,
      rpId: new URL(page.url()).hostname,
      privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      userHandle: randomBytes(16).toString('base64'),
      signCount: 0,
    },
  });
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered with TaskMaster');
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await page.request.get('/auth/get-session')).status()).toBe(200);
  expect(await (await page.request.get('/auth/get-session')).json()).toBeNull();
});

test('without JavaScript the pages say that passkeys need it, and the rest still works', async ({
  browser,
}, testInfo) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    await expect(page.getByText('Passkeys need JavaScript')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Use a passkey' })).toHaveCount(0);
    await signUp(page, newPerson('passkey-nojs', testInfo));
    await page.goto('/app/settings/passkeys');
    await expect(page.getByText('Adding a passkey needs JavaScript')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add passkey' })).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('a passkey answers the second step of a password sign-in for a person with two-factor on', async ({
  page,
}, testInfo) => {
  const errors = watchBrowserErrors(page);
  const person = newPerson('passkey-2fa', testInfo);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await virtualAuthenticator(cdp);
  await signUp(page, person);

  // Two-factor on (TOTP, the code computed here), then a passkey.
  await page.goto('/app/settings/two-factor');
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const key = (await page.getByTestId('manual-key').textContent())!.replace(/\s+/g, '');
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30 });
  await page.getByLabel('Code from your authenticator app').fill(totp.generate());
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Two-factor authentication is on.' })).toBeVisible();
  await page.goto('/app/settings/passkeys');
  await page.getByLabel('Name').fill('Second step');
  await page.getByRole('button', { name: 'Add passkey' }).click();
  await expect(passkeyRow(page, 'Second step')).toBeVisible();

  // Password first; the second step offers the passkey, which finishes the sign-in at aal2.
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Two-factor sign-in' })).toBeVisible();
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/app$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  expect(await aal(page)).toBe('aal2');
  expect(errors.filter((e) => !/status of 40[01]/.test(e))).toEqual([]);
});
