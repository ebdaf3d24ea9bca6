// The outbox: writes made while offline (or whose request the network lost), kept in
// order until the server has them. Pure functions over a plain array, so the rules are
// unit-tested without IndexedDB (tests/unit/offline-outbox.test.ts):
// - entries are replayed first-in, first-out, each with its own Idempotency-Key;
// - successive patches of one task are coalesced field by field (last writer wins per
//   field), but only into an entry that was never sent: a sent request's key must keep
//   its exact bytes, or the server would refuse the retry as a different request;
// - on reload the queued changes are laid over whatever base the page starts from.
import type { TaskRow } from '../data/types.ts';

/** A change to some of a task's fields (deleted_at set = moved to Trash). */
export type TaskPatch = Record<string, unknown>;

export type UpdatePayload = {
  workspaceId: string;
  patch: TaskPatch;
  /** The row as the person saw it after the change (null: deleted), to show it again after a reload. */
  after: TaskRow | null;
};
export type CreatePayload = { row: TaskRow; insert: Record<string, unknown> };
/**
 * A quick add keeps the task as shown plus the one thing the row lacks (the #project's
 * name: the function creates a missing project); its RPC arguments are derived from them
 * (quickAddArgs), so the two cannot disagree.
 */
export type QuickAddPayload = { row: TaskRow; projectName: string | null };
/** A task's labels become exactly `labelIds`; `create` are labels named for the first time (client ids). */
export type LabelsPayload = {
  workspaceId: string;
  labelIds: string[];
  create: { id: string; name: string }[];
  /** The row as the person saw it after the change, to show it again after a reload. */
  after: TaskRow | null;
};

type Base = {
  /** Local identity of the entry. */
  id: string;
  /** The Idempotency-Key every attempt of this entry carries. */
  key: string;
  taskId: string;
  createdAt: number;
  /** Whether a request with `key` may have reached the server (its body is then frozen). */
  sent: boolean;
};

export type Mutation =
  | (Base & { kind: 'update'; payload: UpdatePayload })
  | (Base & { kind: 'create'; payload: CreatePayload })
  | (Base & { kind: 'quick_add'; payload: QuickAddPayload })
  | (Base & { kind: 'labels'; payload: LabelsPayload });

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A write as the browser cache describes it, before it has a key. */
export type WriteIntent = DistributiveOmit<Mutation, 'id' | 'createdAt' | 'key' | 'sent'>;

/** A write with its key: what is sent, and what the outbox keeps (it adds id and createdAt). */
export type QueuedWrite = DistributiveOmit<Mutation, 'id' | 'createdAt'>;

/** What the browser cache asks of the offline layer (app/src/lib/offline/sync.svelte.ts). */
export interface WriteQueue {
  /** Whether the browser is offline (loads are skipped; the last-seen rows stay). */
  offline(): boolean;
  /** Whether a write of this task must wait in the outbox: offline, or earlier writes of it are queued. */
  shouldQueue(taskId: string): boolean;
  /** Keeps a write for later (`sent`: its request may already have reached the server). */
  enqueue(write: QueuedWrite): void;
}

/**
 * The arguments of public.quick_add_task for a queued quick add. Deterministic: a replay
 * under the entry's key sends the same body. An entry queued before `projectName` existed
 * kept its arguments as sent (`args`); those are used as they are.
 */
export function quickAddArgs(payload: QuickAddPayload | { row: TaskRow; args: Record<string, unknown> }) {
  if ('args' in payload) return payload.args;
  const { row, projectName } = payload;
  return {
    title: row.title,
    workspace_id: row.workspace_id || null,
    priority: row.priority,
    due_date: row.due_date,
    due_time: row.due_time,
    due_tz: row.due_tz,
    recurrence: row.recurrence,
    project_name: projectName,
    label_names: row.labels.map((l) => l.name),
    task_id: row.id,
  };
}

/**
 * Appends `m`, coalescing it into the same task's last entry when that one was never sent:
 * a patch into a patch (last writer wins per field), a label set into a label set (the
 * newer set wins; labels it names for the first time are still created).
 */
export function append(list: readonly Mutation[], m: Mutation): Mutation[] {
  let last = -1;
  for (let i = list.length - 1; i >= 0; i -= 1) {
    if (list[i]?.taskId === m.taskId) {
      last = i;
      break;
    }
  }
  const prev = last >= 0 ? list[last] : undefined;
  if (m.kind === 'labels' && prev?.kind === 'labels' && !prev.sent && !m.sent) {
    const chosen = new Set(m.payload.labelIds);
    const create = [...prev.payload.create, ...m.payload.create].filter(
      (l, i, all) => chosen.has(l.id) && all.findIndex((o) => o.id === l.id) === i,
    );
    const merged: Mutation = { ...prev, payload: { ...m.payload, create } };
    return [...list.slice(0, last), merged, ...list.slice(last + 1)];
  }
  if (m.kind === 'update') {
    if (prev && prev.kind === 'update' && !prev.sent && !m.sent) {
      const merged: Mutation = {
        ...prev,
        payload: {
          workspaceId: m.payload.workspaceId,
          patch: { ...prev.payload.patch, ...m.payload.patch },
          after: m.payload.after,
        },
      };
      return [...list.slice(0, last), merged, ...list.slice(last + 1)];
    }
  }
  return [...list, m];
}

/** The list without entry `id` (after the server answered it). */
export function without(list: readonly Mutation[], id: string): Mutation[] {
  return list.filter((m) => m.id !== id);
}

/** Marks entry `id` as sent: from now on it is retried byte for byte, never merged into. */
export function markSent(list: readonly Mutation[], id: string): Mutation[] {
  return list.map((m) => (m.id === id && !m.sent ? { ...m, sent: true } : m));
}

/** The ids of tasks with queued changes. */
export function queuedTasks(list: readonly Mutation[]): Set<string> {
  return new Set(list.map((m) => m.taskId));
}

/** What a queued entry does to the rows a page shows (null: the task is gone from the lists). */
export function optimisticRow(m: Mutation, current: TaskRow | undefined): TaskRow | null | undefined {
  if (m.kind === 'update') return m.payload.after ?? (m.payload.patch.deleted_at ? null : current);
  if (m.kind === 'labels') return m.payload.after ?? current;
  return current ?? m.payload.row;
}

/**
 * Lays the queued changes over `rows` (a server render, or an older snapshot): each
 * change is idempotent, so applying it to a base that already has it changes nothing.
 */
export function applyQueued(
  rows: { get(id: string): TaskRow | undefined; set(id: string, row: TaskRow): unknown; delete(id: string): unknown },
  list: readonly Mutation[],
): void {
  for (const m of list) {
    const next = optimisticRow(m, rows.get(m.taskId));
    if (next === null) rows.delete(m.taskId);
    else if (next) rows.set(m.taskId, next);
  }
}

/** Whether a failed request never got an answer (no HTTP status), so it may be retried as is. */
export function isNetworkFailure(result: { error: unknown; status?: number | undefined }): boolean {
  return Boolean(result.error) && (result.status === undefined || result.status === 0);
}

/** Statuses after which the same request is worth sending again later (not a refusal). */
export function isRetryable(status: number, code?: string | undefined): boolean {
  // TM409: the key is still in flight (a request the network lost is finishing); 429: rate
  // limited; 503: not performed; 502/504: a proxy lost the server.
  if (status === 409) return code === 'TM409';
  return status === 429 || status === 502 || status === 503 || status === 504;
}
