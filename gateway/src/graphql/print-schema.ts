// Prints the GraphQL schema (SDL) the gateway serves, sorted, for review and for the
// drift check in tests/api/graphql-schema.test.ts:
//   node gateway/src/graphql/print-schema.ts > gateway/src/graphql/schema.graphql
// (with DATABASE_URL set, e.g. `. scripts/test-env.sh` after `node scripts/db.ts reset`)
// It introspects DATABASE_URL like the gateway does (as `authenticated`), so run it
// against a freshly migrated database.
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { makeSchema } from 'postgraphile';
import { format, resolveConfig } from 'prettier';
import { closeServices, services } from '../../../lib/services.ts';
import { makePreset } from './preset.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('schema.graphql', import.meta.url));

/** The SDL, sorted and laid out by prettier (so `npm run lint` agrees with the file). */
export async function printGraphqlSchema(schemas: readonly string[]): Promise<string> {
  const svc = services();
  const preset = makePreset({ pool: svc.apiPool, schemas });
  const { schema, resolvedPreset } = await makeSchema(preset);
  for (const service of resolvedPreset.pgServices ?? []) await service.release?.();
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(printSchema(lexicographicSortSchema(schema)), { ...options, parser: 'graphql' });
}

if (import.meta.main) {
  try {
    process.stdout.write(await printGraphqlSchema(services().config.API_SCHEMAS));
  } finally {
    await closeServices();
  }
}
