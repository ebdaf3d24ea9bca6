// The browser's task cache: every task row the page has seen, by id, and per view when it
// was last fetched. Views derive their lists from the rows (view.ts), so an optimistic
// change shows in every list at once. A view fetched less than FRESH_MS ago is not fetched
// again when navigated to; an older one is shown at once and refreshed in the background.
// Mutations apply immediately and are rolled back, with the server's reason, when refused.
// Every write carries an Idempotency-Key; a network retry reuses it, so it lands once.
// Offline (or when the network loses the answer) a write stays shown and waits in the
// outbox (#lib/offline), which sends it on reconnect under the same key.
import { SvelteMap } from 'svelte/reactivity';
import type { SupabaseClient } from '@supabase/supabase-js';
import { accessTokens, idempotencyKey, supabase } from './client.ts';
import { nowIso, todayIn } from './days.ts';
import { notices } from './notices.ts';
import { positionBetween } from './positions.ts';
import { TASK_SELECT, type LabelRef, type TaskRow } from './types.ts';
import { fetchWindow, viewKey, type ViewContext, type ViewSpec } from './view.ts';
import { isNetworkFailure, type WriteIntent, type WriteQueue } from '../offline/outbox.ts';
import { writeFor } from '../offline/send.ts';

/** A view fetched this recently is not fetched again. */
export const FRESH_MS = 30_000;
/** Rows per REST page when a view is loaded (the gateway's API_MAX_ROWS default). */
export const PAGE_SIZE = 1000;

const COMPLETED_KEY = 'inbox:completed';
/** How many recently completed tasks the Inbox shows. */
export const COMPLETED_LIMIT = 50;

export type ViewState = { fetchedAt: number; complete: boolean; loading: boolean; error: string | null };

/** What an SSR loader hands the page so the cache starts where the server left off. */
export type ViewSeed = { key: string; tasks: TaskRow[]; complete: boolean; fetchedAt: number };

type TaskPatch = Partial<Omit<TaskRow, 'id' | 'workspace_id' | 'labels' | 'created_at' | 'due_at'>> & {
  deleted_at?: string | null;
  /** Sent with the write; list rows do not hold notes (the task page reads them). */
  notes?: string;
};

type WriteResult = { error: { message: string; details?: string | null; code?: string } | null; status?: number };

/** The message a person sees for a refused or failed write. */
export function reasonOf(error: { message: string; details?: string | null } | null | undefined): string {
  if (!error) return 'The server did not answer.';
  return error.message || error.details || 'The server refused the change.';
}

const MAX_ATTEMPTS = 3;
/** #send's answer when the write went to the outbox instead (it stays shown). */
const QUEUED = Symbol('queued');

export class TaskCache {
  rows = new SvelteMap<string, TaskRow>();
  views = new SvelteMap<string, ViewState>();
  /** Tasks with a write in flight (rendered as pending). */
  pending = new SvelteMap<string, number>();
  config = $state({ publishableKey: '', workspaceId: '', timeZone: 'UTC' });
  /** The offline layer (set by #lib/offline/sync.svelte.ts in the browser). */
  outbox: WriteQueue | null = null;

  /** The supabase-js client (loaded on first use). */
  db(): Promise<SupabaseClient> {
    return supabase(this.config.publishableKey);
  }

  context(): ViewContext {
    return {
      workspaceId: this.config.workspaceId,
      timeZone: this.config.timeZone,
      today: todayIn(this.config.timeZone),
    };
  }

  configure(options: { publishableKey: string; workspaceId: string; timeZone: string }): void {
    // Another person in the same tab (sign out, sign in without a reload): nothing of the
    // previous one's may be shown or sent with their token.
    if (this.config.workspaceId && options.workspaceId !== this.config.workspaceId) this.reset();
    if (this.config.publishableKey !== options.publishableKey) this.config.publishableKey = options.publishableKey;
    if (this.config.workspaceId !== options.workspaceId) this.config.workspaceId = options.workspaceId;
    if (this.config.timeZone !== options.timeZone) this.config.timeZone = options.timeZone;
  }

  /** Forgets every row, view and token. */
  reset(): void {
    this.rows.clear();
    this.views.clear();
    this.pending.clear();
    this.#queues.clear();
    accessTokens().clear();
  }

  /** Puts server-rendered rows into the cache (no refetch while they are fresh). */
  seed(seed: ViewSeed): void {
    const current = this.views.get(seed.key);
    if (current && current.fetchedAt >= seed.fetchedAt) return;
    for (const t of seed.tasks) if (!this.pending.has(t.id)) this.rows.set(t.id, t);
    this.views.set(seed.key, { fetchedAt: seed.fetchedAt, complete: seed.complete, loading: false, error: null });
    if (!seed.complete) void this.#load(viewKey(this.#specOf(seed.key)), this.#specOf(seed.key), seed.tasks.length);
  }

  #specOf(key: string): ViewSpec {
    if (key.startsWith('project:')) return { kind: 'project', projectId: key.slice('project:'.length) };
    return { kind: key as ViewSpec['kind'] };
  }

  /** Fetch the view unless it is fresh; stale views keep showing while they refresh. */
  ensure(spec: ViewSpec, now = Date.now()): void {
    const key = viewKey(spec);
    const state = this.views.get(key);
    if (state?.loading) return;
    if (state && state.complete && now - state.fetchedAt < FRESH_MS) return;
    if (state && !state.complete && now - state.fetchedAt < FRESH_MS) return;
    void this.#load(key, spec, 0);
  }

  #query(client: SupabaseClient, spec: ViewSpec, from: number) {
    let q = client
      .from('tasks')
      .select(TASK_SELECT)
      .is('deleted_at', null)
      .eq('status', 'open')
      .order('position', { ascending: true })
      .order('id', { ascending: true })
      .range(from, from + PAGE_SIZE - 1);
    const { workspaceId } = this.config;
    if (spec.kind === 'inbox') {
      q = q.is('project_id', null);
      if (workspaceId) q = q.eq('workspace_id', workspaceId);
    } else if (spec.kind === 'project') {
      q = q.eq('project_id', spec.projectId ?? '');
    } else {
      const window = fetchWindow(spec, this.context().today);
      if (window?.from) q = q.gte('due_date', window.from);
      if (window) q = q.lte('due_date', window.to);
    }
    return q;
  }

  /** Loads a view page by page from `from`, rendering each page as it arrives. */
  async #load(key: string, spec: ViewSpec, from: number): Promise<void> {
    if (this.outbox?.offline()) return; // offline: the last-seen rows stay as they are
    const started = Date.now();
    const prev = this.views.get(key);
    this.views.set(key, {
      fetchedAt: prev?.fetchedAt ?? 0,
      complete: prev?.complete ?? false,
      loading: true,
      error: null,
    });
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local scratch set, not state
    const seen = new Set<string>();
    let offset = from;
    try {
      const client = await this.db();
      for (;;) {
        const { data, error } = await this.#query(client, spec, offset);
        if (error) throw new Error(reasonOf(error));
        const page = (data ?? []) as unknown as TaskRow[];
        for (const t of page) {
          seen.add(t.id);
          if (!this.pending.has(t.id)) this.rows.set(t.id, t);
        }
        offset += page.length;
        if (page.length < PAGE_SIZE) break;
      }
      // A full reload drops rows that left the view elsewhere (another device, another tab).
      if (from === 0) {
        const ctx = this.context();
        for (const [id, t] of this.rows) {
          if (!seen.has(id) && !this.pending.has(id) && belongsToFetch(t, spec, ctx)) this.rows.delete(id);
        }
      }
      this.views.set(key, { fetchedAt: started, complete: true, loading: false, error: null });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.views.set(key, { fetchedAt: prev?.fetchedAt ?? 0, complete: false, loading: false, error: message });
    }
  }

  /** The Inbox's recently completed tasks (shown under the open ones), seeded by SSR. */
  seedCompleted(rows: TaskRow[], fetchedAt: number): void {
    const current = this.views.get(COMPLETED_KEY);
    if (current && current.fetchedAt >= fetchedAt) return;
    for (const t of rows) if (!this.pending.has(t.id)) this.rows.set(t.id, t);
    this.views.set(COMPLETED_KEY, { fetchedAt, complete: true, loading: false, error: null });
  }

  /** Fetches the Inbox's recently completed tasks unless fresh. */
  ensureCompleted(now = Date.now()): void {
    const state = this.views.get(COMPLETED_KEY);
    if (state?.loading || (state && now - state.fetchedAt < FRESH_MS)) return;
    void this.#loadCompleted();
  }

  async #loadCompleted(): Promise<void> {
    const started = Date.now();
    const prev = this.views.get(COMPLETED_KEY);
    this.views.set(COMPLETED_KEY, { fetchedAt: prev?.fetchedAt ?? 0, complete: true, loading: true, error: null });
    try {
      const client = await this.db();
      let q = client
        .from('tasks')
        .select(TASK_SELECT)
        .is('deleted_at', null)
        .eq('status', 'completed')
        .is('project_id', null);
      if (this.config.workspaceId) q = q.eq('workspace_id', this.config.workspaceId);
      const { data, error } = await q.order('completed_at', { ascending: false }).limit(COMPLETED_LIMIT);
      if (error) throw new Error(reasonOf(error));
      for (const t of (data ?? []) as unknown as TaskRow[]) if (!this.pending.has(t.id)) this.rows.set(t.id, t);
      this.views.set(COMPLETED_KEY, { fetchedAt: started, complete: true, loading: false, error: null });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.views.set(COMPLETED_KEY, {
        fetchedAt: prev?.fetchedAt ?? 0,
        complete: true,
        loading: false,
        error: message,
      });
    }
  }

  /** Drops freshness so the next ensure() refetches (after a mutation elsewhere). */
  invalidate(): void {
    for (const [key, state] of this.views) this.views.set(key, { ...state, fetchedAt: 0 });
  }

  /** Refetches a view in the background now, whatever its age (e.g. back from a task's page). */
  refresh(spec: ViewSpec): void {
    const key = viewKey(spec);
    if (this.views.get(key)?.loading) return;
    // The Inbox's completed list is a view of its own (key 'inbox:completed').
    if (key === COMPLETED_KEY) void this.#loadCompleted();
    else void this.#load(key, spec, 0);
  }

  // ---- mutations -------------------------------------------------------------------

  /**
   * Sends one write, retrying network failures with the same idempotency key; offline, or
   * when no attempt got an answer, the write goes to the outbox (same key, same request).
   */
  async #send(intent: WriteIntent): Promise<WriteResult | typeof QUEUED> {
    const write = { ...intent, key: idempotencyKey(), sent: false };
    if (this.outbox?.shouldQueue(write.taskId)) {
      this.outbox.enqueue(write);
      return QUEUED;
    }
    let last: WriteResult = { error: { message: 'The server did not answer.' } };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      try {
        last = await writeFor(await this.db(), write);
        // supabase-js reports a failed fetch as status 0 / no status: retry those only.
        if (!last.error || (last.status !== undefined && last.status !== 0)) return last;
      } catch (e) {
        last = { error: { message: e instanceof Error ? e.message : String(e) } };
      }
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
    if (this.outbox && isNetworkFailure(last)) {
      this.outbox.enqueue({ ...write, sent: true });
      return QUEUED;
    }
    return last;
  }

  /** Writes to one task go out one after another, so they land in the order they were made. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #queues = new Map<string, Promise<unknown>>();

  #serial<T>(id: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }

  /** Resolves when every write made so far has been answered. */
  async settled(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  #begin(id: string): void {
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  #end(id: string): void {
    const n = (this.pending.get(id) ?? 1) - 1;
    if (n <= 0) this.pending.delete(id);
    else this.pending.set(id, n);
  }

  /**
   * Applies `patch` now; sends it; restores the previous row (and says why) if refused.
   * `onRefused` also gets the server's reason (a form shows it by its field).
   */
  async update(
    id: string,
    patch: TaskPatch,
    failure = 'Could not save the change',
    onRefused?: (reason: string) => void,
  ): Promise<boolean> {
    const before = this.rows.get(id);
    if (!before) return false;
    const { deleted_at, ...visible } = patch;
    if (deleted_at) this.rows.delete(id);
    else this.rows.set(id, { ...before, ...visible, ...derived(before, visible) });
    this.#begin(id);
    const after = deleted_at ? null : (this.rows.get(id) ?? null);
    const result = await this.#serial(id, () =>
      this.#send({ kind: 'update', taskId: id, payload: { workspaceId: before.workspace_id, patch, after } }),
    );
    this.#end(id);
    if (result === QUEUED) return true;
    const rows = (result as { data?: unknown }).data as TaskRow[] | null | undefined;
    if (result.error || !rows || rows.length === 0) {
      this.rows.set(id, before);
      const reason = result.error ? reasonOf(result.error) : 'That task no longer exists.';
      notices.error(`${failure}: ${reason}`);
      onRefused?.(reason);
      return false;
    }
    if (!deleted_at && rows[0] && !this.pending.has(id)) this.rows.set(id, rows[0]);
    return true;
  }

  /**
   * A task's labels become exactly `labelIds` (`create`: labels named for the first time,
   * with ids made here). Shown at once, queued offline like any write, rolled back with the
   * server's reason if refused.
   */
  async setLabels(
    id: string,
    labelIds: string[],
    create: LabelRef[],
    shown: LabelRef[],
    onRefused?: (reason: string) => void,
  ): Promise<boolean> {
    const before = this.rows.get(id);
    if (!before) return false;
    const after = { ...before, labels: shown };
    this.rows.set(id, after);
    this.#begin(id);
    const result = await this.#serial(id, () =>
      this.#send({
        kind: 'labels',
        taskId: id,
        payload: { workspaceId: before.workspace_id, labelIds, create, after },
      }),
    );
    this.#end(id);
    if (result === QUEUED) return true;
    const rows = (result as { data?: unknown }).data as TaskRow[] | null | undefined;
    if (result.error || !rows?.[0]) {
      this.rows.set(id, before);
      const reason = result.error ? reasonOf(result.error) : 'That task no longer exists.';
      notices.error(`Could not save the labels: ${reason}`);
      onRefused?.(reason);
      return false;
    }
    if (!this.pending.has(id)) this.rows.set(id, rows[0]);
    return true;
  }

  /** Brings back a row removed optimistically (undo of delete) before re-sending. */
  restoreRow(row: TaskRow): void {
    this.rows.set(row.id, row);
  }

  async complete(id: string): Promise<void> {
    const task = this.rows.get(id);
    if (!task) return;
    const ok = await this.update(id, { status: 'completed', completed_at: nowIso() }, 'Could not complete the task');
    if (ok)
      notices.show(`Completed “${task.title}”.`, {
        action: {
          label: 'Undo',
          run: () => void this.update(id, { status: 'open', completed_at: null }, 'Could not reopen the task'),
        },
      });
  }

  async remove(id: string): Promise<void> {
    const task = this.rows.get(id);
    if (!task) return;
    const ok = await this.update(id, { deleted_at: nowIso() }, 'Could not delete the task');
    if (ok)
      notices.show(`Deleted “${task.title}”.`, {
        action: {
          label: 'Undo',
          run: () => {
            this.restoreRow(task);
            void this.update(id, { deleted_at: null }, 'Could not restore the task');
          },
        },
      });
  }

  /** Moves `id` between two neighbours (ids or null for an end): one row written. */
  async move(id: string, beforeId: string | null, afterId: string | null): Promise<void> {
    const before = beforeId ? (this.rows.get(beforeId)?.position ?? null) : null;
    const after = afterId ? (this.rows.get(afterId)?.position ?? null) : null;
    if (before === null && after === null) return;
    await this.update(id, { position: positionBetween(before, after) }, 'Could not move the task');
  }

  /** Creates a task (client-generated id) optimistically. */
  async create(row: TaskRow, insert: Record<string, unknown>): Promise<boolean> {
    this.rows.set(row.id, row);
    this.#begin(row.id);
    const result = await this.#serial(row.id, () =>
      this.#send({
        kind: 'create',
        taskId: row.id,
        payload: { row, insert: { ...insert, id: row.id, workspace_id: row.workspace_id } },
      }),
    );
    this.#end(row.id);
    if (result === QUEUED) return true;
    const rows = (result as { data?: unknown }).data as TaskRow[] | null | undefined;
    if (result.error || !rows?.[0]) {
      this.rows.delete(row.id);
      notices.error(`Could not add “${row.title}”: ${reasonOf(result.error)}`);
      return false;
    }
    this.rows.set(row.id, rows[0]);
    return true;
  }

  /**
   * Quick add through public.quick_add_task (it also creates a missing #project and
   * @labels). The client-generated id makes a retried call return the same task. The
   * call's arguments are the row's fields plus `projectName` (outbox.ts quickAddArgs).
   */
  async quickAdd(row: TaskRow, projectName: string | null): Promise<boolean> {
    this.rows.set(row.id, row);
    this.#begin(row.id);
    const result = await this.#serial(row.id, () =>
      this.#send({ kind: 'quick_add', taskId: row.id, payload: { row, projectName } }),
    );
    if (result === QUEUED) {
      this.#end(row.id);
      return true;
    }
    if (result.error) {
      this.#end(row.id);
      this.rows.delete(row.id);
      notices.error(`Could not add “${row.title}”: ${reasonOf(result.error)}`);
      return false;
    }
    // Read it back with its labels embedded, as every list holds it.
    try {
      const client = await this.db();
      const { data } = await client.from('tasks').select(TASK_SELECT).eq('id', row.id).limit(1);
      const fresh = (data as unknown as TaskRow[] | null)?.[0];
      if (fresh) this.rows.set(row.id, fresh);
    } finally {
      this.#end(row.id);
    }
    return true;
  }
}

/** Whether a cached row is one the view's fetch would have returned. */
function belongsToFetch(t: TaskRow, spec: ViewSpec, ctx: ViewContext): boolean {
  if (t.status !== 'open') return false;
  if (spec.kind === 'inbox') return t.project_id === null && (!ctx.workspaceId || t.workspace_id === ctx.workspaceId);
  if (spec.kind === 'project') return t.project_id === spec.projectId;
  const window = fetchWindow(spec, ctx.today);
  if (!window || !t.due_date) return false;
  return (!window.from || t.due_date >= window.from) && t.due_date <= window.to;
}

/** Columns the database derives, kept plausible while a change is in flight. */
function derived(before: TaskRow, patch: TaskPatch): Partial<TaskRow> {
  if (!('due_date' in patch) && !('due_time' in patch) && !('due_tz' in patch)) return {};
  const date = patch.due_date !== undefined ? patch.due_date : before.due_date;
  const time = patch.due_time !== undefined ? patch.due_time : before.due_time;
  return { due_at: date && time ? before.due_at : null };
}

export const tasks = new TaskCache();
