// Task notes are Markdown written by people (or by anyone holding an API key), so the
// renderer is the one place that decides what HTML a note can become. Shared by the
// server (SSR) and the browser (the edit preview), so both render the same thing.
//
// - markdown-it with `html: false`: raw HTML in a note is escaped, never passed through.
// - Links: only http(s) and mailto targets; anything else (javascript:, data:, vbscript:,
//   relative paths) stays as plain text. Links open in a new tab without an opener or a
//   referrer and carry nofollow (notes are user content).
// - Images are not rendered at all: the CSP would block remote ones, and a note is not a
//   place to load third-party content from.
import MarkdownIt from 'markdown-it';

const ALLOWED_LINK = /^(?:https?:\/\/|mailto:)/i;

function createRenderer(): InstanceType<typeof MarkdownIt> {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
  md.disable(['image']);
  md.validateLink = (url: string) => ALLOWED_LINK.test(url.trim());

  const defaultLinkOpen =
    md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('rel', 'noopener noreferrer nofollow');
    token.attrSet('target', '_blank');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const renderer = createRenderer();

/** Markdown to HTML that is safe to insert with {@html}: no raw HTML, only safe links. */
export function renderMarkdown(source: string): string {
  return renderer.render(source);
}

/** Markdown to inline HTML (no wrapping <p>), for one-line contexts such as a preview. */
export function renderMarkdownInline(source: string): string {
  return renderer.renderInline(source);
}
