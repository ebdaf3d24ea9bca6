// The notes renderer is the app's one door from user Markdown to HTML: every XSS vector
// below must come out as inert text, and ordinary Markdown must still render.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown, renderMarkdownInline } from '../../app/src/lib/markdown/render.ts';

/** No element that can run script or load a resource, and no event-handler attribute. */
function assertInert(html: string): void {
  assert.doesNotMatch(html, /<(script|img|iframe|object|embed|svg|style|link|meta|form|input)\b/i, html);
  // An event-handler attribute outside any quoted value.
  assert.doesNotMatch(html, /<[a-z]+(?:\s+[a-z-]+(?:="[^"]*")?)*\s+on[a-z]+\s*=/i, html);
  assert.doesNotMatch(html, /href="\s*(javascript|data|vbscript|file):/i, html);
}

test('bold, emphasis, nested emphasis, lists and code render', () => {
  assert.equal(renderMarkdown('**bold**'), '<p><strong>bold</strong></p>\n');
  assert.equal(renderMarkdown('*a **b** c*'), '<p><em>a <strong>b</strong> c</em></p>\n');
  assert.equal(renderMarkdown('***both***'), '<p><em><strong>both</strong></em></p>\n');
  assert.match(renderMarkdown('- one\n- two'), /<ul>\n<li>one<\/li>\n<li>two<\/li>\n<\/ul>/);
  assert.equal(renderMarkdown('`x < y`'), '<p><code>x &lt; y</code></p>\n');
});

test('raw HTML is escaped, never passed through', () => {
  const html = renderMarkdown('<img src=x onerror=alert(1)>');
  assert.equal(html, '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
  assertInert(html);
  for (const source of [
    '<script>alert(1)</script>',
    '<svg onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '**<img src=x onerror=alert(1)>**',
    '```\n<script>alert(1)</script>\n```',
  ]) {
    const out = renderMarkdown(source);
    assertInert(out);
    assert.doesNotMatch(out, /<(script|div|a|svg|iframe)\b/i, out);
  }
});

test('javascript:, data: and vbscript: links stay text', () => {
  for (const source of [
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](  javascript:alert(1))',
    '[click](java\tscript:alert(1))',
    '[click](&#106;avascript:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox(1))',
    '<javascript:alert(1)>',
    '[ref]\n\n[ref]: javascript:alert(1)',
  ]) {
    const out = renderMarkdown(source);
    assertInert(out);
    assert.doesNotMatch(out, /<a\b/, `${source} → ${out}`);
  }
});

test('images are never rendered, including data: and onerror attempts', () => {
  for (const source of [
    '![x](https://example.com/x.png)',
    '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '![x" onerror="alert(1)](x)',
    '![x](x" onerror="alert(1))',
  ]) {
    const out = renderMarkdown(source);
    assertInert(out);
  }
});

test('http(s) and mailto links render with a safe rel and a new tab', () => {
  assert.equal(
    renderMarkdown('[docs](https://example.com/a?b=1&c=2)'),
    '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">docs</a></p>\n',
  );
  assert.match(
    renderMarkdown('[mail](mailto:a@example.com)'),
    /<a href="mailto:a@example.com" rel="noopener noreferrer nofollow"/,
  );
  // Bare URLs are linked too, with the same attributes.
  assert.match(
    renderMarkdown('see https://example.com'),
    /<a href="https:\/\/example.com" rel="noopener noreferrer nofollow" target="_blank">/,
  );
  // A relative or protocol-less target is not a link.
  assert.doesNotMatch(renderMarkdown('[x](/app/settings)'), /<a\b/);
});

test('attribute breakouts in link titles and text are escaped', () => {
  const out = renderMarkdown('[x](https://example.com "a\\" onmouseover=\\"alert(1)")');
  // The quote is escaped, so the would-be handler stays inside the title's value.
  assert.equal(
    out,
    '<p><a href="https://example.com" title="a&quot; onmouseover=&quot;alert(1)" rel="noopener noreferrer nofollow" target="_blank">x</a></p>\n',
  );
});

test('inline rendering has no paragraph and escapes HTML too', () => {
  assert.equal(renderMarkdownInline('**a** <b>'), '<strong>a</strong> &lt;b&gt;');
});
