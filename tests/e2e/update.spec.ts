// The service worker's update prompt (app/src/lib/components/UpdatePrompt.svelte) against
// the production build: a new deployment is a new service-worker script, so the test
// deploys one. The gateway serves app/build/client from disk, with sizes and ETags recorded
// at build time (adapter-node's static table), so the new script keeps the exact byte
// length of each variant (plain, .br, .gz): only the build version baked into it changes,
// which also renames its caches, as a real deploy does. The browser's HTTP cache is cleared
// first, since the build-time ETag would otherwise answer "unchanged" (304), which a real
// deploy's new ETag would not. The files are always put back (finally), and the test runs
// alone (serial), so no other test sees the changed worker.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { controlled, newPerson, signUp } from './support/app.ts';

test.describe.configure({ mode: 'serial' });

const WORKER = fileURLToPath(new URL('../../app/build/client/service-worker.js', import.meta.url));

type Variants = { plain: Buffer; br: Buffer; gz: Buffer };

function readVariants(): Variants {
  return {
    plain: readFileSync(WORKER),
    br: readFileSync(`${WORKER}.br`),
    gz: readFileSync(`${WORKER}.gz`),
  };
}

function writeVariants(v: Variants): void {
  writeFileSync(WORKER, v.plain);
  writeFileSync(`${WORKER}.br`, v.br);
  writeFileSync(`${WORKER}.gz`, v.gz);
}

/**
 * The same worker under another build version, each variant with its original byte length
 * (the served Content-Length). Returns the old and the new version.
 */
function deployNewWorker(original: Variants): { from: string; to: string } {
  const source = original.plain.toString('utf8');
  const match = /version:`(\d+)`/.exec(source);
  if (!match?.[1]) throw new Error('the built service worker has no version literal');
  const from = match[1];
  for (let i = 1; i < 5000; i += 1) {
    const to = String(BigInt(from) + BigInt(i));
    if (to.length !== from.length) break;
    const plain = Buffer.from(source.replace(match[0], `version:\`${to}\``), 'utf8');
    let br: Buffer | undefined;
    for (let quality = 11; quality >= 4 && !br; quality -= 1) {
      const candidate = brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } });
      if (candidate.length === original.br.length) br = candidate;
    }
    let gz: Buffer | undefined;
    for (let level = 9; level >= 1 && !gz; level -= 1) {
      const candidate = gzipSync(plain, { level });
      if (candidate.length === original.gz.length) gz = candidate;
    }
    if (br && gz) {
      writeVariants({ plain, br, gz });
      return { from, to };
    }
  }
  throw new Error('no same-length variant of the new service worker was found');
}

const assetCaches = (page: Page) =>
  page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('assets-')).sort());

test('a new deployment is detected, the prompt appears, and Reload activates the new worker and reloads', async ({
  page,
  context,
}, testInfo) => {
  await signUp(page, newPerson('update', testInfo));
  const prompt = page.getByRole('status').filter({ hasText: 'A new version is available' });
  if (testInfo.project.use.javaScriptEnabled === false) {
    // No JavaScript, no service worker: nothing to update, no prompt.
    await expect(prompt).toHaveCount(0);
    return;
  }
  // The first visit installs the worker, which takes control of the page.
  await controlled(page);
  const original = readVariants();
  try {
    const { from, to } = deployNewWorker(original);
    expect(await assetCaches(page)).toEqual([`assets-${from}`]);
    await expect(prompt).toHaveCount(0);

    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    // What the browser does on its own at a navigation (or SvelteKit's version check asks for).
    await page.evaluate(async () => {
      (window as unknown as { beforeUpdate: boolean }).beforeUpdate = true;
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    // The new worker installed and waits; the old one still controls the page.
    await expect(prompt).toBeVisible();
    const reload = prompt.getByRole('button', { name: 'Reload' });
    await expect(reload).toBeVisible();
    expect(
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return { waiting: Boolean(registration?.waiting), controlled: navigator.serviceWorker.controller !== null };
      }),
    ).toEqual({ waiting: true, controlled: true });

    const reloaded = page.waitForEvent('load');
    await reload.click();
    await reloaded;
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
    // A fresh document (the flag set before the update is gone), controlled by the new worker,
    // whose activation deleted the old version's cache; no prompt any more.
    expect(await page.evaluate(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate ?? false)).toBe(
      false,
    );
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await expect.poll(() => assetCaches(page)).toEqual([`assets-${to}`]);
    expect(
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return { waiting: Boolean(registration?.waiting), active: registration?.active?.state ?? null };
      }),
    ).toEqual({ waiting: false, active: 'activated' });
    await expect(prompt).toHaveCount(0);
  } finally {
    writeVariants(original);
  }
});
