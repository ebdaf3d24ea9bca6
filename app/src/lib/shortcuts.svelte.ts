// Single-key keyboard shortcuts (Todoist/Linear style: `q` quick add, `/` search, `j`/`k`
// move, `x` complete, `e` edit, `#` delete, `?` help). Components register what they
// handle while mounted; the shell's help dialog lists `shortcuts.active`. Keys typed into
// a text field, with a modifier (Ctrl/Meta/Alt), or while a modal dialog owns focus are
// never taken.
import { onMount } from 'svelte';

export type Shortcut = { key: string; description: string; run: (event: KeyboardEvent) => void };

class Shortcuts {
  /** Registered shortcuts, most recent last; the most recent registration of a key wins. */
  active: Shortcut[] = $state([]);

  register(shortcut: Shortcut): () => void {
    this.active = [...this.active, shortcut];
    return () => {
      this.active = this.active.filter((s) => s !== shortcut);
    };
  }

  /** The window keydown handler (installed once by the app shell). */
  handle = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (isTyping(event.target)) return;
    for (let i = this.active.length - 1; i >= 0; i -= 1) {
      const s = this.active[i]!;
      if (s.key === event.key) {
        event.preventDefault();
        s.run(event);
        return;
      }
    }
  };
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(target.type);
  }
  // An open modal dialog keeps its keys to itself.
  return target.closest('[role="dialog"][aria-modal="true"], dialog[open]') !== null;
}

export const shortcuts = new Shortcuts();

/** Registers `list` while the calling component is mounted. */
export function useShortcuts(list: Shortcut[]): void {
  onMount(() => {
    const undo = list.map((s) => shortcuts.register(s));
    return () => undo.forEach((u) => u());
  });
}
