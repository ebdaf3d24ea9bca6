// The last client errors of this tab, for "Report a bug": in memory, and mirrored to
// sessionStorage so a report written after a reload (the usual reaction to a broken page)
// still has them. Entries are already scrubbed; storage failures (quota, privacy modes)
// are ignored: this must never throw.
import type { RecentError } from './events.ts';
import { RingBuffer } from './ring-buffer.ts';
import { LIMITS, cap } from './scrub.ts';

export const RECENT_ERRORS_CAPACITY = 20;
export const STORAGE_KEY = 'taskmaster:recent-errors';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function isRecentError(value: unknown): value is RecentError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.message === 'string' &&
    v.message !== '' &&
    typeof v.stack === 'string' &&
    typeof v.route === 'string' &&
    typeof v.at === 'string'
  );
}

/** What sessionStorage held, keeping only well-formed entries (it may be stale or edited). */
export function parseStoredErrors(raw: string | null): RecentError[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(isRecentError).map((e) => ({
      message: cap(e.message, LIMITS.message),
      stack: cap(e.stack, LIMITS.stack),
      route: cap(e.route, LIMITS.route),
      at: cap(e.at, 40),
    }));
  } catch {
    return [];
  }
}

export class RecentErrors {
  #buffer: RingBuffer<RecentError>;
  #storage: StorageLike | null;

  constructor(storage: StorageLike | null, capacity = RECENT_ERRORS_CAPACITY) {
    this.#storage = storage;
    let stored: RecentError[] = [];
    try {
      stored = parseStoredErrors(storage?.getItem(STORAGE_KEY) ?? null);
    } catch {
      // Storage unavailable: memory only.
    }
    this.#buffer = new RingBuffer(capacity, stored);
  }

  add(error: RecentError): void {
    this.#buffer.push(error);
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(this.#buffer.toArray()));
    } catch {
      // Quota or privacy mode: memory only.
    }
  }

  /** Oldest first. */
  list(): RecentError[] {
    return this.#buffer.toArray();
  }
}

let shared: RecentErrors | null = null;

/** This tab's recent errors (one instance per page, backed by sessionStorage). */
export function recentErrors(): RecentErrors {
  if (!shared) {
    let storage: StorageLike | null = null;
    try {
      storage = typeof sessionStorage === 'undefined' ? null : sessionStorage;
    } catch {
      // Accessing sessionStorage throws when storage is blocked.
    }
    shared = new RecentErrors(storage);
  }
  return shared;
}
