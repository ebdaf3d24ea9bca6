// The password policy beyond length (lib/auth/password-policy.ts): common passwords from the
// shipped list, with trailing digits and symbols stripped, and passwords built from the email.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import {
  emailDerivations,
  isCommonPassword,
  isDerivedFromEmail,
  passwordProblem,
  PASSWORD_FROM_EMAIL,
  PASSWORD_TOO_COMMON,
} from '../../lib/auth/password-policy.ts';

test('the shipped list is lowercase, one a line, and keeps every entry of 10+ characters', () => {
  const lines = readFileSync(resolve(import.meta.dirname, '../../lib/auth/common-passwords.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  assert.ok(lines.length > 10_000, `${lines.length} entries`);
  assert.ok(lines.every((l) => l === l.toLowerCase() && !/\s/.test(l)));
  assert.equal(new Set(lines).size, lines.length);
  assert.ok(lines.some((l) => l.length >= 10));
});

test('common passwords are refused, whatever the case and the digits or symbols after them', () => {
  for (const p of [
    'qwertyuiop',
    'QwertyUiop',
    '1234567890',
    'password1234',
    'Password2024!',
    'iloveyou!!!!!',
    'dragon_99999',
  ]) {
    assert.equal(isCommonPassword(p), true, p);
    assert.equal(passwordProblem(p)?.code, PASSWORD_TOO_COMMON, p);
  }
});

test('uncommon passphrases pass', () => {
  for (const p of ['correct horse battery staple', 'plum-orbit-sailing-42', 'Tk9#vB2qLm7$']) {
    assert.equal(passwordProblem(p, 'someone@example.com'), null, p);
  }
});

test('the email forms: local part, its pieces of 4+ characters, the whole, each reversed', () => {
  const forms = emailDerivations('Jane.Doe-Smith@Example.com');
  for (const f of ['jane.doe-smith@example.com', 'jane.doe-smith', 'janedoesmith', 'jane', 'smith', 'htims', 'enaj']) {
    assert.ok(forms.has(f), f);
  }
  assert.ok(!forms.has('doe'), 'pieces shorter than 4 are not forms');
});

test('passwords derived from the email are refused, with digits or symbols appended', () => {
  const email = 'margaret.hamilton@example.com';
  for (const p of [
    'margaret.hamilton',
    'MargaretHamilton',
    'hamilton1969!!',
    'notlimah1234',
    'margaret.hamilton@example.com',
    'Margaret2024',
  ]) {
    assert.equal(isDerivedFromEmail(p, email), true, p);
    assert.equal(passwordProblem(p, email)?.code, PASSWORD_FROM_EMAIL, p);
  }
  assert.equal(isDerivedFromEmail('margaret flies to the moon', email), false);
  assert.equal(isDerivedFromEmail('hamilton1969', null), false, 'no email, no check');
});

test('a local part that ends in digits is refused with more digits after it, and inside a longer password', () => {
  const email = 'sam1984@example.com';
  for (const p of ['sam198499', 'Sam1984!!2025', 'my-sam1984-password']) {
    assert.equal(passwordProblem(p, email)?.code, PASSWORD_FROM_EMAIL, p);
  }
  // The address the test suite's uniqueEmail() makes: random tail that may end in a digit.
  const generated = 'policy-mwgw05fb-1-c1yvb4@example.test';
  assert.equal(passwordProblem('policy-mwgw05fb-1-c1yvb499', generated)?.code, PASSWORD_FROM_EMAIL);
  assert.equal(passwordProblem('sunlit orchard ladder 84', email), null, 'an unrelated passphrase passes');
});
