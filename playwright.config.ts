// Browser tests (tests/e2e) against a running gateway; scripts/test-e2e.sh builds the app,
// starts the gateway on TEST_GATEWAY_PORT and then runs `playwright test`.
// Debian's Chromium is used as is: no browser is ever downloaded.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.PUBLIC_URL ?? `http://localhost:${process.env.TEST_GATEWAY_PORT ?? '54331'}`;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  // One gateway, one database: run files one after another. Each test makes its own users.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' } },
    // The same journeys with JavaScript off: every form must work as plain HTML.
    // journey/a11y drive the scripted app (shortcuts, quick add, axe runs as a script);
    // their plain-HTML counterparts are in phase1/pages/views.spec.ts.
    {
      name: 'chromium-no-js',
      use: { browserName: 'chromium', javaScriptEnabled: false },
      // passkeys: WebAuthn exists only in JavaScript; passkeys.spec.ts opens its own
      // no-JS context to check that the pages say so.
      testIgnore: ['journey.spec.ts', 'a11y.spec.ts', 'passkeys.spec.ts'],
    },
  ],
});
