// Email settings in lib/config.ts: local capture defaults outside production, required in
// production, and an unsubscribe key derived from BETTER_AUTH_SECRET when none is set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEV_SMTP_URL, parseConfig } from '../../lib/config.ts';

const valid = {
  POSTGRES_PASSWORD: 'a-long-password-1',
  AUTHENTICATOR_PASSWORD: 'another-long-password',
  BETTER_AUTH_SECRET: 'x'.repeat(32),
};

test('development and tests mail the local capture server, from the public host', () => {
  const c = parseConfig({ ...valid, PUBLIC_URL: 'http://localhost:54321' });
  assert.equal(c.smtpUrl, DEV_SMTP_URL);
  assert.equal(c.mailFrom, 'TaskMaster <notifications@localhost>');
  assert.equal(c.MAIL_CAPTURE_PORT, 54324);
});

test('production needs SMTP_URL and MAIL_FROM, and SMTP_URL must be smtp(s)://', () => {
  assert.throws(() => parseConfig({ ...valid, NODE_ENV: 'production' }), /SMTP_URL: required in production/);
  assert.throws(
    () => parseConfig({ ...valid, NODE_ENV: 'production', SMTP_URL: 'smtps://mail.example.com' }),
    /MAIL_FROM: required in production/,
  );
  assert.throws(() => parseConfig({ ...valid, SMTP_URL: 'https://mail.example.com' }), /SMTP_URL: must be an smtp/);
  const c = parseConfig({
    ...valid,
    NODE_ENV: 'production',
    SMTP_URL: 'smtps://user:pw@mail.example.com:465',
    MAIL_FROM: 'TaskMaster <no-reply@example.com>',
  });
  assert.equal(c.smtpUrl, 'smtps://user:pw@mail.example.com:465');
  assert.equal(c.mailFrom, 'TaskMaster <no-reply@example.com>');
});

test('the unsubscribe key: UNSUBSCRIBE_SECRET when set, else derived (stable, distinct per auth secret)', () => {
  assert.equal(parseConfig({ ...valid, UNSUBSCRIBE_SECRET: 'u'.repeat(40) }).unsubscribeSecret, 'u'.repeat(40));
  assert.throws(
    () => parseConfig({ ...valid, UNSUBSCRIBE_SECRET: 'short' }),
    /UNSUBSCRIBE_SECRET: must be at least 32/,
  );
  const derived = parseConfig(valid).unsubscribeSecret;
  assert.equal(derived, parseConfig(valid).unsubscribeSecret);
  assert.notEqual(derived, parseConfig({ ...valid, BETTER_AUTH_SECRET: 'y'.repeat(32) }).unsubscribeSecret);
  assert.notEqual(derived, valid.BETTER_AUTH_SECRET);
  assert.ok(derived.length >= 32);
});
