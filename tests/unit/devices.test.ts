// How the sessions page names a device from its user agent (lib/auth/devices.ts), and how
// the place header is cleaned (lib/auth/sessions.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDevice } from '../../lib/auth/devices.ts';
import { initialExpiry, placeFrom, sessionLifetimes } from '../../lib/auth/sessions.ts';

test('desktop, phone and unknown user agents', () => {
  assert.deepEqual(
    describeDevice(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    ),
    { browser: 'Chrome 131', os: 'Windows 10', device: 'Computer' },
  );
  const phone = describeDevice(
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  );
  assert.equal(phone.browser, 'Mobile Safari 17');
  assert.match(phone.os, /^iOS 17/);
  assert.match(phone.device, /^Phone \(Apple iPhone\)$/);
  assert.deepEqual(describeDevice(null), {
    browser: 'Unknown browser',
    os: 'Unknown system',
    device: 'Unknown device',
  });
  assert.equal(describeDevice('curl/8.5.0').device, 'Computer');
});

test('the place header: only the configured one, printable, trimmed, bounded', () => {
  const headers = new Headers({ 'cf-ipcountry': '  NL ', 'x-geo-city': 'Utrecht' });
  assert.equal(placeFrom(headers, 'cf-ipcountry'), 'NL');
  assert.equal(placeFrom(headers, undefined), null);
  assert.equal(placeFrom(new Headers({ 'x-geo-city': 'A\tB' }), 'x-geo-city'), 'AB');
  assert.equal(placeFrom(new Headers({ 'x-geo-city': 'y'.repeat(500) }), 'x-geo-city')?.length, 100);
  assert.equal(placeFrom(new Headers(), 'x-geo-city'), null);
});

test('the sliding refresh happens at least ten times per idle period, at most daily', () => {
  assert.deepEqual(sessionLifetimes({ SESSION_IDLE_TIMEOUT_SECONDS: 30 * 86_400 } as never), {
    expiresIn: 30 * 86_400,
    updateAge: 86_400,
  });
  assert.deepEqual(sessionLifetimes({ SESSION_IDLE_TIMEOUT_SECONDS: 1800 } as never), {
    expiresIn: 1800,
    updateAge: 180,
  });
});

test('a new session expires at the idle timeout, capped by the absolute lifetime and by "don\'t remember me"', () => {
  const H = 3_600_000;
  const config = {
    SESSION_IDLE_TIMEOUT_SECONDS: 30 * 24 * 3600,
    SESSION_ABSOLUTE_LIFETIME_SECONDS: 90 * 24 * 3600,
    SESSION_NO_REMEMBER_SECONDS: 12 * 3600,
  } as never;
  const createdAt = new Date('2026-11-24T00:00:00Z');
  const after = (ms: number) => new Date(createdAt.getTime() + ms);
  const expiry = (proposedMs: number, rememberMe = true) =>
    initialExpiry(config, { createdAt, expiresAt: after(proposedMs), rememberMe }).getTime() - createdAt.getTime();
  assert.equal(expiry(30 * 24 * H), 30 * 24 * H, 'remembered: the idle timeout');
  assert.equal(expiry(30 * 24 * H, false), 12 * H, '"remember me" off in the body');
  assert.equal(expiry(24 * H), 12 * H, "Better Auth's one-day proposal (the two-factor step) is a forgetful session");
  assert.equal(expiry(200 * 24 * H), 90 * 24 * H, 'never past the absolute lifetime');
});
