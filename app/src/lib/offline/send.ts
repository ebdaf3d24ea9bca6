// One queued write as a supabase-js request. The browser cache's first attempt and every
// replay from the outbox build the request here, so a retry under the same
// Idempotency-Key is byte for byte the same request (the gateway answers a replay with
// the stored response, and refuses a different request under a used key).
import type { SupabaseClient } from '@supabase/supabase-js';
import { TASK_SELECT, type TaskRow } from '../data/types.ts';
import { isNetworkFailure, isRetryable, quickAddArgs, type Mutation, type QueuedWrite } from './outbox.ts';

type Result = {
  data?: unknown;
  error: { message: string; details?: string | null; code?: string } | null;
  status?: number;
};

/** The request of one write (not sent until awaited). */
export function writeFor(client: SupabaseClient, m: QueuedWrite): PromiseLike<Result> {
  switch (m.kind) {
    case 'update':
      return client
        .from('tasks')
        .update(m.payload.patch)
        .eq('workspace_id', m.payload.workspaceId)
        .eq('id', m.taskId)
        .select(TASK_SELECT)
        .setHeader('Idempotency-Key', m.key);
    case 'create':
      return client.from('tasks').insert(m.payload.insert).select(TASK_SELECT).setHeader('Idempotency-Key', m.key);
    case 'quick_add':
      return client.rpc('quick_add_task', quickAddArgs(m.payload)).setHeader('Idempotency-Key', m.key);
    case 'labels':
      return labelsWrite(client, m);
  }
}

/**
 * A task's labels become exactly the chosen ones, in up to four requests: create the newly
 * named labels (their ids come from the browser), unlink the rest, link the chosen, read
 * the task back. Each step is idempotent and carries its own key derived from the entry's
 * (`<key>.labels`, …), so a replay after a lost answer repeats each step byte for byte and
 * the end state is the same whichever step the network lost.
 */
async function labelsWrite(client: SupabaseClient, m: Extract<QueuedWrite, { kind: 'labels' }>): Promise<Result> {
  const { workspaceId, labelIds, create } = m.payload;
  const steps: (() => PromiseLike<Result>)[] = [];
  if (create.length > 0) {
    const rows = create.map((l) => ({ workspace_id: workspaceId, id: l.id, name: l.name }));
    steps.push(() =>
      client
        .from('labels')
        .upsert(rows, { onConflict: 'workspace_id,id', ignoreDuplicates: true })
        .setHeader('Idempotency-Key', `${m.key}.labels`),
    );
  }
  steps.push(() => {
    let q = client.from('task_labels').delete().eq('workspace_id', workspaceId).eq('task_id', m.taskId);
    if (labelIds.length > 0) q = q.not('label_id', 'in', `(${labelIds.join(',')})`);
    return q.setHeader('Idempotency-Key', `${m.key}.unlink`);
  });
  if (labelIds.length > 0) {
    const links = labelIds.map((id) => ({ workspace_id: workspaceId, task_id: m.taskId, label_id: id }));
    steps.push(() =>
      client
        .from('task_labels')
        .upsert(links, { onConflict: 'workspace_id,task_id,label_id', ignoreDuplicates: true })
        .setHeader('Idempotency-Key', `${m.key}.link`),
    );
  }
  for (const step of steps) {
    const result = await step();
    if (result.error) return result;
  }
  return client.from('tasks').select(TASK_SELECT).eq('workspace_id', workspaceId).eq('id', m.taskId);
}

export type Outcome =
  /** The server has the change; `row` is the task as it now is (null: deleted or unknown). */
  | { kind: 'done'; row: TaskRow | null }
  /** The server refused it: drop it and say why. */
  | { kind: 'refused'; reason: string }
  /** No answer, or an answer that means "try again later": keep it. */
  | { kind: 'later' };

/** Sends one queued write and reads its outcome. */
export async function replay(client: SupabaseClient, m: Mutation): Promise<Outcome> {
  let result: Result;
  try {
    result = await writeFor(client, m);
  } catch {
    return { kind: 'later' };
  }
  if (isNetworkFailure(result)) return { kind: 'later' };
  if (result.error) {
    if (isRetryable(result.status ?? 0, result.error.code)) return { kind: 'later' };
    return {
      kind: 'refused',
      reason: result.error.message || result.error.details || 'The server refused the change.',
    };
  }
  if (m.kind === 'quick_add') {
    // The function answers with ids: read the task back with its labels, as lists hold it.
    const { data } = await client.from('tasks').select(TASK_SELECT).eq('id', m.taskId).limit(1);
    return { kind: 'done', row: ((data as unknown as TaskRow[] | null) ?? [])[0] ?? null };
  }
  const rows = (result.data as TaskRow[] | null) ?? [];
  if (rows.length === 0) return { kind: 'refused', reason: 'That task no longer exists.' };
  const row = rows[0] ?? null;
  return { kind: 'done', row: m.kind === 'update' && m.payload.patch.deleted_at ? null : row };
}
