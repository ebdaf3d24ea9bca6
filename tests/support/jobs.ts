// Test support for graphile-worker: runOnce can resolve while its last job's outcome is
// still being written (observed with 0.18: a finished job not yet deleted, a failed one not
// yet released), so tests that assert on the queue wait until no matching job is locked.
import type pg from 'pg';

export type SettleFilter = { task?: string; workspaceId?: string };

export async function jobsSettled(pool: pg.Pool, filter: SettleFilter = {}): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
       where j.locked_at is not null
         and ($1::text is null or t.identifier = $1)
         and ($2::text is null or j.payload->>'workspace_id' = $2)`,
      [filter.task ?? null, filter.workspaceId ?? null],
    );
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('jobs stayed locked after runOnce');
}
