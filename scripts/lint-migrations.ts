// Migration linter: `node scripts/lint-migrations.ts [file.sql ...]` (default: every
// supabase/migrations/*.sql). Flags statements that would hold long locks or rewrite a big
// live table, or break the code that is running while a migration deploys
// (expand -> migrate -> contract). A statement on a table created earlier in the same file
// is exempt: that table is new and empty. Any other finding can be waived, with a reason,
// by a comment on the line before it (or in the comment block right above its statement):
//   -- lint:allow <rule>[,<rule>...] <reason>
// Prints `file:line rule message` per finding and exits 1 when there is any.
//
// Parsing is deliberately simple: comments, string literals and dollar-quoted bodies
// ($$...$$, $tag$...$tag$) are blanked out (offsets and lines kept), the rest is split on
// semicolons and matched case-insensitively. DDL inside DO blocks or function bodies is
// not seen.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { needsNoTransaction } from '../lib/db/migrate.ts';

export const RULES = {
  'missing-why-comment': 'each migration must open with a `-- Why:` comment saying what it changes and why',
  'adding-not-null-column-without-default':
    'ADD COLUMN ... NOT NULL without DEFAULT fails on a non-empty table and breaks inserts from running code: add it nullable (or with a constant DEFAULT), backfill, then enforce',
  'adding-column-that-rewrites-table':
    'this ADD COLUMN rewrites the whole table under an ACCESS EXCLUSIVE lock: add the column without it, backfill in batches, then set the default',
  'create-index-without-concurrently':
    'CREATE INDEX without CONCURRENTLY blocks writes to the table while it builds: use CREATE INDEX CONCURRENTLY in its own `-- migrate:no-transaction` migration',
  'concurrently-requires-no-transaction':
    'CONCURRENTLY cannot run inside a transaction: the file must carry `-- migrate:no-transaction` in its first lines',
  'no-transaction-single-statement':
    'a `-- migrate:no-transaction` file must hold exactly one statement: the runner sends the file as one query, which Postgres runs as one implicit transaction (CONCURRENTLY then fails), and a failure half-way leaves it half-applied',
  'drop-index-without-concurrently':
    'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: use DROP INDEX CONCURRENTLY in its own `-- migrate:no-transaction` migration',
  'changing-column-type':
    'ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock and breaks running code: add a new column, dual-write, backfill, switch, then drop the old one',
  'adding-foreign-key-without-not-valid':
    'a FOREIGN KEY is validated by scanning the whole table while writes to both tables are blocked: ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  'adding-check-without-not-valid':
    'a CHECK is validated by scanning the whole table under an ACCESS EXCLUSIVE lock: ADD CONSTRAINT ... CHECK ... NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  'adding-index-backed-constraint':
    'ADD PRIMARY KEY / UNIQUE / EXCLUDE builds an index under an ACCESS EXCLUSIVE lock: CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX',
  'setting-not-null':
    'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (Postgres then skips the scan; waive with that reason)',
  'renaming-column-or-table':
    'renaming (or moving) a table or column breaks the code that is running during the deploy: expand/contract instead (add the new name, dual-write or a view, switch, drop the old one)',
  'dropping-column-or-table':
    'dropping a table or column breaks code that still uses it: only in a contract step, once no deployed code reads it; waive naming that step (`-- lint:allow dropping-column-or-table <release/migration that stopped using it>`)',
  'invalid-waiver': 'a waiver must be `-- lint:allow <known-rule>[,<rule>...] <reason>`',
} as const;

export type Rule = keyof typeof RULES;

export type Finding = { file: string; line: number; rule: Rule; message: string };

/** The SQL with comments, string-literal contents and dollar-quoted bodies blanked out. */
export type MaskedSql = {
  /** Same length and line breaks as the input, so offsets and lines carry over. */
  text: string;
  /** Every `--` comment: its 1-based line and its text. */
  comments: { line: number; text: string }[];
};

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[\w$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

export function maskSql(sql: string): MaskedSql {
  let out = '';
  const comments: MaskedSql['comments'] = [];
  let line = 1;
  let i = 0;
  const n = sql.length;
  const emit = (raw: string, masked: string) => {
    out += masked;
    for (const ch of raw) if (ch === '\n') line++;
  };
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      let end = sql.indexOf('\n', i);
      if (end === -1) end = n;
      const raw = sql.slice(i, end);
      comments.push({ line, text: raw });
      emit(raw, blank(raw));
      i = end;
    } else if (ch === '/' && next === '*') {
      // Block comments nest in Postgres.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      const raw = sql.slice(i, j);
      emit(raw, blank(raw));
      i = j;
    } else if (ch === "'") {
      // E'...' strings take backslash escapes; every string takes '' for a quote.
      const prev = sql[i - 1] ?? '';
      const escapes = /[eE]/.test(prev) && !IDENT_CHAR.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      const body = sql.slice(i + 1, Math.min(j, n));
      emit(sql.slice(i, Math.min(j + 1, n)), "'" + blank(body) + (j < n ? "'" : ''));
      i = Math.min(j + 1, n);
    } else if (ch === '"') {
      // Quoted identifier: kept as is, but skipped as one token ("a--b" is no comment).
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      const raw = sql.slice(i, Math.min(j + 1, n));
      emit(raw, raw);
      i = Math.min(j + 1, n);
    } else if (ch === '$' && !IDENT_CHAR.test(sql[i - 1] ?? '')) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(sql);
      if (!m) {
        emit(ch, ch); // $1 parameter or similar
        i++;
        continue;
      }
      const tag = m[0];
      const close = sql.indexOf(tag, i + tag.length);
      const bodyEnd = close === -1 ? n : close;
      const body = sql.slice(i + tag.length, bodyEnd);
      const raw = sql.slice(i, close === -1 ? n : close + tag.length);
      emit(raw, tag + blank(body) + (close === -1 ? '' : tag));
      i = close === -1 ? n : close + tag.length;
    } else if (IDENT_START.test(ch)) {
      // Whole identifiers at once, so `a$b$` is never read as a dollar quote.
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(sql[j]!)) j++;
      const raw = sql.slice(i, j);
      emit(raw, raw);
      i = j;
    } else {
      emit(ch, ch);
      i++;
    }
  }
  return { text: out, comments };
}

export type Statement = { text: string; start: number };

/** Splits masked SQL on semicolons; `text` is trimmed, `start` its offset in the file. */
export function splitStatements(masked: string): Statement[] {
  const statements: Statement[] = [];
  let from = 0;
  const push = (to: number) => {
    const raw = masked.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text) statements.push({ text, start: from + lead });
  };
  for (let i = 0; i < masked.length; i++) {
    if (masked[i] !== ';') continue;
    const soFar = masked.slice(from, i);
    // SQL-standard function bodies (BEGIN ATOMIC ... END) hold semicolons of their own.
    if (/\bbegin\s+atomic\b/i.test(soFar) && !/\bend\s*$/i.test(soFar)) continue;
    push(i);
    from = i + 1;
  }
  push(masked.length);
  return statements;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)`;
const QNAME = String.raw`${IDENT}(?:\s*\.\s*${IDENT}){0,2}`;

/** `"Identity".Users` -> `Identity.users`; unqualified names are taken to be in public. */
export function normalizeName(name: string): string {
  const parts = [...name.matchAll(new RegExp(IDENT, 'g'))].map(([p]) =>
    p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p.toLowerCase(),
  );
  const [table = '', schema = 'public'] = parts.reverse();
  return `${schema}.${table}`;
}

/** Splits on commas outside parentheses; each part trimmed, with its offset in `text`. */
function splitTopLevel(text: string, offset: number): Statement[] {
  const parts: Statement[] = [];
  let depth = 0;
  let from = 0;
  const push = (to: number) => {
    const raw = text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    if (raw.trim()) parts.push({ text: raw.trim(), start: offset + from + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      push(i);
      from = i + 1;
    }
  }
  push(text.length);
  return parts;
}

const VOLATILE_DEFAULT =
  /\bdefault\b[\s\S]*\b(clock_timestamp|random|gen_random_uuid|uuid_generate_v\w+|uuidv[47]|timeofday|nextval|txid_current|pg_current_xact_id)\s*\(/i;

type Hit = { rule: Rule; at: number; detail?: string };

function checkAddColumn(def: string, at: number, hits: Hit[]): void {
  const generated = /\bgenerated\b/i.test(def);
  if (/(?<!\bis\s+)\bnot\s+null\b/i.test(def) && !/\bdefault\b/i.test(def) && !generated) {
    hits.push({ rule: 'adding-not-null-column-without-default', at });
  }
  const volatile = VOLATILE_DEFAULT.exec(def)?.[1];
  const rewrite = volatile
    ? `a volatile DEFAULT (${volatile.toLowerCase()}())`
    : /^\S+\s+(small|big)?serial\d?\b/i.test(def)
      ? 'a serial column'
      : /\bgenerated\b[\s\S]*\bidentity\b/i.test(def)
        ? 'an identity column'
        : /\bgenerated\b[\s\S]*\bstored\b/i.test(def)
          ? 'a stored generated column'
          : undefined;
  if (rewrite) hits.push({ rule: 'adding-column-that-rewrites-table', at, detail: rewrite });
  if (/\breferences\b/i.test(def)) hits.push({ rule: 'adding-foreign-key-without-not-valid', at });
  if (/\bcheck\s*\(/i.test(def)) hits.push({ rule: 'adding-check-without-not-valid', at });
  if (/\b(unique|primary\s+key)\b/i.test(def)) hits.push({ rule: 'adding-index-backed-constraint', at });
}

function checkAlterAction(action: Statement, hits: Hit[]): { renamedTo?: string } {
  const { text, start: at } = action;
  const constraint = new RegExp(
    String.raw`^add\s+(?:constraint\s+${IDENT}\s+)?(foreign\s+key|check|primary\s+key|unique|exclude)\b`,
    'i',
  ).exec(text);
  if (constraint) {
    const kind = constraint[1]!.toLowerCase().replace(/\s+/g, ' ');
    const notValid = /\bnot\s+valid\b/i.test(text);
    if (kind === 'foreign key' && !notValid) hits.push({ rule: 'adding-foreign-key-without-not-valid', at });
    if (kind === 'check' && !notValid) hits.push({ rule: 'adding-check-without-not-valid', at });
    if ((kind === 'primary key' || kind === 'unique' || kind === 'exclude') && !/\busing\s+index\b/i.test(text)) {
      hits.push({ rule: 'adding-index-backed-constraint', at });
    }
    return {};
  }
  const addColumn = new RegExp(
    String.raw`^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?(${IDENT}\s+[\s\S]*)$`,
    'i',
  ).exec(text);
  if (addColumn && !/^add\s+constraint\b/i.test(text)) {
    checkAddColumn(addColumn[1]!, at, hits);
    return {};
  }
  const alterColumn = new RegExp(String.raw`^alter\s+(?:column\s+)?${IDENT}\s+([\s\S]*)$`, 'i').exec(text);
  if (alterColumn) {
    const rest = alterColumn[1]!;
    if (/^(set\s+data\s+)?type\b/i.test(rest)) hits.push({ rule: 'changing-column-type', at });
    if (/^set\s+not\s+null\b/i.test(rest)) hits.push({ rule: 'setting-not-null', at });
    return {};
  }
  if (/^drop\s+/i.test(text) && !/^drop\s+constraint\b/i.test(text)) {
    hits.push({ rule: 'dropping-column-or-table', at, detail: 'DROP COLUMN' });
    return {};
  }
  const renameTable = new RegExp(String.raw`^rename\s+to\s+(${IDENT})`, 'i').exec(text);
  if (renameTable) {
    hits.push({ rule: 'renaming-column-or-table', at });
    return { renamedTo: renameTable[1]! };
  }
  if (/^rename\s+/i.test(text) && !/^rename\s+constraint\b/i.test(text)) {
    hits.push({ rule: 'renaming-column-or-table', at });
  }
  if (/^set\s+schema\b/i.test(text)) hits.push({ rule: 'renaming-column-or-table', at });
  return {};
}

type Waiver = { line: number; rules: string[]; reason: string };

function parseWaivers(masked: MaskedSql, fileName: string, findings: Finding[]): Waiver[] {
  const waivers: Waiver[] = [];
  for (const { line, text } of masked.comments) {
    const m = /^--\s*lint:allow\b\s*(\S*)\s*(.*)$/i.exec(text.trim());
    if (!m) continue;
    const rules = m[1]!.split(',').filter(Boolean);
    const reason = m[2]!.trim();
    const unknown = rules.filter((r) => !(r in RULES) || r === 'invalid-waiver');
    if (rules.length === 0 || unknown.length > 0 || !reason) {
      const why =
        rules.length === 0
          ? 'names no rule'
          : unknown.length > 0
            ? `names unknown rule ${unknown.join(', ')}`
            : 'gives no reason';
      findings.push({
        file: fileName,
        line,
        rule: 'invalid-waiver',
        message: `waiver ${why}: ${RULES['invalid-waiver']}`,
      });
      continue;
    }
    waivers.push({ line, rules, reason });
  }
  return waivers;
}

/**
 * Lints one migration file's SQL.
 * @param createdEarlier tables (schema.table, as normalizeName gives them) already known to
 *   be new and empty before this file runs; the file's own CREATE TABLEs are added to a copy.
 */
export function lintMigration(fileName: string, sql: string, createdEarlier: Set<string> = new Set()): Finding[] {
  const created = new Set(createdEarlier);
  const createdIndexes = new Set<string>();
  const findings: Finding[] = [];
  const masked = maskSql(sql);
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const lines = sql.split('\n');
  const maskedLines = masked.text.split('\n');
  const commentOnly = (line: number) =>
    (maskedLines[line - 1] ?? '').trim() === '' && /^\s*--/.test(lines[line - 1] ?? '');

  // missing-why-comment: the first line that is not blank or a `-- migrate:` directive.
  const opening = lines.findIndex((l) => l.trim() !== '' && !/^--\s*migrate:/i.test(l.trim()));
  if (opening === -1 || !/^--\s*why:\s*\S/i.test(lines[opening]!.trim())) {
    findings.push({
      file: fileName,
      line: opening === -1 ? 1 : opening + 1,
      rule: 'missing-why-comment',
      message: RULES['missing-why-comment'],
    });
  }

  const waivers = parseWaivers(masked, fileName, findings);
  const noTransaction = needsNoTransaction(sql);
  const statements = splitStatements(masked.text);

  if (noTransaction && statements.length > 1) {
    findings.push({
      file: fileName,
      line: lineOf(statements[1]!.start),
      rule: 'no-transaction-single-statement',
      message: `${statements.length} statements: ${RULES['no-transaction-single-statement']}`,
    });
  }

  for (const statement of statements) {
    const { text, start } = statement;
    const hits: Hit[] = [];

    const createTable = new RegExp(
      String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?(?:(?:temporary|temp|unlogged)\s+)?(?:table|materialized\s+view)\s+(?:if\s+not\s+exists\s+)?(${QNAME})`,
      'i',
    ).exec(text);
    if (createTable) created.add(normalizeName(createTable[1]!));

    if (/^(create\s+(unique\s+)?index|drop\s+index|reindex|alter\s+table)\b/i.test(text)) {
      if (/\bconcurrently\b/i.test(text) && !noTransaction) {
        hits.push({ rule: 'concurrently-requires-no-transaction', at: start });
      }
    }

    const createIndex = new RegExp(
      String.raw`^create\s+(?:unique\s+)?index\s+(concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:(${QNAME})\s+)?on\s+(?:only\s+)?(${QNAME})`,
      'i',
    ).exec(text);
    if (createIndex) {
      if (createIndex[2]) createdIndexes.add(normalizeName(createIndex[2]).split('.').pop()!);
      const table = normalizeName(createIndex[3]!);
      if (!createIndex[1] && !created.has(table)) {
        hits.push({ rule: 'create-index-without-concurrently', at: start, detail: `on ${table}` });
      }
    }

    const dropIndex = /^drop\s+index\s+(concurrently\s+)?(?:if\s+exists\s+)?([\s\S]*)$/i.exec(text);
    if (dropIndex && !dropIndex[1]) {
      const names = [...dropIndex[2]!.replace(/\b(cascade|restrict)\s*$/i, '').matchAll(new RegExp(QNAME, 'g'))];
      const existing = names.map(([q]) => normalizeName(q).split('.').pop()!).filter((x) => !createdIndexes.has(x));
      if (existing.length > 0) hits.push({ rule: 'drop-index-without-concurrently', at: start });
    }

    const dropTable = /^drop\s+table\s+(?:if\s+exists\s+)?([\s\S]*)$/i.exec(text);
    if (dropTable) {
      const names = [...dropTable[1]!.replace(/\b(cascade|restrict)\s*$/i, '').matchAll(new RegExp(QNAME, 'g'))];
      const existing = names.map(([q]) => normalizeName(q)).filter((t) => !created.has(t));
      if (existing.length > 0) {
        hits.push({ rule: 'dropping-column-or-table', at: start, detail: `DROP TABLE ${existing.join(', ')}` });
      }
    }

    const alterTable = new RegExp(
      String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(${QNAME})\s*\*?\s*([\s\S]*)$`,
      'i',
    ).exec(text);
    if (alterTable && !/^all\s+in\s+tablespace\b/i.test(text.replace(/^alter\s+table\s+/i, ''))) {
      const table = normalizeName(alterTable[1]!);
      const actionsText = alterTable[2]!;
      const actionsAt = start + text.length - actionsText.length;
      const actionHits: Hit[] = [];
      for (const action of splitTopLevel(actionsText, actionsAt)) {
        const { renamedTo } = checkAlterAction(action, actionHits);
        if (renamedTo && created.has(table)) {
          created.add(`${table.slice(0, table.indexOf('.'))}.${normalizeName(renamedTo).split('.')[1]}`);
        }
      }
      if (!created.has(table)) hits.push(...actionHits);
    }

    const firstLine = lineOf(start);
    for (const hit of hits) {
      const line = lineOf(hit.at);
      const waived = waivers.some(
        (w) =>
          w.rules.includes(hit.rule) &&
          ((w.line >= firstLine && w.line <= line) ||
            (w.line < firstLine &&
              Array.from({ length: firstLine - w.line }, (_, k) => w.line + k).every(commentOnly))),
      );
      if (waived) continue;
      findings.push({
        file: fileName,
        line,
        rule: hit.rule,
        message: hit.detail ? `${hit.detail}: ${RULES[hit.rule]}` : RULES[hit.rule],
      });
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line} ${f.rule} ${f.message}`;
}

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '..', 'supabase', 'migrations');

async function main(args: string[]): Promise<number> {
  const files =
    args.length > 0
      ? args
      : (await readdir(MIGRATIONS_DIR))
          .filter((f) => f.endsWith('.sql'))
          .sort()
          .map((f) => relative(process.cwd(), join(MIGRATIONS_DIR, f)));
  const findings: Finding[] = [];
  for (const file of files) findings.push(...lintMigration(file, await readFile(file, 'utf8')));
  for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
  process.stderr.write(
    `lint-migrations: ${files.length} file(s), ${findings.length === 0 ? 'no findings' : `${findings.length} finding(s)`}\n`,
  );
  return findings.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
