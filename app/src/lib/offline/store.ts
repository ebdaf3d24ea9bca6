// IndexedDB for one person: the last-seen tasks (a snapshot of the browser cache) and the
// outbox of writes not yet on the server. One database per user id, so a second person on
// the same browser never reads the first one's tasks; every one of them is deleted on
// sign-out (the service worker does it when it sees the sign-out request).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TaskRow } from '../data/types.ts';
import type { Mutation } from './outbox.ts';
import type { Refusal } from './refusals.ts';

export const DB_PREFIX = 'taskmaster-offline-';
/** The service worker's caches of visited pages (one per app version). */
export const PAGES_PREFIX = 'pages-';

/** When the snapshot was written, and how fresh each view was then. */
export type SnapshotMeta = { savedAt: number; views: Record<string, number> };

export type Snapshot = { meta: SnapshotMeta; rows: TaskRow[] };

/** What the offline layer needs from storage (tests pass an in-memory one). */
export interface OfflineStore {
  loadSnapshot(): Promise<Snapshot | null>;
  /** Writes the changed rows, deletes the removed ones, and the new meta, in one transaction. */
  saveSnapshot(put: TaskRow[], remove: string[], meta: SnapshotMeta): Promise<void>;
  loadOutbox(): Promise<Mutation[]>;
  saveOutbox(list: Mutation[]): Promise<void>;
  /** Refused offline changes kept until the person restores or discards them (refusals.ts). */
  loadRefused(): Promise<Refusal[]>;
  saveRefused(list: Refusal[]): Promise<void>;
  close(): void;
}

interface Schema extends DBSchema {
  tasks: { key: string; value: TaskRow };
  meta:
    | { key: 'snapshot'; value: SnapshotMeta }
    | { key: 'outbox'; value: Mutation[] }
    | { key: 'refused'; value: Refusal[] };
}

type MetaValue = SnapshotMeta | Mutation[] | Refusal[];

export async function openStore(userId: string): Promise<OfflineStore> {
  const db: IDBPDatabase<Schema> = await openDB<Schema>(`${DB_PREFIX}${userId}`, 1, {
    upgrade(upgrading) {
      upgrading.createObjectStore('tasks', { keyPath: 'id' });
      upgrading.createObjectStore('meta');
    },
    // Sign-out deletes the database: let it.
    blocking() {
      db.close();
    },
  });
  return {
    async loadSnapshot() {
      const tx = db.transaction(['tasks', 'meta']);
      const [meta, rows] = await Promise.all([
        tx.objectStore('meta').get('snapshot') as Promise<MetaValue | undefined>,
        tx.objectStore('tasks').getAll(),
      ]);
      if (!meta || Array.isArray(meta)) return null;
      return { meta, rows };
    },
    async saveSnapshot(put, remove, meta) {
      const tx = db.transaction(['tasks', 'meta'], 'readwrite');
      const tasks = tx.objectStore('tasks');
      for (const row of put) void tasks.put(row);
      for (const id of remove) void tasks.delete(id);
      void tx.objectStore('meta').put(meta, 'snapshot');
      await tx.done;
    },
    async loadOutbox() {
      const value = (await db.get('meta', 'outbox')) as MetaValue | undefined;
      return Array.isArray(value) ? (value as Mutation[]) : [];
    },
    async saveOutbox(list) {
      await db.put('meta', list, 'outbox');
    },
    async loadRefused() {
      const value = (await db.get('meta', 'refused')) as MetaValue | undefined;
      return Array.isArray(value) ? (value as Refusal[]) : [];
    },
    async saveRefused(list) {
      await db.put('meta', list, 'refused');
    },
    close() {
      db.close();
    },
  };
}

/** Deletes every person's offline database (sign-out). */
export async function deleteAllStores(): Promise<void> {
  const all = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
  await Promise.all(
    all.filter((d) => d.name?.startsWith(DB_PREFIX)).map((d) => deleteDB(d.name as string).catch(() => undefined)),
  );
}
