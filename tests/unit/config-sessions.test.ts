// Session and signing-key settings (lib/config.ts): defaults, and combinations refused at start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../lib/config.ts';

const valid = {
  POSTGRES_PASSWORD: 'a-long-password-1',
  AUTHENTICATOR_PASSWORD: 'another-long-password',
  BETTER_AUTH_SECRET: 'x'.repeat(32),
};

test('defaults: 30-day idle, 90-day absolute, 12-hour unremembered sessions, 10-minute key lead', () => {
  const c = parseConfig(valid);
  assert.equal(c.SESSION_IDLE_TIMEOUT_SECONDS, 30 * 86_400);
  assert.equal(c.SESSION_ABSOLUTE_LIFETIME_SECONDS, 90 * 86_400);
  assert.equal(c.SESSION_NO_REMEMBER_SECONDS, 12 * 3600);
  assert.equal(c.JWT_KEY_PUBLISH_LEAD_SECONDS, 600);
  assert.equal(c.SESSION_PLACE_HEADER, undefined);
});

test('refuses an absolute lifetime shorter than the idle timeout, a short key lead, a bad header name', () => {
  assert.throws(
    () => parseConfig({ ...valid, SESSION_IDLE_TIMEOUT_SECONDS: '7200', SESSION_ABSOLUTE_LIFETIME_SECONDS: '3600' }),
    /SESSION_ABSOLUTE_LIFETIME_SECONDS: must be at least SESSION_IDLE_TIMEOUT_SECONDS/,
  );
  // The gateway caches the JWKS for 60 s: a shorter lead would sign before verifiers see the key.
  assert.throws(() => parseConfig({ ...valid, JWT_KEY_PUBLISH_LEAD_SECONDS: '60' }), /JWT_KEY_PUBLISH_LEAD_SECONDS/);
  assert.throws(() => parseConfig({ ...valid, SESSION_PLACE_HEADER: 'CF IPCountry' }), /SESSION_PLACE_HEADER/);
  assert.equal(parseConfig({ ...valid, SESSION_PLACE_HEADER: 'x-geo-city' }).SESSION_PLACE_HEADER, 'x-geo-city');
});
