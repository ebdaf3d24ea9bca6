// Scrubbing what telemetry and bug reports send, and the route named instead of the URL
// (app/src/lib/telemetry/scrub.ts, route-id.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS, cap, clean, safePath, scrubText } from '../../app/src/lib/telemetry/scrub.ts';
import { normalizeRouteId, routeFromPath, telemetryRoute } from '../../app/src/lib/telemetry/route-id.ts';

test('query strings and fragments are stripped from URLs, the rest of the text is kept', () => {
  assert.equal(
    scrubText('Failed to fetch https://app.example.com/rest/v1/tasks?select=*&access_token=abc#x at line 3'),
    'Failed to fetch https://app.example.com/rest/v1/tasks at line 3',
  );
  assert.equal(scrubText('GET /auth/callback?code=123&state=9 failed'), 'GET /auth/callback failed');
  // Stack frames (no query) are untouched.
  const frame = '    at load (http://localhost:54366/_app/immutable/chunks/B3x8Qk2d.js:1:2345)';
  assert.equal(scrubText(frame), frame);
});

test('tokens, keys, passwords and e-mail addresses are redacted', () => {
  const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz';
  assert.equal(scrubText(`bad token ${jwt}`), 'bad token [redacted-jwt]');
  assert.equal(scrubText('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [redacted]');
  assert.equal(scrubText(`key tm_${'a1B2'.repeat(10)}xyz leaked`), 'key [redacted-key] leaked');
  assert.equal(scrubText('password=hunter2 and token: "s3cr3t"'), 'password=[redacted] and token: "[redacted]"');
  assert.equal(scrubText('user ada@example.com not found'), 'user [email] not found');
  assert.equal(scrubText(`session ${'a1'.repeat(24)} expired`), 'session [redacted] expired');
  // Ordinary words, ids and numbers survive.
  assert.equal(
    scrubText("Cannot read properties of undefined (reading 'title') in task 42"),
    "Cannot read properties of undefined (reading 'title') in task 42",
  );
});

test('strings are capped with a visible cut, and empty input stays empty', () => {
  assert.equal(cap('abcdef', 4), 'abc…');
  assert.equal(cap('abc', 3), 'abc');
  assert.equal(clean('x'.repeat(5000), LIMITS.message).length, LIMITS.message);
  assert.equal(clean(undefined, 10), '');
  assert.equal(clean(null, 10), '');
});

test('a path from ?route= is kept only as a same-site pathname', () => {
  assert.equal(safePath('/app/tasks/123?tab=notes#top'), '/app/tasks/123');
  assert.equal(safePath('  /app  '), '/app');
  for (const bad of ['https://evil.example/app', '//evil.example/x', '/\\evil', 'app', '', null, undefined, '/a\nb']) {
    assert.equal(safePath(bad), '', String(bad));
  }
  assert.equal(safePath(`/${'a'.repeat(900)}`).length, LIMITS.route);
});

test('route ids lose their layout groups', () => {
  assert.equal(normalizeRouteId('/(app)/app/tasks/[id]'), '/app/tasks/[id]');
  assert.equal(normalizeRouteId('/(marketing)'), '/');
  assert.equal(normalizeRouteId('/(auth)/sign-in'), '/sign-in');
  assert.equal(normalizeRouteId('/report-bug'), '/report-bug');
  assert.equal(normalizeRouteId('/'), '/');
});

test('a concrete path is generalised when the router has no route id', () => {
  assert.equal(routeFromPath('/app/tasks/3f1c2a9e-0b7d-4c1e-9a55-7d0e6f1b2c3d'), '/app/tasks/[id]');
  assert.equal(routeFromPath('/app/projects/42/tasks/17?x=1#y'), '/app/projects/[id]/tasks/[id]');
  assert.equal(routeFromPath('/app/tasks/V1StGXR8_Z5jdHi6B-myT'), '/app/tasks/[id]');
  assert.equal(routeFromPath('/app/settings/api-keys'), '/app/settings/api-keys');
  assert.equal(routeFromPath('/'), '/');
  assert.equal(routeFromPath('not-a-path'), '/');
  assert.equal(routeFromPath('/app/%E0%A4%A'), '/app/%E0%A4%A'); // malformed escape, kept
  assert.ok(routeFromPath(`/${'seg/'.repeat(100)}`).length <= 200);
});

test('telemetryRoute prefers the router id and falls back to the path', () => {
  assert.equal(telemetryRoute('/(app)/app/tasks/[id]', '/app/tasks/1'), '/app/tasks/[id]');
  assert.equal(telemetryRoute(null, '/app/tasks/1'), '/app/tasks/[id]');
  assert.equal(telemetryRoute(undefined, '/sign-in'), '/sign-in');
});
