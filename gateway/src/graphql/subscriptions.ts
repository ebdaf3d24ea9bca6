// GraphQL subscriptions: `taskChanged(workspaceId)` over WebSocket (graphql-transport-ws
// protocol, graphql-ws) on /graphql.
//
// Flow: a task write fires private.tg_tasks__notify_change() (migration
// 20261123170200), which NOTIFYs `tasks:<workspace_id>` with {op, workspace_id, id}, ids
// only. PostGraphile's pgSubscriber LISTENs on the channels subscribers asked for; for
// every event the subscription re-reads the task as the subscriber (role and claims in
// pgSettings, so RLS filters) and sends it only if the subscriber can read it: the task
// for an insert or update, the workspace for a delete. Otherwise the event's field is
// null and the socket sends nothing at all, not even the id (a member removed from the
// workspace, or a forged event, learns nothing). Subscribing itself first reads the
// workspace as the subscriber: a workspace the caller cannot see is refused, so nobody
// learns even the ids of another workspace's tasks.
//
// The socket authenticates once, in connection_init: `{ authorization: "Bearer <access
// JWT or API key>" }`, verified like the HTTP pipeline does. The socket is closed when that
// token expires (the client reconnects with a fresh one), or once its API key no longer
// verifies (checked again every apiKeyRecheckMs).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { jsonParse } from 'postgraphile/@dataplan/json';
import { access, context, lambda, listen, SafeError, type Step } from 'postgraphile/grafast';
import { extendSchema, gql } from 'postgraphile/utils';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import type { Claims } from '../../../lib/db/as-user.ts';

/** The channel a workspace's task changes are published on (see the migration). */
export function taskTopic(workspaceId: string): string {
  return `tasks:${workspaceId}`;
}

type FieldArgsLike = { getRaw(name: string): Step };
type EventStep = Step & { get(key: string): Step };
type ResourceLike = { get(spec: Record<string, Step>): Step & { get(attr: string): Step } };

export const taskChangesPlugin: GraphileConfig.Plugin = extendSchema((build) => {
  const resources = build.input.pgRegistry.pgResources as unknown as Record<string, ResourceLike | undefined>;
  const tasks = resources.tasks;
  const workspaces = resources.workspaces;
  // A version that does not expose public.tasks has no task subscriptions.
  if (!tasks || !workspaces) return { typeDefs: [] };
  return {
    typeDefs: gql`
      """
      What happened to a task.
      """
      enum TaskChangeOp {
        INSERT
        UPDATE
        DELETE
      }

      """
      A task was created, changed or deleted in a workspace you belong to.
      """
      type TaskChange {
        op: TaskChangeOp!
        workspaceId: UUID!
        id: UUID!
        """
        The task as it is now, read as you (null once deleted). Changes to tasks you cannot
        read are not sent at all.
        """
        task: Task
      }

      extend type Subscription {
        """
        Task changes in one of your workspaces, as they commit: only those you can read then.
        """
        taskChanged(workspaceId: UUID!): TaskChange
      }
    `,
    objects: {
      Subscription: {
        plans: {
          taskChanged: {
            subscribePlan(_$root: Step, fieldArgs: FieldArgsLike) {
              const $workspaceId = fieldArgs.getRaw('workspaceId');
              // Read as the subscriber: null unless RLS lets them see the workspace.
              const $visible = workspaces.get({ id: $workspaceId }).get('id');
              const $topic = lambda($visible, (id: unknown) => {
                if (typeof id !== 'string') {
                  throw new SafeError('No such workspace, or you are not a member of it.', {
                    code: 'NOT_FOUND',
                  });
                }
                return taskTopic(id);
              });
              const $pgSubscriber = context().get('pgSubscriber');
              return listen($pgSubscriber as never, $topic, jsonParse);
            },
            plan($event: EventStep) {
              // Re-read as the subscriber: the task (insert/update), or for a delete, whose
              // row is gone, the workspace. Null when RLS hides it: then nothing is sent.
              const $workspaceId = $event.get('workspace_id');
              const $task = tasks.get({ workspace_id: $workspaceId, id: $event.get('id') }).get('id');
              const $workspace = workspaces.get({ id: $workspaceId }).get('id');
              return lambda(
                [$event, $event.get('op'), $task, $workspace],
                ([event, op, task, workspace]) => ((op === 'DELETE' ? workspace : task) == null ? null : event),
                true,
              );
            },
          },
        },
      },
      TaskChange: {
        plans: {
          op: ($event: Step) => access($event, 'op'),
          workspaceId: ($event: Step) => access($event, 'workspace_id'),
          id: ($event: Step) => access($event, 'id'),
          task: ($event: Step) => tasks.get({ workspace_id: access($event, 'workspace_id'), id: access($event, 'id') }),
        },
      },
    },
  };
}) as GraphileConfig.Plugin;

export type SubscriptionServerOptions = {
  path: string;
  /** Verifies "Bearer <token>" (access JWT or API key) from connection_init; throws when invalid. */
  verify(token: string): Promise<Claims>;
  /** How often a socket opened with an API key checks that the key is still valid, in ms. */
  apiKeyRecheckMs: number;
  /**
   * Takes one request from the caller's rate-limit bucket (the HTTP requests' bucket);
   * GraphQL errors to answer with when it is empty.
   */
  admit(claims: Claims, ip: string): Promise<readonly GraphQLError[] | undefined>;
  /** Builds execution args for one subscribe message, or GraphQL errors to answer with. */
  prepare(
    claims: Claims,
    payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  ): Promise<ExecutionArgs | readonly GraphQLError[]>;
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[];
  onError(error: unknown): void;
};

type Result = { data?: Record<string, unknown> | null; errors?: unknown };

/**
 * An event whose root field is null without errors is one the subscriber may not read
 * (see taskChanged's plan): it is skipped, not sent as `{ taskChanged: null }`. `return`
 * goes straight to the source so completing a subscription ends its LISTEN at once.
 */
function withoutEmptyEvents(source: unknown): unknown {
  if (typeof source !== 'object' || source === null || !(Symbol.asyncIterator in source)) return source;
  const iterator = (source as AsyncIterable<Result>)[Symbol.asyncIterator]();
  const empty = (r: Result) =>
    !r.errors && r.data != null && Object.values(r.data).every((value) => value === null || value === undefined);
  const filtered: AsyncIterableIterator<Result> = {
    async next() {
      for (;;) {
        const step = await iterator.next();
        if (step.done || !empty(step.value)) return step;
      }
    },
    return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
    throw: (error?: unknown) => iterator.throw?.(error) ?? Promise.reject(error as Error),
    [Symbol.asyncIterator]() {
      return filtered;
    },
  };
  return filtered;
}

type Extra = { claims?: Claims; expiry?: NodeJS.Timeout; recheck?: NodeJS.Timeout };

/** Subscriptions one socket may hold at once: each costs a LISTEN fan-out and a re-read per event. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;
/** Largest message a client may send (a subscribe document), in bytes. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Attaches the WebSocket endpoint to `server`; returns a function that detaches it. */
export function attachSubscriptions(server: Server, options: SubscriptionServerOptions): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: 10_000,
      async onConnect(ctx) {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = typeof raw === 'string' ? /^Bearer\s+(\S+)$/i.exec(raw)?.[1] : undefined;
        if (!token) return false; // 4403 Forbidden
        try {
          const claims = await options.verify(token);
          ctx.extra.claims = claims;
          if (typeof claims.exp === 'number') {
            const ms = claims.exp * 1000 - Date.now();
            const socket = ctx.extra.socket;
            ctx.extra.expiry = setTimeout(() => socket.close(4403, 'Access token expired'), Math.max(ms, 0));
            ctx.extra.expiry.unref();
          }
          if (claims.api_key_id) {
            // An API key has no expiry in its claims, and can be revoked: check it again
            // periodically and close the socket once it no longer verifies.
            const socket = ctx.extra.socket;
            ctx.extra.recheck = setInterval(() => {
              options.verify(token).catch(() => socket.close(4403, 'API key revoked or expired'));
            }, options.apiKeyRecheckMs);
            ctx.extra.recheck.unref();
          }
          return true;
        } catch {
          return false;
        }
      },
      onClose(ctx) {
        if (ctx.extra.expiry) clearTimeout(ctx.extra.expiry);
        if (ctx.extra.recheck) clearInterval(ctx.extra.recheck);
      },
      async onSubscribe(ctx, _id, payload) {
        const claims = ctx.extra.claims;
        if (!claims) return [new GraphQLError('Not authenticated')];
        // graphql-ws has already reserved this id in ctx.subscriptions, and removes an id as
        // soon as the client completes it: the others are the ones still running.
        if (Object.keys(ctx.subscriptions).length - 1 >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [
            new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        // Each subscribe is a request against the caller's rate limit, as over HTTP.
        const refused = await options.admit(claims, ctx.extra.request.socket.remoteAddress ?? 'unknown');
        if (refused) return refused;
        return options.prepare(claims, payload);
      },
      execute: (args) => options.execute(args) as never,
      subscribe: async (args) => withoutEmptyEvents(await options.subscribe(args)) as never,
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors) return undefined;
        return { ...result, errors: options.formatErrors(result.errors) };
      },
      onError(_ctx, _id, _payload, errors) {
        return options.formatErrors(errors);
      },
    },
    wss,
  );

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.path) {
      // Someone else may serve this path; if nobody does, do not leave it hanging.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  wss.on('error', options.onError);

  // Upgraded sockets still count as the server's connections, so server.close() would
  // wait for every subscriber to leave (and 'close', where the gateway detaches us,
  // would never come). Closing the server says goodbye to them first: 1001 Going Away,
  // after which graphql-ws clients reconnect, to another instance.
  const serverClose = server.close;
  const goingAway = () => {
    for (const client of wss.clients) {
      client.close(1001, 'Server shutting down');
      setTimeout(() => client.terminate(), 1_000).unref();
    }
  };
  server.close = function close(this: Server, callback?: (error?: Error) => void) {
    goingAway();
    return serverClose.call(this, callback);
  } as Server['close'];

  return async () => {
    server.off('upgrade', onUpgrade);
    server.close = serverClose;
    for (const client of wss.clients) client.terminate();
    await disposable.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
