// What the browser sends to POST /api/v1/telemetry (docs/api.md; snake_case fields, as the
// API takes them) and keeps for bug reports, and how a thrown value becomes a readable, scrubbed message. Pure.
import { LIMITS, clean } from './scrub.ts';

export type VitalName = 'LCP' | 'CLS' | 'INP' | 'TTFB' | 'FCP';
export type VitalRating = 'good' | 'needs-improvement' | 'poor';

export type VitalEvent = {
  type: 'vital';
  name: VitalName;
  value: number;
  rating: VitalRating;
  route: string;
  navigation_type: string;
  app_version: string;
};

export type ClientErrorEvent = {
  type: 'error';
  message: string;
  stack: string;
  route: string;
  user_agent: string;
  app_version: string;
};

export type TelemetryEvent = VitalEvent | ClientErrorEvent;

/** One entry of the recent-errors ring buffer, as a bug report carries it. */
export type RecentError = {
  message: string;
  stack: string;
  route: string;
  /** ISO 8601 time the error happened. */
  at: string;
};

const VITAL_NAMES: ReadonlySet<string> = new Set(['LCP', 'CLS', 'INP', 'TTFB', 'FCP']);
const RATINGS: ReadonlySet<string> = new Set(['good', 'needs-improvement', 'poor']);

/** The part of a web-vitals Metric used here (kept structural so tests need no browser). */
export type MetricLike = { name: string; value: number; rating: string; navigationType: string };

/** A web-vitals metric as a telemetry event, or null for a name or value the backend refuses. */
export function vitalEvent(metric: MetricLike, route: string, appVersion: string): VitalEvent | null {
  if (!VITAL_NAMES.has(metric.name) || !RATINGS.has(metric.rating)) return null;
  if (!Number.isFinite(metric.value) || metric.value < 0 || metric.value > 3_600_000) return null;
  return {
    type: 'vital',
    name: metric.name as VitalName,
    // CLS is a small unitless score, the others milliseconds: three decimals keep both.
    value: Math.round(metric.value * 1000) / 1000,
    rating: metric.rating as VitalRating,
    route: clean(route, LIMITS.route) || '/',
    navigation_type: clean(metric.navigationType, 40) || 'navigate',
    app_version: clean(appVersion, 100),
  };
}

function stringify(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json && json !== '{}') return json;
  } catch {
    // A cycle or a BigInt: fall through to String().
  }
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** A thrown value (Error, string, anything) as a scrubbed, capped message and stack. */
export function describeError(error: unknown, fallbackMessage = 'Unknown error'): { message: string; stack: string } {
  let message = '';
  let stack = '';
  if (error instanceof Error) {
    message = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    stack = typeof error.stack === 'string' ? error.stack : '';
  } else if (typeof error === 'string') {
    message = error;
  } else if (error !== undefined && error !== null) {
    const candidate = error as { message?: unknown; stack?: unknown };
    message = typeof candidate.message === 'string' ? candidate.message : stringify(error);
    if (typeof candidate.stack === 'string') stack = candidate.stack;
  }
  return {
    message: clean(message.trim(), LIMITS.message) || fallbackMessage,
    stack: clean(stack, LIMITS.stack),
  };
}

/** Errors not worth recording: browser noise and scripts we do not own. */
export function isIgnorableError(message: string, filename?: string): boolean {
  if (filename && !/^https?:/i.test(filename)) return true; // chrome-extension://, moz-extension://
  if (message === 'Script error.' || message === 'Script error') return true; // cross-origin, no detail
  if (message.includes('ResizeObserver loop')) return true; // benign, per the spec
  return false;
}

/**
 * Recent errors as a bug report carries them: newest last, at most `maxCount`, and the
 * newest ones that fit in `maxBytes` of JSON (the backend caps client_errors at 64 KiB).
 */
export function fitErrors(errors: readonly RecentError[], maxBytes = 60_000, maxCount = 50): RecentError[] {
  const encoder = new TextEncoder();
  const kept: RecentError[] = [];
  let bytes = 2; // the array's brackets
  for (let i = errors.length - 1; i >= 0 && kept.length < maxCount; i--) {
    const item = errors[i];
    if (!item) continue;
    const size = encoder.encode(JSON.stringify(item)).length + 1; // and a comma
    if (bytes + size > maxBytes) break;
    bytes += size;
    kept.unshift(item);
  }
  return kept;
}
