// Webhook management over the real REST engine (/rest/v1) with a person's access token:
// register (secret in that answer only), list, pause, rotate, read the delivery log,
// redeliver, delete; bad input is a 400 with a message; members get nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { superuserQuery } from '../support/db.ts';
import { accessToken, signedUp, useGateway } from '../support/gateway.ts';

const gw = useGateway();

type User = { id: string; workspaceId: string; token: string };

async function newUser(prefix: string): Promise<User> {
  const { email, cookie } = await signedUp(gw.url, prefix);
  const token = await accessToken(gw.url, cookie);
  const { rows } = await superuserQuery<{ id: string; workspace_id: string }>(
    `select u.id, w.id as workspace_id from identity.users u
       join public.workspaces w on w.created_by = u.id and w.kind = 'personal' where u.email = $1`,
    [email],
  );
  return { id: rows[0]!.id, workspaceId: rows[0]!.workspace_id, token };
}

function rest(
  user: User,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return fetch(`${gw.url}/rest/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}`, ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

test('an owner manages endpoints and the delivery log over REST; a member sees nothing', async () => {
  const owner = await newUser('hook-owner');
  const member = await newUser('hook-member');
  await superuserQuery(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'member')`, [
    owner.workspaceId,
    member.id,
  ]);

  const bad = await rest(owner, '/rpc/create_webhook_endpoint', {
    method: 'POST',
    body: { workspace_id: owner.workspaceId, url: 'https://169.254.169.254/latest', event_types: ['task.*'] },
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /169\.254\.169\.254 is private/);

  const created = await rest(owner, '/rpc/create_webhook_endpoint', {
    method: 'POST',
    body: {
      workspace_id: owner.workspaceId,
      url: 'https://hooks.example.com/tm',
      event_types: ['task.completed'],
      description: 'CRM',
    },
  });
  assert.equal(created.status, 200, await created.clone().text());
  const endpoint = (await created.json()) as { id: string; secret: string; url: string };
  assert.match(endpoint.secret, /^whsec_/);

  const list = await rest(owner, `/webhook_endpoints?workspace_id=eq.${owner.workspaceId}`);
  assert.equal(list.status, 200);
  const rows = (await list.json()) as Record<string, unknown>[];
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.url, 'https://hooks.example.com/tm');
  assert.ok(!JSON.stringify(rows).includes(endpoint.secret), 'the listing never carries the secret');

  const rotated = await rest(owner, '/rpc/rotate_webhook_secret', {
    method: 'POST',
    body: { endpoint_id: endpoint.id },
  });
  assert.equal(rotated.status, 200);
  const secret = (await rotated.json()) as string;
  assert.match(secret, /^whsec_/);
  assert.notEqual(secret, endpoint.secret);

  // A completed task is delivered to the endpoint: the fan-out creates the delivery.
  const { rows: task } = await superuserQuery<{ id: string }>(
    `insert into public.tasks (workspace_id, title) values ($1, 'x') returning id`,
    [owner.workspaceId],
  );
  await superuserQuery(`update public.tasks set status = 'completed' where id = $1`, [task[0]!.id]);
  const { rows: event } = await superuserQuery<{ id: string }>(
    `select id from events.log where workspace_id = $1 and type = 'task.completed'`,
    [owner.workspaceId],
  );
  await superuserQuery(`select private.enqueue_webhook_deliveries($1, $2, 'task.completed')`, [
    owner.workspaceId,
    event[0]!.id,
  ]);
  const log = await rest(owner, `/webhook_deliveries?endpoint_id=eq.${endpoint.id}&order=created_at.desc`);
  const deliveries = (await log.json()) as { id: string; status: string; event_id: string }[];
  assert.equal(deliveries.length, 1);
  assert.equal(deliveries[0]!.event_id, event[0]!.id);

  const again = await rest(owner, '/rpc/redeliver_webhook', {
    method: 'POST',
    body: { delivery_id: deliveries[0]!.id },
  });
  assert.equal(again.status, 200, await again.clone().text());
  assert.equal(((await again.json()) as { status: string }).status, 'pending');

  // The member: no endpoints, no deliveries, no redelivery, no registration.
  assert.deepEqual(await (await rest(member, `/webhook_endpoints?workspace_id=eq.${owner.workspaceId}`)).json(), []);
  assert.deepEqual(await (await rest(member, `/webhook_deliveries?endpoint_id=eq.${endpoint.id}`)).json(), []);
  const redeliver = await rest(member, '/rpc/redeliver_webhook', {
    method: 'POST',
    body: { delivery_id: deliveries[0]!.id },
  });
  assert.equal(redeliver.status, 404);
  const register = await rest(member, '/rpc/create_webhook_endpoint', {
    method: 'POST',
    body: { workspace_id: owner.workspaceId, url: 'https://hooks.example.com/m', event_types: ['task.*'] },
  });
  assert.equal(register.status, 403);

  const paused = await rest(owner, `/webhook_endpoints?id=eq.${endpoint.id}`, {
    method: 'PATCH',
    body: { enabled: false },
    headers: { prefer: 'return=representation' },
  });
  assert.equal(paused.status, 200);
  assert.equal(((await paused.json()) as { enabled: boolean }[])[0]!.enabled, false);
  const refused = await rest(owner, '/rpc/redeliver_webhook', {
    method: 'POST',
    body: { delivery_id: deliveries[0]!.id },
  });
  assert.equal(refused.status, 400);

  const deleted = await rest(owner, `/webhook_endpoints?id=eq.${endpoint.id}`, { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  assert.deepEqual(await (await rest(owner, `/webhook_deliveries?endpoint_id=eq.${endpoint.id}`)).json(), []);
  await superuserQuery(`delete from graphile_worker._private_jobs where payload->>'delivery_id' = $1`, [
    deliveries[0]!.id,
  ]);
});
