// The ring buffer of recent client errors and its sessionStorage mirror
// (app/src/lib/telemetry/ring-buffer.ts, recent-errors.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureError, connectErrorSink, type CapturedError } from '../../app/src/lib/telemetry/early.ts';
import type { RecentError } from '../../app/src/lib/telemetry/events.ts';
import { RingBuffer } from '../../app/src/lib/telemetry/ring-buffer.ts';
import { RecentErrors, STORAGE_KEY, parseStoredErrors } from '../../app/src/lib/telemetry/recent-errors.ts';

class MemoryStorage {
  data = new Map<string, string>();
  failWrites = false;
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.data.set(key, value);
  }
}

const entry = (i: number): RecentError => ({
  message: `error ${i}`,
  stack: '',
  route: '/app',
  at: `2026-11-23T00:00:${String(i % 60).padStart(2, '0')}Z`,
});

test('the ring buffer keeps the newest items, oldest first', () => {
  const ring = new RingBuffer<number>(3);
  assert.deepEqual(ring.toArray(), []);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.equal(ring.size, 3);
  const copy = ring.toArray();
  copy.push(99);
  assert.deepEqual(ring.toArray(), [3, 4, 5], 'a copy');
  assert.deepEqual(new RingBuffer(2, [1, 2, 3, 4]).toArray(), [3, 4]);
  ring.clear();
  assert.equal(ring.size, 0);
  assert.throws(() => new RingBuffer(0), RangeError);
});

test('recent errors keep the last 20 and survive a reload through storage', () => {
  const storage = new MemoryStorage();
  const first = new RecentErrors(storage);
  for (let i = 0; i < 25; i++) first.add(entry(i));
  assert.equal(first.list().length, 20);
  assert.equal(first.list()[0]?.message, 'error 5');
  // A new page in the same tab reads them back.
  const afterReload = new RecentErrors(storage);
  assert.deepEqual(afterReload.list(), first.list());
  afterReload.add(entry(99));
  assert.equal(afterReload.list().at(-1)?.message, 'error 99');
  assert.equal(afterReload.list().length, 20);
});

test('broken or unavailable storage never throws; memory still works', () => {
  const storage = new MemoryStorage();
  storage.failWrites = true;
  const errors = new RecentErrors(storage);
  errors.add(entry(1));
  assert.equal(errors.list().length, 1);
  const none = new RecentErrors(null);
  none.add(entry(2));
  assert.equal(none.list().length, 1);
  const throwing = {
    getItem(): string | null {
      throw new Error('SecurityError');
    },
    setItem(): void {
      throw new Error('SecurityError');
    },
  };
  const blocked = new RecentErrors(throwing);
  blocked.add(entry(3));
  assert.equal(blocked.list().length, 1);
});

test('stored entries are validated: junk is dropped, long strings capped', () => {
  assert.deepEqual(parseStoredErrors(null), []);
  assert.deepEqual(parseStoredErrors('not json'), []);
  assert.deepEqual(parseStoredErrors('{"a":1}'), []);
  const raw = JSON.stringify([
    entry(1),
    { message: 1 },
    null,
    { ...entry(2), message: '' },
    { ...entry(3), stack: 'y'.repeat(9000) },
  ]);
  const parsed = parseStoredErrors(raw);
  assert.deepEqual(
    parsed.map((e) => e.message),
    ['error 1', 'error 3'],
  );
  assert.equal(parsed[1]?.stack.length, 4000);
  const storage = new MemoryStorage();
  storage.data.set(STORAGE_KEY, raw);
  assert.equal(new RecentErrors(storage).list().length, 2);
});

test('errors caught before the telemetry module loads are held (at most 20), then handed over in order', () => {
  const globals = globalThis as { location?: { pathname: string } };
  globals.location = { pathname: '/app/tasks/1' };
  try {
    for (let i = 0; i < 25; i++) captureError(new Error(`early ${i}`), 'window', null);
    const received: CapturedError[] = [];
    connectErrorSink((captured) => received.push(captured));
    assert.equal(received.length, 20);
    assert.equal((received[0]?.error as Error).message, 'early 0');
    assert.equal(received[0]?.pathname, '/app/tasks/1');
    assert.equal(received[0]?.source, 'window');
    // Once connected, errors go straight through.
    captureError('later', 'boundary', '/(app)/app');
    assert.equal(received.length, 21);
    assert.deepEqual(
      { error: received[20]?.error, source: received[20]?.source, routeId: received[20]?.routeId },
      { error: 'later', source: 'boundary', routeId: '/(app)/app' },
    );
    // A sink that throws does not escape.
    connectErrorSink(() => {
      throw new Error('sink failed');
    });
    assert.doesNotThrow(() => captureError('x', 'window', null));
  } finally {
    delete globals.location;
  }
});
