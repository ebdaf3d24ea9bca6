// Moving focus to the first field with an error after a failed submission, so keyboard
// and screen reader users land where the problem is. Without JavaScript the server
// renders `autofocus` on that field instead (see TextField's `focus` prop).
import { tick } from 'svelte';
import type { Attachment } from 'svelte/attachments';

/** The first field, in form order, that has an error message. */
export function firstInvalid<Field extends string>(
  errors: Partial<Record<string, string[]>> | undefined,
  order: readonly Field[],
): Field | undefined {
  if (!errors) return undefined;
  return order.find((field) => (errors[field]?.length ?? 0) > 0);
}

/** Re-runs whenever the action result changes; waits for the DOM to show the new errors. */
export function focusFirstInvalid(result: unknown): Attachment<HTMLFormElement> {
  return (form) => {
    if (!result) return;
    void tick().then(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };
}

/**
 * Focus the element once it is shown: the heading of an outcome that replaces a form (sent,
 * expired, …), so a screen reader reads it after an enhanced submission. Give the element
 * tabindex="-1"; without JavaScript, `autofocus` on it does the same.
 */
export const focusOnMount: Attachment<HTMLElement> = (node) => node.focus();

/** After a failed submission, empty password fields, as a page rendered by the server would. */
export function clearPasswords(form: HTMLFormElement): void {
  for (const input of form.querySelectorAll<HTMLInputElement>('input[type="password"]')) input.value = '';
}
