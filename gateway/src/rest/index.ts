// PostgREST-dialect REST engine (issue 3, section 1). Placeholder until the engine lands.
import type { Services } from '../../../lib/services.ts';
import { json, type ApiHandler } from '../api/types.ts';

export type RestEngine = { handler: ApiHandler; reload(): Promise<void>; close(): Promise<void> };

export async function createRestEngine(_options: {
  services: Services;
  schemas: readonly string[];
}): Promise<RestEngine> {
  return {
    handler: async () => json(501, { code: 'TM501', message: 'REST engine not built yet', details: null, hint: null }),
    reload: async () => undefined,
    close: async () => undefined,
  };
}
