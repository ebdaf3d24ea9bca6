// Status messages of the task views: "Completed “x” · Undo", "Could not save: <reason>".
// Rendered by components/tasks/Notices.svelte in a polite live region (alerts for
// failures), so screen readers hear what changed and why a change was rolled back.

export type Notice = {
  id: number;
  kind: 'status' | 'error';
  message: string;
  action?: { label: string; run: () => void } | undefined;
};

const LIFETIME_MS = 6000;

class Notices {
  list: Notice[] = $state([]);
  #next = 1;

  show(message: string, options: { kind?: Notice['kind']; action?: Notice['action'] } = {}): number {
    const id = this.#next++;
    const notice: Notice = { id, kind: options.kind ?? 'status', message, action: options.action };
    // Keep the last three; newest last.
    this.list = [...this.list.slice(-2), notice];
    if (typeof window !== 'undefined')
      setTimeout(() => this.dismiss(id), options.action ? LIFETIME_MS * 1.5 : LIFETIME_MS);
    return id;
  }

  error(message: string): number {
    return this.show(message, { kind: 'error' });
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();
