// The offline layer of the browser cache (tasks.svelte.ts):
// - keeps a snapshot of the cache's rows in IndexedDB (per user), and seeds the lists from
//   it when the page started from an older render (the service worker's copy, offline);
// - keeps the outbox: writes made offline, or whose answer the network lost, stay shown
//   and are replayed in order on reconnect (and at start) under their own
//   Idempotency-Key, so a replay never applies twice; a refusal drops the write, says why,
//   shows the task as the server has it and keeps the person's values (refusals.ts) until
//   they put them back into the task ("Edit again") or discard them;
// - before a sign-out, sends what it can and counts what would be lost (drain);
// - tells the OfflineIndicator whether the browser is offline, syncing, and how many
//   changes wait.
import { browser } from '$app/environment';
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { toast } from '../components/ui/toast.svelte.ts';
import { tasks } from '../data/tasks.svelte.ts';
import { TASK_SELECT, type TaskRow } from '../data/types.ts';
import { inView, type ViewSpec } from '../data/view.ts';
import {
  append,
  applyQueued,
  markSent,
  queuedTasks,
  without,
  type Mutation,
  type QueuedWrite,
  type WriteQueue,
} from './outbox.ts';
import { draftValues, refusalOf, type DraftValues, type Refusal } from './refusals.ts';
import { replay } from './send.ts';
import { openStore, PAGES_PREFIX, type OfflineStore, type SnapshotMeta } from './store.ts';

/** Writes that could not be sent while the browser says it is online are tried again this often. */
const RETRY_MS = 15_000;
/** The snapshot is written this long after the last change (changes come in bursts). */
const SAVE_DELAY_MS = 250;
/** The last person whose pages the service worker may hold (see forgetOtherPerson). */
const LAST_USER_KEY = 'taskmaster-offline-user';

function specOf(key: string): ViewSpec {
  if (key.startsWith('project:')) return { kind: 'project', projectId: key.slice('project:'.length) };
  return { kind: key as ViewSpec['kind'] };
}

export class OfflineSync implements WriteQueue {
  /** The browser's own idea of being online (navigator.onLine and its events). */
  online = $state(true);
  /** Writes waiting for the server, oldest first. */
  outbox: Mutation[] = $state.raw([]);
  /** Whether the outbox is being replayed now. */
  syncing = $state(false);
  /** Offline changes the server refused, with the person's values, newest last. */
  refused: Refusal[] = $state.raw([]);
  /** A refused change being edited again on its task's page ("Edit again"). */
  draft: { taskId: string; reason: string; values: DraftValues } | null = $state(null);

  #userId: string | null = null;
  #store: OfflineStore | null = null;
  #ready = false;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #saved = new Map<string, TaskRow>();
  /**
   * Ids this page has held (or knows are gone): only these may leave the snapshot. A page
   * that never loaded a task (a task's own page, another view) must not erase it.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #held = new Set<string>();
  #savedViews = '';
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopSaving: (() => void) | null = null;
  #outboxWrite: Promise<void> = Promise.resolve();
  #flushing: Promise<void> | null = null;

  offline(): boolean {
    return browser && !navigator.onLine;
  }

  shouldQueue(taskId: string): boolean {
    return this.offline() || this.outbox.some((m) => m.taskId === taskId);
  }

  enqueue(write: QueuedWrite): void {
    const entry = { ...write, id: crypto.randomUUID(), createdAt: Date.now() } as Mutation;
    this.outbox = append(this.outbox, entry);
    this.#persistOutbox();
    if (this.offline()) return;
    // A lost answer: try again a little later. Otherwise it waits behind the task's earlier writes.
    if (write.sent) this.#retryLater();
    else void this.flush();
  }

  /** A reload or a closed tab must not drop a snapshot write still waiting for its delay. */
  #onPageHide = () => {
    if (this.#saveTimer === undefined) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    void this.#saveSnapshot();
  };

  /** Starts for the signed-in person (idempotent): opens their database, seeds, replays. */
  async start(userId: string): Promise<void> {
    if (!browser || this.#userId === userId) return;
    this.#userId = userId;
    await forgetOtherPerson(userId);
    this.online = navigator.onLine;
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    window.addEventListener('pagehide', this.#onPageHide);
    try {
      this.#store = await openStore(userId);
      const [snapshot, stored, refused] = await Promise.all([
        this.#store.loadSnapshot(),
        this.#store.loadOutbox(),
        this.#store.loadRefused(),
      ]);
      this.refused = [...refused, ...this.refused];
      // Writes made before the database opened come after the stored ones.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
      const known = new Set(stored.map((m) => m.id));
      this.outbox = [...stored, ...this.outbox.filter((m) => !known.has(m.id))];
      if (snapshot) {
        for (const row of snapshot.rows) this.#saved.set(row.id, row);
        if (snapshot.meta.savedAt > newestView()) this.#seedFrom(snapshot.rows, snapshot.meta);
        else this.#pruneAgainstServer(snapshot.rows);
      }
      applyQueued(tasks.rows, this.outbox);
      // The rows this page now shows decide the snapshot for these ids (a queued delete removes one).
      for (const m of this.outbox) this.#held.add(m.taskId);
      this.#persistOutbox();
    } catch {
      // No IndexedDB (a private window, storage full): the outbox lives in memory only.
      this.#store = null;
    }
    this.#ready = true;
    this.#stopSaving = $effect.root(() => {
      $effect(() => {
        // Track every row and view: any change schedules a write of the snapshot.
        for (const row of tasks.rows.values()) void row;
        for (const view of tasks.views.values()) void view.fetchedAt;
        clearTimeout(this.#saveTimer);
        this.#saveTimer = setTimeout(() => void this.#saveSnapshot(), SAVE_DELAY_MS);
      });
    });
    void this.flush();
  }

  /** Stops listening and closes the database (the layout unmounts: signed out). */
  stop(): void {
    if (!browser) return;
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    window.removeEventListener('pagehide', this.#onPageHide);
    clearTimeout(this.#saveTimer);
    clearTimeout(this.#retryTimer);
    this.#stopSaving?.();
    this.#stopSaving = null;
    this.#store?.close();
    this.#store = null;
    this.#userId = null;
    this.#ready = false;
    this.#saved.clear();
    this.#held.clear();
    // The next person on this page starts with their own outbox (this one stays in its database).
    this.outbox = [];
    this.refused = [];
    this.draft = null;
  }

  #onOnline = () => {
    this.online = true;
    // With nothing to send, still catch up with what changed elsewhere meanwhile.
    if (this.outbox.length === 0) this.#refreshViews();
    else void this.flush();
  };

  #refreshViews(): void {
    for (const key of tasks.views.keys()) tasks.refresh(specOf(key));
  }

  #onOffline = () => {
    this.online = false;
  };

  /** The page started from a render older than the snapshot: show the snapshot instead. */
  #seedFrom(rows: TaskRow[], meta: SnapshotMeta): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
    const keep = new Set(rows.map((r) => r.id));
    for (const id of keep) this.#held.add(id);
    const ctx = tasks.context();
    // A row of the render that the snapshot lacks is gone only if the snapshot saw its view later.
    for (const [id, row] of [...tasks.rows]) {
      if (keep.has(id) || tasks.pending.has(id)) continue;
      const gone = Object.entries(meta.views).some(
        ([key, at]) => at > (tasks.views.get(key)?.fetchedAt ?? 0) && inView(row, specOf(key), ctx),
      );
      if (gone) tasks.rows.delete(id);
    }
    for (const row of rows) if (!tasks.pending.has(row.id)) tasks.rows.set(row.id, row);
    for (const [key, fetchedAt] of Object.entries(meta.views)) {
      const current = tasks.views.get(key);
      if (!current || current.fetchedAt < fetchedAt)
        tasks.views.set(key, { fetchedAt, complete: true, loading: false, error: null });
    }
  }

  /** The page started from a fresh render: snapshot rows its complete views no longer hold are gone. */
  #pruneAgainstServer(rows: TaskRow[]): void {
    const ctx = tasks.context();
    const views = [...tasks.views].filter(([, state]) => state.complete).map(([key]) => specOf(key));
    for (const row of rows)
      if (!tasks.rows.has(row.id) && views.some((spec) => inView(row, spec, ctx))) this.#held.add(row.id);
  }

  async #saveSnapshot(): Promise<void> {
    const store = this.#store;
    if (!store || !this.#ready) return;
    const put: TaskRow[] = [];
    const remove: string[] = [];
    for (const [id, row] of tasks.rows) if (this.#saved.get(id) !== row) put.push(row);
    for (const id of this.#saved.keys()) if (!tasks.rows.has(id) && this.#held.has(id)) remove.push(id);
    for (const id of tasks.rows.keys()) this.#held.add(id);
    const views: Record<string, number> = {};
    for (const [key, state] of tasks.views) if (state.complete && state.fetchedAt > 0) views[key] = state.fetchedAt;
    const viewsJson = JSON.stringify(views);
    if (put.length === 0 && remove.length === 0 && viewsJson === this.#savedViews) return;
    try {
      await store.saveSnapshot($state.snapshot(put) as TaskRow[], remove, { savedAt: Date.now(), views });
      for (const row of put) this.#saved.set(row.id, row);
      for (const id of remove) this.#saved.delete(id);
      this.#savedViews = viewsJson;
    } catch {
      // The database was closed (sign-out) or is full: the next change tries again.
    }
  }

  #persistOutbox(): void {
    const store = this.#store;
    if (!store) return;
    const list = $state.snapshot(this.outbox) as Mutation[];
    this.#outboxWrite = this.#outboxWrite.then(() => store.saveOutbox(list)).catch(() => undefined);
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.flush(), RETRY_MS);
  }

  /** Replays the outbox in order; stops at the first write that gets no answer. A replay under way is joined. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (!this.#ready || this.offline() || this.outbox.length === 0) return Promise.resolve();
    this.#flushing = this.#replayAll().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Changes on this device the server does not have: queued, or refused and kept. */
  get unsynced(): number {
    return this.outbox.length + this.refused.length;
  }

  /**
   * Before signing out (which deletes this device's data): waits for writes in flight,
   * sends the outbox if it can, and answers how many changes would still be lost.
   */
  async drain(): Promise<number> {
    await tasks.settled();
    await this.flush();
    return this.unsynced;
  }

  async #replayAll(): Promise<void> {
    this.syncing = true;
    let answered = 0;
    try {
      while (this.outbox.length > 0 && !this.offline()) {
        const first = this.outbox[0] as Mutation;
        // From here on the request may reach the server: its body is frozen under its key.
        this.outbox = markSent(this.outbox, first.id);
        this.#persistOutbox();
        await this.#outboxWrite;
        const head = { ...first, sent: true } as Mutation;
        tasks.pending.set(head.taskId, (tasks.pending.get(head.taskId) ?? 0) + 1);
        let outcome: Awaited<ReturnType<typeof replay>>;
        try {
          outcome = await replay(await tasks.db(), head);
        } catch {
          outcome = { kind: 'later' };
        } finally {
          const n = (tasks.pending.get(head.taskId) ?? 1) - 1;
          if (n <= 0) tasks.pending.delete(head.taskId);
          else tasks.pending.set(head.taskId, n);
        }
        if (outcome.kind === 'later') {
          this.#retryLater();
          break;
        }
        this.outbox = without(this.outbox, head.id);
        this.#persistOutbox();
        answered += 1;
        const more = queuedTasks(this.outbox).has(head.taskId);
        if (outcome.kind === 'done') {
          if (!more && outcome.row) tasks.rows.set(head.taskId, outcome.row);
          else if (!more) tasks.rows.delete(head.taskId);
        } else {
          const refusal = refusalOf(head, outcome.reason, tasks.rows.get(head.taskId), Date.now());
          const exists = more || (await this.#reload(head.taskId));
          // Its page can take the values again if it exists and they are fields of that page.
          refusal.editable = head.kind === 'update' && exists && Object.keys(draftValues(refusal.values)).length > 0;
          this.#keepRefusal(refusal);
        }
      }
    } finally {
      this.syncing = false;
    }
    // Other devices may have changed things meanwhile: refetch the views this page holds.
    if (answered > 0 && this.outbox.length === 0) this.#refreshViews();
  }

  /** Shows a task as the server has it (after a refused write); answers whether it still exists. */
  async #reload(taskId: string): Promise<boolean> {
    try {
      const client = await tasks.db();
      const { data, error } = await client.from('tasks').select(TASK_SELECT).eq('id', taskId).is('deleted_at', null);
      if (error) return false;
      const row = (data as unknown as TaskRow[] | null)?.[0];
      if (row) tasks.rows.set(taskId, row);
      else tasks.rows.delete(taskId);
      return Boolean(row);
    } catch {
      // Offline again: the next load corrects it.
      return false;
    }
  }

  /** Keeps a refused change (and says why), with "Edit again" when its task can take it. */
  #keepRefusal(refusal: Refusal): void {
    this.refused = [...this.refused, refusal];
    this.#persistRefused();
    const to = refusal.title ? ` to “${refusal.title}”` : '';
    toast(`Could not save a change made offline${to}: ${refusal.reason}`, {
      tone: 'error',
      ...(refusal.editable ? { action: { label: 'Edit again', run: () => this.editAgain(refusal.id) } } : {}),
    });
  }

  /** Opens the task's page with the refused values filled in (the refusal leaves the list). */
  editAgain(id: string): void {
    const refusal = this.refused.find((r) => r.id === id);
    if (!refusal?.editable) return;
    this.draft = { taskId: refusal.taskId, reason: refusal.reason, values: draftValues(refusal.values) };
    this.discard(id);
    void goto(resolve('/(app)/app/tasks/[id]', { id: refusal.taskId }));
  }

  /** Forgets a refused change. */
  discard(id: string): void {
    this.refused = this.refused.filter((r) => r.id !== id);
    this.#persistRefused();
  }

  /** A navigation away from the task being edited again ends that draft. */
  left(pathname: string): void {
    if (this.draft && !pathname.endsWith(`/tasks/${this.draft.taskId}`)) this.draft = null;
  }

  #persistRefused(): void {
    const store = this.#store;
    if (!store) return;
    const list = $state.snapshot(this.refused) as Refusal[];
    this.#outboxWrite = this.#outboxWrite.then(() => store.saveRefused(list)).catch(() => undefined);
  }
}

/** The newest view fetch the page started with (a server render's time). */
function newestView(): number {
  let newest = 0;
  for (const state of tasks.views.values()) newest = Math.max(newest, state.fetchedAt);
  return newest;
}

/**
 * The service worker keeps the HTML of visited pages for offline starts. When another
 * person signs in on this browser, the previous person's pages are deleted.
 */
async function forgetOtherPerson(userId: string): Promise<void> {
  try {
    const last = localStorage.getItem(LAST_USER_KEY);
    if (last === userId) return;
    localStorage.setItem(LAST_USER_KEY, userId);
    if (last === null || typeof caches === 'undefined') return;
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PAGES_PREFIX)).map((n) => caches.delete(n)));
  } catch {
    // No storage: nothing was kept either.
  }
}

export const offlineSync = new OfflineSync();
if (browser) tasks.outbox = offlineSync;
