// PostGraphile v5 GraphQL engine (issue 3, section 2), behind the API pipeline.
//
// The pipeline has already identified the caller and read the body; this engine turns
// the request into a GraphQL operation (GraphQL-over-HTTP, http.ts), checks it
// (syntax, schema validation, depth/cost limits, limits.ts) and executes it with
// grafast inside ONE transaction opened by lib/db/as-user.ts: the same SET LOCAL ROLE
// and request.jwt.claims as REST, so RLS decides exactly as it does there. Queries run
// one after another on that connection; each mutation field gets a savepoint, so a
// failed mutation is undone while earlier ones in the same document stay (GraphQL's
// usual semantics).
//
// The schema is built once at start-up from the catalog (introspected as
// `authenticated`, see preset.ts) and rebuilt on `NOTIFY pgrst, 'reload schema'`,
// which the migration runner sends, like PostgREST.
//
// Introspection stays enabled in every environment: the schema only describes what the
// database already exposes through REST's OpenAPI document, and tools (codegen, Ruru)
// need it. Ruru (GraphiQL) itself is served only in development.
import type { Server } from 'node:http';
import pg from 'pg';
import { makeSchema } from 'postgraphile';
import { makeWithPgClientViaPgClientAlreadyInTransaction } from 'postgraphile/adaptors/pg';
import { execute, hookArgs, isAsyncIterable, subscribe } from 'postgraphile/grafast';
import { ruruHTML } from 'postgraphile/grafserv/ruru/server';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createTokenVerifier } from '../../../lib/auth/claims.ts';
import { asUser, transactionSettings, type Claims } from '../../../lib/db/as-user.ts';
import { logger, type Logger } from '../../../lib/logger.ts';
import type { Services } from '../../../lib/services.ts';
import { createApiKeyResolver, isApiKeyCredential } from '../api/api-keys.ts';
import { callerScope } from '../api/caller-scope.ts';
import { createApiRateLimiter } from '../api/pipeline.ts';
import type { RateLimiter } from '../api/rate-limit.ts';
import { json, type ApiContext, type ApiHandler, type ApiResponse } from '../api/types.ts';
import { maskError } from './errors.ts';
import { readRequest, RequestError, responseType, type GraphqlRequest } from './http.ts';
import { LIMITS, limitRules } from './limits.ts';
import { makePreset } from './preset.ts';
import { attachSubscriptions } from './subscriptions.ts';

export type GraphqlEngine = {
  handler: ApiHandler;
  /** Attach WebSocket subscriptions to the HTTP server, if supported. */
  attach?(server: Server): void;
  close(): Promise<void>;
};

export type GraphqlEngineOptions = {
  services: Services;
  schemas: readonly string[];
  /** Ruru and unmasked internal errors; defaults to NODE_ENV === 'development'. */
  development?: boolean;
  /** Where the engine is mounted (for Ruru and the WebSocket endpoint). */
  path?: string;
  /** Pause before re-establishing a lost schema-reload LISTEN connection. */
  reconnectMs?: number;
  /**
   * The gateway pipeline's limiter, so that subscribe operations take from the same
   * buckets, with the same quotas and leases, as HTTP requests. Defaults to a limiter
   * with the configured data-API quotas.
   */
  limiter?: RateLimiter;
};

const MAX_CACHED_DOCUMENTS = 500;
const MAX_CACHED_QUERY_CHARS = 20_000;

type Built = { schema: GraphQLSchema; resolvedPreset: GraphileConfig.ResolvedPreset };

type Checked = { document: DocumentNode; operation: OperationDefinitionNode } | { errors: readonly GraphQLError[] };

/** The settings asUser() sets, for the connections subscriptions read on. */
function pgSettingsFor(claims: Claims): Record<string, string> {
  const { names, values } = transactionSettings(claims);
  return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
}

function wantsHtml(ctx: ApiContext): boolean {
  const accept = ctx.headers.accept ?? '';
  return ctx.method === 'GET' && /\btext\/html\b/i.test(accept) && !ctx.query.has('query');
}

export async function createGraphqlEngine({
  services: svc,
  schemas,
  development = svc.config.NODE_ENV === 'development',
  path = '/graphql',
  reconnectMs = 5_000,
  limiter = createApiRateLimiter(svc),
}: GraphqlEngineOptions): Promise<GraphqlEngine> {
  const log = logger.child({ component: 'graphql' });
  const preset = makePreset({ pool: svc.apiPool, schemas });
  let built: Built = await makeSchema(preset);

  // --- schema reload on NOTIFY pgrst ---------------------------------------------------
  let rebuilding: Promise<void> | undefined;
  let rebuildAgain = false;
  function rebuild(): void {
    if (rebuilding) {
      rebuildAgain = true;
      return;
    }
    rebuilding = (async () => {
      do {
        rebuildAgain = false;
        try {
          built = await makeSchema(preset);
          log.info('GraphQL schema rebuilt');
        } catch (error) {
          log.error({ err: error }, 'GraphQL schema rebuild failed; keeping the previous schema');
        }
      } while (rebuildAgain);
    })().finally(() => {
      rebuilding = undefined;
    });
  }

  let closed = false;
  let listener: pg.Client | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  /** Listen again after a pause (and again, until it works); rebuild then: NOTIFYs may have been missed. */
  function retryListen(): void {
    if (closed) return;
    clearTimeout(reconnect);
    reconnect = setTimeout(() => {
      listen().then(rebuild, (error: unknown) => {
        log.warn({ err: error }, 'schema reload listener could not reconnect; retrying');
        retryListen();
      });
    }, reconnectMs);
    reconnect.unref();
  }
  async function listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: svc.config.authenticatorUrl,
      application_name: 'taskmaster-graphql-listen',
    });
    client.on('notification', (msg) => {
      if (msg.channel === 'pgrst' && (msg.payload ?? 'reload schema') === 'reload schema') rebuild();
    });
    client.on('error', (error) => {
      log.warn({ err: error }, 'schema reload listener lost its connection; reconnecting');
      client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      retryListen();
    });
    try {
      await client.connect();
      await client.query('listen pgrst');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
  }
  await listen();

  // --- request checks shared by HTTP and WebSocket ---------------------------------------
  // Valid documents are kept by query text: parsing and validating again is wasted work,
  // and grafast caches its operation plans by document object, so re-using the object
  // skips planning too (most of a request's CPU time). Entries belong to one schema
  // build; a rebuild makes them stale. Oldest entries go first.
  const documents = new Map<string, { schema: GraphQLSchema; document: DocumentNode }>();
  function remember(query: string, entry: { schema: GraphQLSchema; document: DocumentNode }): void {
    if (query.length > MAX_CACHED_QUERY_CHARS) return;
    documents.delete(query);
    documents.set(query, entry);
    if (documents.size > MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value as string);
  }

  function check(request: GraphqlRequest, schema: GraphQLSchema): Checked {
    if (request.query.length > LIMITS.maxDocumentChars) {
      return {
        errors: [
          new GraphQLError(`The query is longer than ${LIMITS.maxDocumentChars} characters.`, {
            extensions: { code: 'QUERY_TOO_LARGE' },
          }),
        ],
      };
    }
    let cached = documents.get(request.query);
    if (cached?.schema !== schema) cached = undefined;
    let document: DocumentNode;
    if (cached) {
      document = cached.document;
    } else {
      try {
        document = parse(request.query, { maxTokens: LIMITS.maxTokens });
      } catch (error) {
        if (error instanceof GraphQLError) {
          return {
            errors: [new GraphQLError(error.message, { ...error, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
          };
        }
        throw error;
      }
    }
    // The cheap limits first (they depend on the variables, so they always run): a
    // document over them never reaches the full rule set.
    const limitErrors = validate(schema, document, limitRules(request.variables));
    if (limitErrors.length > 0) return { errors: limitErrors };
    if (!cached) {
      const errors = validate(schema, document, specifiedRules);
      if (errors.length > 0) {
        return {
          errors: errors.map(
            (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          ),
        };
      }
      remember(request.query, { schema, document });
    }
    const operation = getOperationAST(document, request.operationName);
    if (!operation) {
      const message = request.operationName
        ? `No operation named "${request.operationName}" in the document.`
        : 'The document holds several operations: say which one with `operationName`.';
      return { errors: [new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })] };
    }
    return { document, operation };
  }

  /** grafast's execution args (the preset's context, with pgSettings and withPgClient to override). */
  function argsFor({ schema, resolvedPreset }: Built, document: DocumentNode, request: GraphqlRequest) {
    return hookArgs({
      schema,
      document,
      variableValues: request.variables,
      operationName: request.operationName,
      resolvedPreset,
      requestContext: {},
      contextValue: {},
    });
  }

  function format(errors: readonly GraphQLError[], requestLog: Logger, requestId?: string): GraphQLFormattedError[] {
    return errors.map((e) => maskError(e, { development, log: requestLog, requestId }));
  }

  function respond(
    status: number,
    mediaType: string,
    body: { errors?: readonly GraphQLFormattedError[]; data?: unknown; extensions?: unknown },
    headers: Record<string, string> = {},
  ): ApiResponse {
    return json(status, body, { 'content-type': `${mediaType}; charset=utf-8`, ...headers });
  }

  const ruruPage = (): ApiResponse => {
    const publicUrl = new URL(svc.config.PUBLIC_URL);
    const wsUrl = new URL(path, publicUrl);
    wsUrl.protocol = publicUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: ruruHTML({ endpoint: path, subscriptionEndpoint: wsUrl.toString() }),
    };
  };

  const handler: ApiHandler = async (ctx) => {
    if (development && wantsHtml(ctx)) return ruruPage();
    const accepted = responseType(ctx.headers.accept);
    const mediaType = accepted ?? 'application/json';
    try {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'POST') {
        throw new RequestError(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not supported: use GET or POST`, {
          allow: 'GET, POST',
        });
      }
      if (wantsHtml(ctx)) {
        throw new RequestError(400, 'BAD_REQUEST', 'GraphiQL is only served in development; send a `query` parameter');
      }
      if (!accepted) {
        throw new RequestError(
          406,
          'NOT_ACCEPTABLE',
          'Accept application/graphql-response+json or application/json: those are the only response types',
        );
      }
      const request = readRequest(ctx);
      const current = built;
      const checked = check(request, current.schema);
      if ('errors' in checked)
        return respond(400, mediaType, { errors: format(checked.errors, ctx.log, ctx.requestId) });
      const { document, operation } = checked;
      if (operation.operation === 'subscription') {
        throw new RequestError(400, 'BAD_REQUEST', `Subscriptions are served over WebSocket at ${path}`);
      }
      if (operation.operation === 'mutation' && ctx.method !== 'POST') {
        throw new RequestError(405, 'METHOD_NOT_ALLOWED', 'Mutations must be sent with POST', { allow: 'POST' });
      }
      // Built before the transaction: no database work, so no reason to hold a connection for it.
      const args = await argsFor(current, document, request);
      const result = await asUser(
        svc.apiPool,
        {
          claims: ctx.caller.claims,
          settings: ctx.settings,
          admitted: ctx.admitted,
          // GET/HEAD only ever run queries (mutations were refused above): READ ONLY, like REST's reads.
          readOnly: ctx.method !== 'POST',
        },
        async (client): Promise<ExecutionResult> => {
          // One connection, already in asUser's transaction with the caller's role and
          // claims: no pgSettings of PostGraphile's own.
          Object.assign(args.contextValue, {
            withPgClient: makeWithPgClientViaPgClientAlreadyInTransaction(client, true),
            pgSettings: null,
          });
          const out = await execute(args);
          if (isAsyncIterable(out)) throw new Error('incremental delivery (@defer/@stream) is not supported');
          return out as ExecutionResult;
        },
      );
      const errors = result.errors ? { errors: format(result.errors, ctx.log, ctx.requestId) } : {};
      // No `data` at all: a request error found while executing (e.g. a variable that
      // does not coerce to its type), which GraphQL-over-HTTP answers with 4xx.
      if (result.data === undefined) return respond(400, mediaType, errors);
      return respond(200, mediaType, { ...errors, data: result.data });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error; // the pipeline logs it and answers 500
      const status = error.status;
      const type = status === 406 ? 'application/json' : mediaType;
      return respond(
        status,
        type,
        { errors: [{ message: error.message, extensions: { code: error.code } }] },
        error.headers,
      );
    }
  };

  // --- WebSocket subscriptions -----------------------------------------------------------
  // The socket authenticates like the HTTP pipeline's Bearer: an access JWT or an API key.
  const verifyJwt = createTokenVerifier({ auth: svc.auth, issuer: svc.config.PUBLIC_URL });
  const resolveApiKey = createApiKeyResolver({ pool: svc.servicePool, cacheMs: svc.config.API_KEY_CACHE_MS });
  const verify = async (token: string): Promise<Claims> =>
    isApiKeyCredential(token, svc.config.API_PUBLISHABLE_KEY) ? (await resolveApiKey(token)).claims : verifyJwt(token);
  const detachers: Array<() => Promise<void>> = [];
  // Buckets are keyed by caller (callerScope): the limiter takes from the very buckets the
  // HTTP pipeline's does, so a subscribe counts as one request.
  async function admit(claims: Claims, ip: string): Promise<readonly GraphQLError[] | undefined> {
    const apiKeyId = typeof claims.api_key_id === 'string' ? claims.api_key_id : undefined;
    const scope = callerScope({ claims, via: apiKeyId ? 'api_key' : 'jwt', ...(apiKeyId ? { apiKeyId } : {}) }, ip);
    const result = await limiter.take(scope, log);
    if (!result || result.allowed) return undefined;
    return [
      new GraphQLError('Too many requests', {
        extensions: {
          code: 'RATE_LIMITED',
          retryAfter: result.retryAfter,
          details: `The ${result.policy} limit is ${result.limit} requests per ${result.windowSeconds} seconds.`,
        },
      }),
    ];
  }

  function attach(server: Server): void {
    detachers.push(
      attachSubscriptions(server, {
        path,
        verify,
        // A revoked key's socket closes within the same bound as its HTTP requests (at
        // least a second apart, so the check never becomes a busy loop).
        apiKeyRecheckMs: Math.max(1000, svc.config.API_KEY_CACHE_MS),
        admit,
        async prepare(claims, payload) {
          const current = built;
          const request: GraphqlRequest = {
            query: payload.query,
            variables: payload.variables ?? {},
            operationName: payload.operationName ?? undefined,
          };
          const checked = check(request, current.schema);
          if ('errors' in checked) return checked.errors;
          if (checked.operation.operation !== 'subscription') {
            return [
              new GraphQLError(`Only subscriptions are served over WebSocket; send queries and mutations to ${path}`, {
                extensions: { code: 'BAD_REQUEST' },
              }),
            ];
          }
          const args = await argsFor(current, checked.document, request);
          // Each event is read in its own transaction on the authenticator pool, as the
          // subscriber: PostGraphile sets these with set_config(…, true) like asUser().
          Object.assign(args.contextValue, { pgSettings: pgSettingsFor(claims) });
          return args as ExecutionArgs;
        },
        execute: (args) => execute(args as Parameters<typeof execute>[0]),
        subscribe: (args) => subscribe(args as Parameters<typeof subscribe>[0]),
        formatErrors: (errors) => format(errors, log),
        onError: (error) => log.warn({ err: error }, 'GraphQL WebSocket server error'),
      }),
    );
  }

  async function close(): Promise<void> {
    closed = true;
    if (reconnect) clearTimeout(reconnect);
    await Promise.allSettled(detachers.map((detach) => detach()));
    await listener?.end().catch(() => undefined);
    await rebuilding;
    for (const service of built.resolvedPreset.pgServices ?? []) await service.release?.();
  }

  return { handler, attach, close };
}
