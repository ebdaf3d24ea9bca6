// Turning client errors and web vitals into events, batching them for sendBeacon, and
// when to flush (app/src/lib/telemetry/events.ts, batch.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ErrorGate,
  FlushPolicy,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  encodeBatch,
  toBatches,
} from '../../app/src/lib/telemetry/batch.ts';
import {
  describeError,
  fitErrors,
  isIgnorableError,
  vitalEvent,
  type ClientErrorEvent,
  type RecentError,
  type TelemetryEvent,
} from '../../app/src/lib/telemetry/events.ts';

function errorEvent(i: number, stackSize = 10): ClientErrorEvent {
  return {
    type: 'error',
    message: `boom ${i}`,
    stack: 's'.repeat(stackSize),
    route: '/app',
    user_agent: 'test',
    app_version: '1',
  };
}

test('a web-vitals metric becomes a vital event; unknown names and bad values are dropped', () => {
  assert.deepEqual(
    vitalEvent({ name: 'CLS', value: 0.012345, rating: 'good', navigationType: 'navigate' }, '/app', 'v1'),
    {
      type: 'vital',
      name: 'CLS',
      value: 0.012,
      rating: 'good',
      route: '/app',
      navigation_type: 'navigate',
      app_version: 'v1',
    },
  );
  const lcp = vitalEvent({ name: 'LCP', value: 812.46, rating: 'good', navigationType: 'reload' }, '/', 'v1');
  assert.equal(lcp?.value, 812.46);
  assert.equal(vitalEvent({ name: 'FID', value: 3, rating: 'good', navigationType: 'navigate' }, '/', 'v1'), null);
  assert.equal(vitalEvent({ name: 'LCP', value: -1, rating: 'good', navigationType: 'navigate' }, '/', 'v1'), null);
  assert.equal(vitalEvent({ name: 'LCP', value: NaN, rating: 'good', navigationType: 'navigate' }, '/', 'v1'), null);
  assert.equal(vitalEvent({ name: 'LCP', value: 1, rating: 'great', navigationType: 'navigate' }, '/', 'v1'), null);
});

test('any thrown value becomes a scrubbed message and stack', () => {
  const error = new TypeError('cannot fetch https://x.example/a?token=1');
  const described = describeError(error);
  assert.equal(described.message, 'TypeError: cannot fetch https://x.example/a');
  assert.match(described.stack, /TypeError/);
  assert.deepEqual(describeError(new Error('plain')).message, 'plain');
  assert.deepEqual(describeError('just a string'), { message: 'just a string', stack: '' });
  assert.deepEqual(describeError({ message: 'object with message' }).message, 'object with message');
  assert.deepEqual(describeError({ code: 42 }).message, '{"code":42}');
  assert.deepEqual(describeError(undefined).message, 'Unknown error');
  assert.deepEqual(describeError(new Error('')).message, 'Unknown error');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeError(cyclic).message, '[object Object]');
  assert.equal(describeError(new Error('x'.repeat(10_000))).message.length, 1000);
});

test('browser noise and extension errors are ignored', () => {
  assert.equal(isIgnorableError('Script error.'), true);
  assert.equal(isIgnorableError('ResizeObserver loop completed with undelivered notifications.'), true);
  assert.equal(isIgnorableError('boom', 'chrome-extension://abc/content.js'), true);
  assert.equal(isIgnorableError('boom', 'http://localhost/_app/x.js'), false);
  assert.equal(isIgnorableError('boom'), false);
});

test('batches hold at most 50 events, in order', () => {
  const events: TelemetryEvent[] = Array.from({ length: 120 }, (_, i) => errorEvent(i));
  const bodies = toBatches(events);
  assert.equal(bodies.length, 3);
  const parsed = bodies.map((body) => (JSON.parse(body) as { events: ClientErrorEvent[] }).events);
  assert.deepEqual(
    parsed.map((batch) => batch.length),
    [MAX_BATCH_EVENTS, MAX_BATCH_EVENTS, 20],
  );
  assert.deepEqual(
    parsed.flat().map((e) => e.message),
    events.map((e) => (e as ClientErrorEvent).message),
  );
  assert.deepEqual(toBatches([]), []);
  assert.equal(encodeBatch([]), '{"events":[]}');
});

test('batches stay under the beacon byte limit', () => {
  const events = Array.from({ length: 40 }, (_, i) => errorEvent(i, 4000));
  const bodies = toBatches(events);
  assert.ok(bodies.length > 1);
  for (const body of bodies) assert.ok(new TextEncoder().encode(body).length <= MAX_BATCH_BYTES);
  assert.equal(
    bodies.map((b) => (JSON.parse(b) as { events: unknown[] }).events.length).reduce((a, b) => a + b),
    40,
  );
  // An event that cannot fit any batch is dropped, not sent alone over the limit.
  assert.deepEqual(toBatches([errorEvent(1, 200)], 50, 100), []);
});

test('lifecycle flushes always go; scheduled ones at most once per interval', () => {
  const policy = new FlushPolicy(10_000);
  assert.equal(policy.shouldFlush('scheduled', 0, 0), false, 'nothing queued');
  assert.equal(policy.shouldFlush('lifecycle', 0, 0), false, 'nothing queued');
  assert.equal(policy.shouldFlush('scheduled', 1_000, 1), true, 'first flush');
  assert.equal(policy.delayUntilAllowed(1_000), 0);
  policy.markFlushed(1_000);
  assert.equal(policy.shouldFlush('scheduled', 5_000, 3), false);
  assert.equal(policy.delayUntilAllowed(5_000), 6_000);
  assert.equal(policy.shouldFlush('lifecycle', 5_000, 3), true, 'the page is going away');
  assert.equal(policy.shouldFlush('scheduled', 11_000, 3), true);
});

test('a repeating error is sent a few times, and errors per page are capped', () => {
  const gate = new ErrorGate(3, 5);
  const results = Array.from({ length: 6 }, () => gate.admit('loop', 'at render'));
  assert.deepEqual(results, [true, true, true, false, false, false]);
  assert.equal(gate.admit('other', ''), true);
  assert.equal(gate.admit('third', ''), true);
  assert.equal(gate.admit('fourth', ''), false, 'five sent in all');
});

test('a bug report keeps the newest recent errors that fit its size limit', () => {
  const errors: RecentError[] = Array.from({ length: 20 }, (_, i) => ({
    message: `e${i}`,
    stack: 'x'.repeat(4000),
    route: '/app',
    at: '2026-11-23T00:00:00.000Z',
  }));
  const fitted = fitErrors(errors, 20_000);
  assert.ok(fitted.length > 0 && fitted.length < 20);
  assert.equal(fitted.at(-1)?.message, 'e19', 'newest kept');
  assert.ok(new TextEncoder().encode(JSON.stringify(fitted)).length <= 20_000);
  assert.equal(fitErrors(errors).length, 14);
  assert.deepEqual(fitErrors([]), []);
  assert.equal(fitErrors(errors, 1_000_000, 5).length, 5);
});
