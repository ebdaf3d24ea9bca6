// public.find_tasks marks matches between U+E000 and U+E001 (private-use characters no
// person types). Splitting on them gives text runs the page renders as plain text or
// <mark>: the task's own text is never parsed as HTML.
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

export type Segment = { text: string; mark: boolean };

export function highlightSegments(highlighted: string): Segment[] {
  const segments: Segment[] = [];
  let mark = false;
  let text = '';
  const flush = () => {
    if (text) segments.push({ text, mark });
    text = '';
  };
  for (const char of highlighted) {
    if (char === MARK_START || char === MARK_END) {
      flush();
      mark = char === MARK_START;
    } else {
      text += char;
    }
  }
  flush();
  return segments;
}
