import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, withCredentials } from '../../lib/config.ts';

const valid = {
  POSTGRES_PASSWORD: 'a-long-password-1',
  AUTHENTICATOR_PASSWORD: 'another-long-password',
  BETTER_AUTH_SECRET: 'x'.repeat(32),
};

test('a complete environment parses, with the local cluster URL derived', () => {
  const c = parseConfig({ ...valid, PGPORT: '5555' });
  assert.equal(c.databaseUrl, 'postgres://postgres:a-long-password-1@127.0.0.1:5555/taskmaster');
  assert.match(c.authenticatorUrl, /^postgres:\/\/authenticator:another-long-password@127\.0\.0\.1:5555\/taskmaster$/);
  assert.equal(c.PORT, 54321);
  assert.equal(c.isProduction, false);
});

test('a missing or invalid variable is named in the error', () => {
  assert.throws(
    () => parseConfig({ ...valid, BETTER_AUTH_SECRET: 'short' }),
    /BETTER_AUTH_SECRET: must be at least 32/,
  );
  assert.throws(() => parseConfig({ ...valid, AUTHENTICATOR_PASSWORD: undefined }), /AUTHENTICATOR_PASSWORD/);
  assert.throws(() => parseConfig({ ...valid, PORT: 'eighty' }), /PORT/);
  assert.throws(() => parseConfig({ ...valid, NODE_ENV: 'staging' }), /NODE_ENV/);
  assert.throws(() => parseConfig({ ...valid, DATABASE_URL: 'mysql://x' }), /DATABASE_URL: must be a postgres/);
  assert.throws(() => parseConfig({ ...valid, POSTGRES_PASSWORD: undefined }), /DATABASE_URL: set DATABASE_URL, or/);
});

test('bring-your-own database: DATABASE_URL wins and the authenticator reuses its host', () => {
  const c = parseConfig({ ...valid, DATABASE_URL: 'postgres://owner:pw@db.example.com:6543/prod?sslmode=require' });
  assert.equal(c.databaseUrl, 'postgres://owner:pw@db.example.com:6543/prod?sslmode=require');
  assert.equal(
    c.authenticatorUrl,
    'postgres://authenticator:another-long-password@db.example.com:6543/prod?sslmode=require',
  );
});

test('credentials with URL-special characters are encoded', () => {
  assert.equal(withCredentials('postgres://a:b@h:1/d', 'u', 'p@ss/w:rd'), 'postgres://u:p%40ss%2Fw%3Ard@h:1/d');
});
