// Settings → Webhooks in a real browser, with and without JavaScript: a refused URL, a
// registered endpoint whose secret is shown once (with a Copy button when scripts run),
// the delivery log (status, HTTP status, latency, response snippet) with Redeliver, secret
// rotation, pausing and deleting. Delivery itself (signing, retries, SSRF at send time) is
// tested against a real receiver in tests/integration/webhooks.test.ts; here the delivery
// rows are made by the same SQL the worker uses.
import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { superuserQuery } from '../support/db.ts';
import { newPerson, screenshot, signUp, watchBrowserErrors } from './support/app.ts';

test('an owner registers an endpoint, sees its secret once, reads the delivery log and redelivers', async ({
  page,
  context,
}, testInfo) => {
  const scripted = testInfo.project.use.javaScriptEnabled !== false;
  if (scripted) await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = watchBrowserErrors(page);
  const person = newPerson('hooks', testInfo);
  await signUp(page, person);

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await expect(page).toHaveURL(/\/app\/settings\/webhooks$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Webhooks' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('No endpoints yet.')).toBeVisible();

  // A loopback address is refused by the database, with its reason, on the URL field.
  const url = page.getByLabel('Endpoint URL');
  await url.fill('https://127.0.0.1/hook');
  await page.getByRole('button', { name: 'Register endpoint' }).click();
  await expect(page.getByText('127.0.0.1 is private, loopback or reserved')).toBeVisible();
  await expect(page.getByLabel('Endpoint URL')).toBeFocused();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);

  const target = `https://hooks.example.com/tm-${randomUUID().slice(0, 8)}`;
  await page.getByLabel('Endpoint URL').fill(target);
  await page.getByLabel('Description (optional)').fill('CRM sync');
  await page.getByRole('button', { name: 'Register endpoint' }).click();
  const notice = page.getByTestId('webhook-secret');
  await expect(notice.getByRole('heading', { name: 'Endpoint registered' })).toBeVisible();
  await expect(notice).toContainText('it will not be shown again');
  const field = notice.getByLabel('Signing secret');
  await expect(field).toBeFocused();
  const secret = await field.inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  if (scripted) {
    await notice.getByRole('button', { name: 'Copy' }).click();
    await expect(notice.getByRole('status')).toHaveText('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  } else {
    await expect(notice.getByRole('button', { name: 'Copy' })).toHaveCount(0);
  }
  const card = page.getByTestId('webhook-endpoint').filter({ hasText: target });
  await expect(card).toContainText('Enabled');
  await expect(card).toContainText('task.*');
  await screenshot(page, `${testInfo.project.name}-webhooks-registered`);

  // The secret is gone when the page is loaded again (a GET: a reload would re-POST without JavaScript).
  await page.goto('/app/settings/webhooks');
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);

  // An event fans out to the endpoint (the worker's SQL); its first attempt failed.
  const { rows } = await superuserQuery<{ workspace_id: string; endpoint_id: string }>(
    `select workspace_id, id as endpoint_id from public.webhook_endpoints where url = $1`,
    [target],
  );
  const { workspace_id: workspaceId, endpoint_id: endpointId } = rows[0]!;
  await superuserQuery(`insert into public.tasks (workspace_id, title) values ($1, 'Hooked task')`, [workspaceId]);
  await superuserQuery(
    `select private.enqueue_webhook_deliveries(workspace_id, id, type) from events.log
     where workspace_id = $1 and type = 'task.created'`,
    [workspaceId],
  );
  await superuserQuery(
    `update public.webhook_deliveries set status = 'retrying', attempt = 1, response_status = 500, latency_ms = 42,
       response_snippet = 'upstream exploded', last_error = 'HTTP 500', next_attempt_at = now() + interval '1 minute'
     where endpoint_id = $1`,
    [endpointId],
  );
  await page.goto('/app/settings/webhooks');
  const delivery = page.getByTestId('webhook-delivery').filter({ hasText: 'task.created' });
  await expect(delivery).toContainText('Retrying');
  await expect(delivery).toContainText('500');
  await expect(delivery).toContainText('42 ms');
  await expect(delivery).toContainText('HTTP 500');
  await delivery.getByText('Response body').click();
  await expect(delivery.getByText('upstream exploded')).toBeVisible();
  await screenshot(page, `${testInfo.project.name}-webhooks-log`);
  // The page with an endpoint, a delivery and an open response body meets WCAG 2.2 AA (axe
  // runs as a script in the page, so in the project with JavaScript).
  if (scripted) {
    const axe = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }

  await delivery.getByRole('button', { name: /^Redeliver/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Delivery queued again.' })).toBeVisible();
  await expect(page.getByTestId('webhook-delivery').filter({ hasText: 'task.created' })).toContainText('Queued');

  // Rotate: a new secret, shown once.
  await card.getByRole('button', { name: /^Rotate secret/ }).click();
  await expect(notice.getByRole('heading', { name: 'New signing secret' })).toBeVisible();
  const rotated = await notice.getByLabel('Signing secret').inputValue();
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);

  // Pause, then delete.
  await card.getByRole('button', { name: `Pause ${target}` }).click();
  await expect(page.getByTestId('webhook-endpoint').filter({ hasText: target })).toContainText('Disabled');
  await page.getByTestId('webhook-endpoint').filter({ hasText: target }).getByText('Delete…').click();
  await page.getByRole('button', { name: `Delete endpoint ${target}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Endpoint deleted.' })).toBeVisible();
  await expect(page.getByTestId('webhook-endpoint')).toHaveCount(0);
  await expect(page.getByTestId('webhook-delivery')).toHaveCount(0);

  await superuserQuery(`delete from graphile_worker._private_jobs where payload->>'workspace_id' = $1`, [workspaceId]);
  // The refused registration answers 400 on purpose; the browser reports that response.
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});
