// The GraphQL schema the gateway serves is committed (gateway/src/graphql/schema.graphql)
// so that a review shows every change a migration makes to the API. This fails when the
// migrated test database produces a different schema than the committed one.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { printGraphqlSchema, SCHEMA_FILE } from '../../gateway/src/graphql/print-schema.ts';
import { closeServices, services } from '../../lib/services.ts';

after(async () => {
  await closeServices();
});

test('the committed GraphQL schema matches the migrations', async () => {
  const printed = await printGraphqlSchema(services().config.API_SCHEMAS);
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  if (printed === committed) return;
  const a = committed.split('\n');
  const b = printed.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  assert.fail(
    `The GraphQL schema changed (first difference at line ${line + 1}: ` +
      `committed ${JSON.stringify(a[line])}, now ${JSON.stringify(b[line])}). Review the change, then run ` +
      '`node gateway/src/graphql/print-schema.ts > gateway/src/graphql/schema.graphql` and commit it.',
  );
});
