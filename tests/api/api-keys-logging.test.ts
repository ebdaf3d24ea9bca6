// The real gateway process, at its most talkative log level, serving requests made with
// valid, revoked and malformed API keys: no log line may contain a key's secret.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { asUser } from '../../lib/db/as-user.ts';
import { closeServices, services } from '../../lib/services.ts';
import { superuserQuery } from '../support/db.ts';
import { signUp, uniqueEmail } from '../support/gateway.ts';
import { spawnGateway } from '../support/gateway-process.ts';

after(async () => {
  await closeServices();
});

test('API keys never reach the logs, used or refused', async () => {
  const gateway = await spawnGateway({ LOG_LEVEL: 'trace', API_KEY_CACHE_MS: '0' });
  const { base } = gateway;
  try {
    const email = uniqueEmail('key-log');
    assert.equal((await signUp(base, email)).status, 200);
    // Creating API keys needs a verified email (create_api_key, issue 6).
    await superuserQuery(`update identity.users set email_verified = true where email = $1`, [email]);
    const { rows } = await superuserQuery<{ id: string; workspace_id: string }>(
      `select u.id, w.id as workspace_id from identity.users u
         join public.workspaces w on w.created_by = u.id and w.kind = 'personal' where u.email = $1`,
      [email],
    );
    const user = rows[0];
    assert.ok(user);
    const key = await asUser(services().apiPool, { claims: { sub: user.id, role: 'authenticated' } }, async (c) => {
      const created = await c.query<{ key: string }>(`select key from public.create_api_key($1, 'logged', 'write')`, [
        user.workspace_id,
      ]);
      return created.rows[0]!.key;
    });
    const revoked = await asUser(services().apiPool, { claims: { sub: user.id, role: 'authenticated' } }, async (c) => {
      const created = await c.query<{ id: string; key: string }>(
        `select id, key from public.create_api_key($1, 'revoked', 'read')`,
        [user.workspace_id],
      );
      await c.query('update public.api_keys set revoked_at = now() where id = $1', [created.rows[0]!.id]);
      return created.rows[0]!.key;
    });

    const statuses: number[] = [];
    for (const headers of [
      { authorization: `Bearer ${key}` },
      { apikey: key },
      { apikey: revoked },
      { authorization: `Bearer ${key}x` },
    ] as Record<string, string>[]) {
      const res = await fetch(`${base}/rest/v1/tasks?select=id&title=eq.${encodeURIComponent(key)}`, { headers });
      statuses.push(res.status);
      await res.arrayBuffer();
      const gql = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      await gql.arrayBuffer();
    }
    assert.notEqual(statuses[0], 401, 'the valid key was accepted as a Bearer token');
    assert.notEqual(statuses[1], 401, 'the valid key was accepted as apikey');
    assert.deepEqual(statuses.slice(2), [401, 401], 'revoked and malformed keys were refused');
    await new Promise((r) => setTimeout(r, 200));
    const out = gateway.output();

    assert.ok(
      out.split('\n').some((l) => l.includes('"msg":"request"')),
      'requests were logged',
    );
    for (const secret of [key, revoked]) {
      // The prefix (tm_ + 8 characters) is displayable by design; the rest must never appear.
      assert.ok(!out.includes(secret.slice(11)), 'no key secret in the logs');
    }
  } finally {
    await gateway.stop();
  }
});
