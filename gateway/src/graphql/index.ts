// PostGraphile v5 GraphQL engine (issue 3, section 2). Placeholder until the engine lands.
import type { Server } from 'node:http';
import type { Services } from '../../../lib/services.ts';
import { json, type ApiHandler } from '../api/types.ts';

export type GraphqlEngine = {
  handler: ApiHandler;
  /** Attach WebSocket subscriptions to the HTTP server, if supported. */
  attach?(server: Server): void;
  close(): Promise<void>;
};

export async function createGraphqlEngine(_options: {
  services: Services;
  schemas: readonly string[];
}): Promise<GraphqlEngine> {
  return {
    handler: async () => json(501, { errors: [{ message: 'GraphQL engine not built yet' }] }),
    close: async () => undefined,
  };
}
