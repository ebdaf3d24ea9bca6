// Browser-side hooks. Uncaught errors are captured from the start (a tiny listener), and
// the rest of telemetry (web vitals, batching, sendBeacon) is loaded once the page is
// idle after hydration, so it costs the first render almost nothing.
import type { ClientInit, HandleClientError } from '@sveltejs/kit/hooks';
import { page } from '$app/state';
import { captureError, installErrorCapture } from '#lib/telemetry/early.ts';

function whenIdle(run: () => void): void {
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 5_000 });
  else setTimeout(run, 1_000);
}

export const init: ClientInit = () => {
  // Whatever happens here, the app must start.
  try {
    installErrorCapture(() => page.route.id);
    const landing = { pathname: location.pathname };
    const start = () =>
      whenIdle(() => {
        import('#lib/telemetry/client.ts').then(
          (telemetry) => telemetry.startTelemetry(landing),
          () => undefined, // offline or a new deployment: no telemetry this time
        );
      });
    if (document.readyState === 'complete') start();
    else addEventListener('load', start, { once: true });
  } catch {
    // No telemetry this time.
  }
};

// Errors SvelteKit caught while loading or navigating (not the expected ones: a 404 or an
// error() thrown on purpose is not a bug). The message shown stays generic: the real one
// may be technical or leak details.
export const handleError: HandleClientError = ({ error, event, kind }) => {
  if (kind !== 'unknown') return;
  captureError(error, 'navigation', event.route.id);
  return { message: 'Something went wrong in the app. Please try again.' };
};
