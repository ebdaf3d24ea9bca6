// Dead letters: graphile-worker jobs that exhausted their attempts (attempts >= max_attempts,
// not locked). graphile-worker keeps them in its table; this module lists, replays (attempts
// reset, run now) and discards them. Used by `npm run jobs` (scripts/jobs.ts) and tests.
// Replay and discard touch dead letters only (private.replay_dead_jobs / discard_dead_jobs):
// a job that is still retrying or running is never reset or deleted from here.
import { z } from 'zod';
import type { Queryable } from './stats.ts';

export type DeadLetter = {
  id: string;
  task: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  key: string | null;
  createdAt: Date;
  /** When it failed for the last time. */
  diedAt: Date;
};

/** Task identifiers are graphile-worker's: letters, digits, _, -, : and . (validated at the boundary). */
export const taskIdentifier = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,200}$/, 'a task identifier has letters, digits, _ - : . only');
export const jobIds = z.array(z.coerce.bigint().positive()).min(1, 'name at least one job id').max(10_000);

export async function listDeadLetters(db: Queryable, opts: { task?: string; limit?: number } = {}) {
  const task = opts.task === undefined ? null : taskIdentifier.parse(opts.task);
  const { rows } = await db.query<{
    id: string;
    task: string;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    key: string | null;
    created_at: Date;
    updated_at: Date;
  }>(
    `select j.id::text, t.identifier as task, j.attempts, j.max_attempts, j.last_error, j.key, j.created_at, j.updated_at
     from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     where j.locked_at is null and j.attempts >= j.max_attempts
       and ($1::text is null or t.identifier = $1)
     order by j.updated_at desc, j.id desc
     limit $2`,
    [task, opts.limit ?? 100],
  );
  return rows.map((r): DeadLetter => ({
    id: r.id,
    task: r.task,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    key: r.key,
    createdAt: r.created_at,
    diedAt: r.updated_at,
  }));
}

async function idsOf(db: Queryable, target: { ids: readonly (string | bigint)[] } | { task: string }) {
  if ('task' in target) return (await listDeadLetters(db, { task: target.task, limit: 10_000 })).map((d) => d.id);
  return jobIds.parse(target.ids).map(String);
}

/** Resets attempts and makes the dead letters runnable now; returns the ids replayed. */
export async function replayDeadLetters(
  db: Queryable,
  target: { ids: readonly (string | bigint)[] } | { task: string },
): Promise<string[]> {
  const ids = await idsOf(db, target);
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(`select id::text from private.replay_dead_jobs($1::bigint[]) id`, [
    ids,
  ]);
  return rows.map((r) => r.id);
}

/** Deletes dead letters; returns the ids deleted (ids that are not dead letters are left alone). */
export async function discardDeadLetters(db: Queryable, ids: readonly (string | bigint)[]): Promise<string[]> {
  const parsed = jobIds.parse(ids).map(String);
  const { rows } = await db.query<{ id: string }>(`select id::text from private.discard_dead_jobs($1::bigint[]) id`, [
    parsed,
  ]);
  return rows.map((r) => r.id);
}
