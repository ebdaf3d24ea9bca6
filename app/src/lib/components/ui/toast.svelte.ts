// Toasts and screen-reader announcements. `announce()` speaks a status change through
// the live regions the Toaster renders once in the root layout (a region must already be
// in the page before its text changes, or nothing is read). `toast()` shows a message,
// optionally with an action ("Undo"), and announces it too. Only ever called from event
// handlers in the browser: this module-level state is never written during SSR.

export type Politeness = 'polite' | 'assertive';
export type ToastTone = 'info' | 'success' | 'error';
export type ToastAction = { label: string; run: () => void };
export type ToastItem = {
  id: number;
  message: string;
  tone: ToastTone;
  action: ToastAction | undefined;
  /** Milliseconds before it goes; 0 keeps it until dismissed. */
  timeout: number;
};
export type ToastOptions = { tone?: ToastTone; action?: ToastAction; timeout?: number };

const DEFAULT_TIMEOUT = 5000;
const ACTION_TIMEOUT = 8000;

class Toaster {
  items: ToastItem[] = $state([]);
  polite = $state('');
  assertive = $state('');
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  announce(message: string, politeness: Politeness = 'polite'): void {
    // Empty the region first so the same message twice in a row is read twice.
    this[politeness] = '';
    setTimeout(() => {
      this[politeness] = message;
    }, 50);
  }

  show(message: string, options: ToastOptions = {}): number {
    const tone = options.tone ?? 'info';
    const timeout = options.timeout ?? (tone === 'error' ? 0 : options.action ? ACTION_TIMEOUT : DEFAULT_TIMEOUT);
    const id = this.#next++;
    this.items = [...this.items, { id, message, tone, action: options.action, timeout }];
    this.announce(message, tone === 'error' ? 'assertive' : 'polite');
    this.resume(id);
    return id;
  }

  dismiss(id: number): void {
    this.pause(id);
    this.items = this.items.filter((item) => item.id !== id);
  }

  /** Hovering or focusing a toast stops its clock (WCAG 2.2.1: enough time to act). */
  pause(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  resume(id: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item || item.timeout === 0) return;
    this.pause(id);
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), item.timeout),
    );
  }
}

export const toaster = new Toaster();

/** Reads `message` to screen-reader users without showing anything. */
export function announce(message: string, politeness: Politeness = 'polite'): void {
  toaster.announce(message, politeness);
}

/** Shows a toast (and announces it); returns its id (`toaster.dismiss(id)` takes it away). */
export function toast(message: string, options?: ToastOptions): number {
  return toaster.show(message, options);
}
