// Generates lib/auth/common-passwords.txt, the common-password list the password policy
// checks (lib/auth/password-policy.ts), from @zxcvbn-ts/language-common's
// 'passwords-common' (ranked by frequency in breach corpora). Run once, commit the output:
//   node scripts/common-passwords.ts
// Kept: the 10,000 most common, plus every entry of 10 or more characters (those are the
// ones that pass the length rule). Lowercased, deduplicated, one a line, in rank order.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dictionary } from '@zxcvbn-ts/language-common';

const TOP = 10_000;
const ranked = (dictionary as Record<string, string[]>)['passwords-common'] ?? [];
const seen = new Set<string>();
const out: string[] = [];
ranked.forEach((entry, rank) => {
  const word = entry.toLowerCase();
  if ((rank < TOP || word.length >= 10) && !seen.has(word) && !/\s/.test(word)) {
    seen.add(word);
    out.push(word);
  }
});
const target = resolve(import.meta.dirname, '..', 'lib', 'auth', 'common-passwords.txt');
writeFileSync(target, `${out.join('\n')}\n`);
process.stdout.write(`${out.length} passwords written to ${target}\n`);
