// Status messages of the task views ("Completed “x”." with Undo; why a change was rolled
// back), shown and announced through the design system's toasts (ui/toast.svelte.ts), so
// screen readers hear them from the one pair of live regions in the root layout.
import { toast } from '#lib/components/ui/toast.svelte.ts';

export type NoticeAction = { label: string; run: () => void };

export const notices = {
  show(message: string, options: { action?: NoticeAction | undefined } = {}): number {
    return toast(message, options.action ? { tone: 'success', action: options.action } : { tone: 'info' });
  },
  error(message: string): number {
    return toast(message, { tone: 'error' });
  },
};
