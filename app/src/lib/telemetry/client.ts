// Telemetry in the browser, loaded lazily by hooks.client.ts once the page is idle after
// hydration: web vitals (web-vitals 6) and uncaught errors go into a queue that leaves
// with navigator.sendBeacon (fetch keepalive if the beacon is refused) when the page is
// hidden or unloaded, and a few seconds after an error. Never throws, never blocks.
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import { dev, version } from '$app/env';
import { page } from '$app/state';
import { ErrorGate, FlushPolicy, MAX_BATCH_EVENTS, toBatches, type FlushReason } from './batch.ts';
import { connectErrorSink, type CapturedError } from './early.ts';
import { describeError, isIgnorableError, vitalEvent, type TelemetryEvent } from './events.ts';
import { recentErrors } from './recent-errors.ts';
import { telemetryRoute } from './route-id.ts';
import { LIMITS, clean } from './scrub.ts';

export const TELEMETRY_URL = '/api/v1/telemetry';
/** At most one flush per this interval, except when the page is hidden or unloaded. */
const MIN_FLUSH_INTERVAL_MS = 10_000;
/** Wait this long after an error before sending, so a burst goes in one request. */
const ERROR_FLUSH_DELAY_MS = 2_000;
/** Events kept while waiting to flush; beyond it new events are dropped. */
const MAX_QUEUE = 200;

const queue: TelemetryEvent[] = [];
const policy = new FlushPolicy(MIN_FLUSH_INTERVAL_MS);
const gate = new ErrorGate();
let timer: ReturnType<typeof setTimeout> | null = null;
let started = false;

function send(body: string): void {
  try {
    if (navigator.sendBeacon?.(TELEMETRY_URL, body)) return;
  } catch {
    // Fall back to fetch.
  }
  try {
    void fetch(TELEMETRY_URL, {
      method: 'POST',
      body,
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    }).catch(() => undefined);
  } catch {
    // Nothing else to try: telemetry is best effort.
  }
}

function flush(reason: FlushReason): void {
  const now = Date.now();
  if (!policy.shouldFlush(reason, now, queue.length)) return;
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  policy.markFlushed(now);
  const events = queue.splice(0);
  // The dev server has no /api: keep collecting (the bug report uses the errors), send nothing.
  if (dev) return;
  for (const body of toBatches(events)) send(body);
}

function schedule(delay: number): void {
  if (timer !== null) return;
  timer = setTimeout(
    () => {
      timer = null;
      flush('scheduled');
    },
    Math.max(delay, policy.delayUntilAllowed(Date.now())),
  );
}

function enqueue(event: TelemetryEvent): void {
  if (queue.length >= MAX_QUEUE) return;
  queue.push(event);
  if (queue.length >= MAX_BATCH_EVENTS) schedule(0);
}

function onCaptured(captured: CapturedError): void {
  try {
    const { message, stack } = describeError(captured.error);
    if (isIgnorableError(message, captured.filename)) return;
    const route = telemetryRoute(captured.routeId, captured.pathname);
    recentErrors().add({ message, stack, route, at: new Date(captured.at).toISOString() });
    if (!gate.admit(message, stack)) return;
    enqueue({
      type: 'error',
      message,
      stack,
      route,
      user_agent: clean(navigator.userAgent, LIMITS.userAgent),
      app_version: clean(version, 100),
    });
    schedule(ERROR_FLUSH_DELAY_MS);
  } catch {
    // Never let telemetry throw.
  }
}

/**
 * Start collecting. `landing` is where the page was loaded (the vitals describe that
 * load, even if the person has navigated since).
 */
export function startTelemetry(landing: { pathname: string }): void {
  if (started) return;
  started = true;
  try {
    const landingRoute =
      location.pathname === landing.pathname
        ? telemetryRoute(page.route.id, landing.pathname)
        : telemetryRoute(null, landing.pathname);
    const onMetric = (metric: Metric) => {
      try {
        const event = vitalEvent(metric, landingRoute, version);
        if (event) enqueue(event);
      } catch {
        // Ignore a metric that cannot be described.
      }
    };
    onTTFB(onMetric);
    onFCP(onMetric);
    onLCP(onMetric);
    onCLS(onMetric);
    onINP(onMetric);
    connectErrorSink(onCaptured);
    // After web-vitals' own listeners (on window, capture phase): they report LCP, CLS
    // and INP on this same event, and those reports must be in the queue when it flushes.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush('lifecycle');
    });
    addEventListener('pagehide', () => flush('lifecycle'));
    // Lets the browser tests wait until telemetry listens before hiding the page.
    document.documentElement.dataset.telemetry = 'ready';
  } catch {
    // Telemetry is optional; the app goes on without it.
  }
}
