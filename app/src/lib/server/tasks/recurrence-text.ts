// A task's RRULE in words ("Every week on Monday") for the detail page. Server-only, so
// the browser never downloads rrule for a sentence the server can write.
import * as rruleModule from 'rrule';

type RRuleLib = { rrulestr: (rule: string) => { toText: () => string } };

// rrule ships CommonJS to Node (named exports undetectable) and ESM to bundlers.
const lib: RRuleLib =
  'rrulestr' in rruleModule
    ? (rruleModule as unknown as RRuleLib)
    : (rruleModule as unknown as { default: RRuleLib }).default;

/** "Every week on Monday"; the rule itself when rrule cannot put it into words. */
export function recurrenceText(rule: string | null): string | null {
  if (!rule) return null;
  try {
    const text = lib.rrulestr(rule.startsWith('RRULE:') ? rule : `RRULE:${rule}`).toText();
    const words = text.replace(/ on the last$/, ' on the last day');
    return words.charAt(0).toUpperCase() + words.slice(1);
  } catch {
    return rule;
  }
}
