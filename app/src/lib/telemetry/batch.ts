// How queued telemetry leaves the browser: in batches the backend accepts (≤ 50 events)
// and a beacon can carry (the browser refuses sendBeacon/keepalive bodies past 64 KiB in
// flight), at most one scheduled flush per interval, and always when the page is hidden
// or unloaded (the last chance: the browser may discard the page after that). Pure.
import type { TelemetryEvent } from './events.ts';

export const MAX_BATCH_EVENTS = 50;
export const MAX_BATCH_BYTES = 60_000;

/** The request body for one batch (docs/api.md, POST /api/v1/telemetry). */
export function encodeBatch(events: readonly TelemetryEvent[]): string {
  return JSON.stringify({ events });
}

/**
 * Split events into request bodies of at most `maxEvents` events and `maxBytes` bytes
 * each, in order. An event too big for a batch on its own is dropped (the scrubber caps
 * every string, so this cannot happen with real events).
 */
export function toBatches(
  events: readonly TelemetryEvent[],
  maxEvents = MAX_BATCH_EVENTS,
  maxBytes = MAX_BATCH_BYTES,
): string[] {
  const encoder = new TextEncoder();
  const bodies: string[] = [];
  let current: TelemetryEvent[] = [];
  const emptySize = encoder.encode(encodeBatch([])).length;
  let size = emptySize;
  for (const event of events) {
    const eventSize = encoder.encode(JSON.stringify(event)).length + 1; // and a comma
    if (emptySize + eventSize > maxBytes) continue;
    if (current.length >= maxEvents || size + eventSize > maxBytes) {
      bodies.push(encodeBatch(current));
      current = [];
      size = emptySize;
    }
    current.push(event);
    size += eventSize;
  }
  if (current.length > 0) bodies.push(encodeBatch(current));
  return bodies;
}

export type FlushReason = 'lifecycle' | 'scheduled';

/**
 * When to flush: a `lifecycle` flush (visibilitychange → hidden, pagehide) always goes if
 * anything is queued; a `scheduled` one (after an error, or a full queue) at most once per
 * `minIntervalMs`.
 */
export class FlushPolicy {
  readonly minIntervalMs: number;
  #lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(minIntervalMs: number) {
    this.minIntervalMs = minIntervalMs;
  }

  shouldFlush(reason: FlushReason, now: number, queued: number): boolean {
    if (queued === 0) return false;
    if (reason === 'lifecycle') return true;
    return now - this.#lastFlushAt >= this.minIntervalMs;
  }

  /** Milliseconds until a scheduled flush is allowed (0: now). */
  delayUntilAllowed(now: number): number {
    return Math.max(0, this.#lastFlushAt + this.minIntervalMs - now);
  }

  markFlushed(now: number): void {
    this.#lastFlushAt = now;
  }
}

/**
 * Limits on error events per page load, so a render loop throwing 60 times a second does
 * not flood the backend: each distinct error at most `perError` times, at most `total` in all.
 */
export class ErrorGate {
  readonly perError: number;
  readonly total: number;
  #seen = new Map<string, number>();
  #sent = 0;

  constructor(perError = 3, total = 50) {
    this.perError = perError;
    this.total = total;
  }

  admit(message: string, stack: string): boolean {
    if (this.#sent >= this.total) return false;
    const key = `${message}\n${stack.slice(0, 500)}`;
    const count = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, count);
    if (count > this.perError) return false;
    this.#sent += 1;
    return true;
  }
}
