// The only part of telemetry in the first page's JavaScript (hooks.client.ts): listeners
// for uncaught errors that hold them until the telemetry module, loaded once the browser
// is idle after hydration (client.ts), takes over. Tiny on purpose; never throws.
// Errors that never reach window (caught by a <svelte:boundary>) are reported with
// `captureError(error, 'boundary')` from the boundary's onerror.

export type CapturedError = {
  error: unknown;
  source: 'window' | 'rejection' | 'navigation' | 'boundary';
  /** SvelteKit's route id when the router knew it, else null. */
  routeId: string | null;
  pathname: string;
  /** Epoch milliseconds. */
  at: number;
  /** The script an uncaught error came from (to ignore browser extensions). */
  filename?: string;
};

type Sink = (captured: CapturedError) => void;

const MAX_PENDING = 20;
const pending: CapturedError[] = [];
let sink: Sink | null = null;
let routeIdNow: () => string | null = () => null;

export function captureError(
  error: unknown,
  source: CapturedError['source'],
  routeId: string | null = routeIdNow(),
  filename?: string,
): void {
  try {
    const captured: CapturedError = { error, source, routeId, pathname: location.pathname, at: Date.now() };
    if (filename !== undefined) captured.filename = filename;
    if (sink) sink(captured);
    else if (pending.length < MAX_PENDING) pending.push(captured);
  } catch {
    // Reporting an error must never cause one.
  }
}

/** Hand errors (those held so far, then every new one) to the telemetry module. */
export function connectErrorSink(next: Sink): void {
  sink = next;
  for (const captured of pending.splice(0)) next(captured);
}

function onError(event: ErrorEvent): void {
  captureError(event.error ?? event.message, 'window', undefined, event.filename || undefined);
}

function onRejection(event: PromiseRejectionEvent): void {
  captureError(event.reason, 'rejection');
}

let installed = false;

/** Listen for uncaught errors and unhandled rejections; `currentRouteId` names the route. */
export function installErrorCapture(currentRouteId: () => string | null): void {
  routeIdNow = () => {
    try {
      return currentRouteId();
    } catch {
      return null;
    }
  };
  if (installed) return;
  installed = true;
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
}
