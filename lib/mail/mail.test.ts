// Unit tests of the email building blocks: escaping by construction and unsubscribe tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html } from './html.ts';
import { renderMail } from './templates.ts';
import { createUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from './unsubscribe.ts';

test('html escapes every interpolated value, keeps nested html, joins arrays and drops empty parts', () => {
  const title = `<img src=x onerror="alert('x')"> & co`;
  // (Through an alias: Prettier reflows templates tagged `html`, which would change the output.)
  const h = html;
  const nested = [h`<b>${'a<b'}</b>`, 'c&d', null, false as const, undefined];
  const out = h`<p title="${title}">${title}</p>${nested}`;
  const escaped = '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; co';
  assert.equal(out.value, `<p title="${escaped}">${escaped}</p><b>a&lt;b</b>c&amp;d`);
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
  // A look-alike object is not trusted markup.
  const fake = { value: '<script>', safe: true } as unknown as string;
  assert.equal(html`${fake}`.value, '[object Object]');
});

test('unsubscribe tokens verify for their person and kind only, under their secret only', () => {
  const secret = 's'.repeat(43);
  const target = { userId: '0b7c9a52-4a1e-4f4e-9d7e-2c7f1f0c2b11', kind: 'digest' };
  const token = createUnsubscribeToken(secret, target);
  assert.match(token, /^0b7c9a52-4a1e-4f4e-9d7e-2c7f1f0c2b11\.digest\.[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(verifyUnsubscribeToken(secret, token), target);
  assert.equal(verifyUnsubscribeToken('t'.repeat(43), token), null, 'another secret');
  assert.equal(verifyUnsubscribeToken(secret, token.replace('.digest.', '.reminder.')), null, 'another kind');
  assert.equal(verifyUnsubscribeToken(secret, token.replace('0b7c', '1b7c')), null, 'another person');
  // Every other spelling of the last character (it carries two unused bits) is refused.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const index = alphabet.indexOf(token.at(-1)!);
  for (const c of [1, 2, 3].map((bits) => alphabet[index ^ bits]!)) {
    assert.equal(verifyUnsubscribeToken(secret, token.slice(0, -1) + c), null, `last character ${c}`);
  }
  for (const bad of [undefined, null, 42, '', 'a.b.c', `${token}x`, token.toUpperCase()]) {
    assert.equal(verifyUnsubscribeToken(secret, bad), null, String(bad));
  }
  const url = new URL(unsubscribeUrl('https://tm.example/ignored', secret, target));
  assert.equal(url.origin + url.pathname, 'https://tm.example/api/v1/unsubscribe');
  assert.equal(url.searchParams.get('token'), token);
});

test('an email links into the app only: a path that URL parsing would take off-site is refused', () => {
  const ctx = { publicUrl: 'https://tm.example', unsubscribeUrl: 'https://tm.example/u', recipientName: '' };
  const mail = renderMail('reminder', { title: 'Due soon', url: '/app/tasks/1' }, ctx);
  assert.match(mail.html, /href="https:\/\/tm\.example\/app\/tasks\/1"/);
  for (const url of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/x']) {
    assert.throws(() => renderMail('reminder', { title: 'Due soon', url }, ctx), /url: must be an in-app path/, url);
  }
});
