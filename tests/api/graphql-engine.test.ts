// The GraphQL engine on its own (no HTTP server): what changes in development (Ruru,
// unmasked internal errors) and the schema rebuild on NOTIFY pgrst. The gateway runs
// with the test configuration, so development mode is exercised through the factory's
// `development` flag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GraphQLError } from 'graphql';
import { maskError } from '../../gateway/src/graphql/errors.ts';
import { createGraphqlEngine, type GraphqlEngine } from '../../gateway/src/graphql/index.ts';
import type { ApiContext } from '../../gateway/src/api/types.ts';
import type { Claims } from '../../lib/db/as-user.ts';
import { logger } from '../../lib/logger.ts';
import { closeServices, services } from '../../lib/services.ts';
import { INTERNAL_ERROR_PROBE, superuserQuery, withInternalErrorProbe } from '../support/db.ts';

const SERVICE: Claims = { role: 'service_role' };

function context(over: Partial<ApiContext> & { claims?: Claims } = {}): ApiContext {
  const { claims = { role: 'anon' }, ...rest } = over;
  return {
    caller: { claims, via: claims.role === 'anon' ? 'anon' : 'jwt' },
    requestId: 'test-request',
    log: logger,
    version: { name: 'v1', schemas: ['public'] },
    method: 'GET',
    headers: {},
    path: '/',
    query: new URLSearchParams(),
    rawQuery: '',
    settings: {},
    ...rest,
  };
}

function post(query: string, claims: Claims = SERVICE): ApiContext {
  return context({
    method: 'POST',
    claims,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ query })),
  });
}

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
const parse = (body: string | Buffer | undefined): Body => JSON.parse(String(body)) as Body;

after(async () => {
  await closeServices();
});

describe('development mode', () => {
  let dev: GraphqlEngine;
  let prod: GraphqlEngine;
  let workspaceId: string;
  before(async () => {
    // A row for the failing filter below to be evaluated on.
    const { rows } = await superuserQuery<{ id: string }>(
      `with w as (insert into public.workspaces (name) values ('graphql engine test') returning id)
       insert into public.tasks (workspace_id, title) select id, 'probe' from w returning workspace_id as id`,
    );
    workspaceId = rows[0]!.id;
    dev = await createGraphqlEngine({ services: services(), schemas: ['public'], development: true });
    prod = await createGraphqlEngine({ services: services(), schemas: ['public'], development: false });
  });
  after(async () => {
    await dev.close();
    await prod.close();
    await superuserQuery('delete from public.workspaces where id = $1', [workspaceId]);
  });

  test('a browser GET is answered with Ruru in development only', async () => {
    const browser = context({ headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    const page = await dev.handler(browser);
    assert.equal(page.status, 200);
    assert.match(page.headers?.['content-type'] ?? '', /^text\/html/);
    assert.match(String(page.body), /ruru/i);

    const refused = await prod.handler(browser);
    assert.equal(refused.status, 400);
    assert.match(refused.headers?.['content-type'] ?? '', /json/);
    assert.doesNotMatch(String(refused.body), /<html/i);
  });

  test('internal errors carry their text in development and a generic message otherwise', async () => {
    const query = `mutation { createTask(input: { task: { workspaceId: "${workspaceId}", title: "${INTERNAL_ERROR_PROBE}" } }) { task { id } } }`;
    const [devBody, prodBody] = await withInternalErrorProbe(async () => [
      parse((await dev.handler(post(query))).body),
      parse((await prod.handler(post(query))).body),
    ]);
    assert.match(devBody.errors?.[0]?.message ?? '', /select secret from internals/);
    assert.equal(prodBody.errors?.[0]?.message, 'Internal error');
    assert.equal(prodBody.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
  });
});

describe('schema reload', () => {
  // A scratch schema of its own, so the shared public schema is never altered.
  const SCHEMA = 'gql_reload_probe';
  let engine: GraphqlEngine;
  before(async () => {
    await superuserQuery(`drop schema if exists ${SCHEMA} cascade`);
    await superuserQuery(`
      create schema ${SCHEMA};
      grant usage on schema ${SCHEMA} to authenticated, service_role;
      create table ${SCHEMA}.things (id int primary key, name text not null);
      alter table ${SCHEMA}.things enable row level security;
      grant select on ${SCHEMA}.things to authenticated, service_role;
      insert into ${SCHEMA}.things values (1, 'one');
    `);
    engine = await createGraphqlEngine({
      services: services(),
      schemas: [SCHEMA],
      development: false,
      reconnectMs: 50,
    });
  });
  after(async () => {
    await engine.close();
    await superuserQuery(`drop schema if exists ${SCHEMA} cascade`);
  });

  test("NOTIFY pgrst, 'reload schema' rebuilds the schema from the catalog", async () => {
    const query = '{ things { nodes { id colour } } }';
    const before = parse((await engine.handler(post(query))).body);
    assert.equal(before.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');

    await superuserQuery(`
      alter table ${SCHEMA}.things add column colour text default 'blue';
      grant select on ${SCHEMA}.things to service_role;
      notify pgrst, 'reload schema';
    `);
    // The rebuild is asynchronous: poll until the new column is part of the schema.
    let body = before;
    for (let i = 0; i < 200 && body.errors; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      body = parse((await engine.handler(post(query))).body);
    }
    assert.deepEqual(body, { data: { things: { nodes: [{ id: 1, colour: 'blue' }] } } });
  });

  test('a lost LISTEN connection is re-established, and the schema rebuilt', async () => {
    const { rows } = await superuserQuery<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
       where application_name = 'taskmaster-graphql-listen' and datname = current_database()`,
    );
    assert.ok(rows[0]!.n >= 1);
    // Changed while nobody listens: the NOTIFY is lost, the rebuild on reconnect catches it.
    await superuserQuery(`alter table ${SCHEMA}.things add column size int default 3; notify pgrst, 'reload schema';`);
    const query = '{ things { nodes { size } } }';
    let body = parse((await engine.handler(post(query))).body);
    for (let i = 0; i < 200 && body.errors; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      body = parse((await engine.handler(post(query))).body);
    }
    assert.deepEqual(body, { data: { things: { nodes: [{ size: 3 }] } } });
    const again = await superuserQuery<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where application_name = 'taskmaster-graphql-listen' and datname = current_database()`,
    );
    assert.equal(again.rows[0]!.n, 1);
  });
});

describe('error masking decides by code, never by message text', () => {
  const options = { development: false, log: logger.child({ test: 'mask' }), requestId: 'r1' };
  let engine: GraphqlEngine;
  before(async () => {
    engine = await createGraphqlEngine({ services: services(), schemas: ['public'], development: false });
  });
  after(async () => {
    await engine.close();
  });

  test("@dataplan/pg's no-rows text from anywhere but a delete is an internal error", () => {
    const original = new Error(
      "No values were deleted in collection 'tasks' because no values you can delete were found matching these criteria.",
    );
    const masked = maskError(new GraphQLError(original.message, { originalError: original }), options);
    assert.equal(masked.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(masked.message, 'Internal error');
  });

  test('a delete that matches nothing is NOT_FOUND, coded by the delete plan', async () => {
    const res = await engine.handler(
      post(
        `mutation { deleteTask(input: { workspaceId: "00000000-0000-0000-0000-000000000001", id: "00000000-0000-0000-0000-000000000002" }) { task { id } } }`,
      ),
    );
    const body = parse(res.body);
    assert.equal(body.errors?.[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(body));
    assert.match(body.errors?.[0]?.message ?? '', /^Nothing was deleted: no row in tasks/);
  });
});
