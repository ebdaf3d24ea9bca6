// One transaction on one of the job's pooled connections: commit when `fn` resolves,
// roll back and rethrow when it throws. What makes a task's effects and its receipts or
// marks commit together (or not at all), so a retry finds either everything or nothing.
import type { JobHelpers } from 'graphile-worker';
import type { PoolClient } from 'pg';

export async function inTransaction<T>(helpers: JobHelpers, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return helpers.withPgClient(async (client) => {
    await client.query('begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}
