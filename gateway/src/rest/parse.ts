// Parsers for PostgREST's URL grammar: the `select` tree, horizontal filters, logic trees
// (`or=(…)`, `and=(…)`, nested and negated), `order`, and the Range header. They produce
// plain data; nothing here touches SQL. Names are checked against the schema cache later
// and values only ever become bind parameters.
import { ApiError } from '../api/errors.ts';

type JsonStep = { arrow: '->' | '->>'; key: string };
export type Field = { name: string; json: JsonStep[] };

type SelectColumn = { type: 'column'; field: Field; alias?: string; cast?: string };
type SelectStar = { type: 'star' };
export type SelectEmbed = {
  type: 'embed';
  name: string;
  alias?: string;
  hint?: string;
  /** join=inner (`!inner`) or left (default, `!left`). */
  inner: boolean;
  spread: boolean;
  children: SelectItem[];
};
export type SelectItem = SelectColumn | SelectStar | SelectEmbed;

export const OPERATORS = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  is: 'is',
  isdistinct: 'is distinct from',
  in: 'in',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
  fts: '@@',
  plfts: '@@',
  phfts: '@@',
  wfts: '@@',
} as const;
type Operator = keyof typeof OPERATORS;

export type Filter = {
  type: 'filter';
  field: Field;
  negate: boolean;
  op: Operator;
  /** eq(any) / like(all) … */
  quantifier?: 'any' | 'all';
  /** Text search configuration: fts(english). */
  config?: string;
  /** A list for `in` and quantified operators; a string otherwise. */
  value: string | string[];
};
type LogicTree = { type: 'logic'; op: 'and' | 'or'; negate: boolean; children: Condition[] };
export type Condition = Filter | LogicTree;

export type OrderTerm = {
  field: Field;
  /** order=projects(name): a column of an embedded to-one resource. */
  relation?: string;
  dir?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
};

export const LIMITS = { maxFilters: 100, maxSelectItems: 500, maxEmbedDepth: 8 } as const;

const parseError = (message: string, details?: string) => new ApiError(400, 'PGRST100', message, { details });
const filterError = (context: string, details: string) =>
  parseError(`"failed to parse filter (${context.slice(0, 200)})"`, details);

// ---------------------------------------------------------------------------------------
// A tiny cursor over a string.
class Cursor {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  get done() {
    return this.pos >= this.text.length;
  }
  peek(n = 0) {
    return this.text[this.pos + n] ?? '';
  }
  startsWith(s: string) {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string) {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string, what: string) {
    if (!this.eat(s)) throw this.error(`expected ${what}`);
  }
  error(expected: string) {
    const found = this.done ? 'end of input' : `"${this.text.slice(this.pos, this.pos + 10)}"`;
    return parseError(
      `"failed to parse ${this.context}"`,
      `unexpected ${found} at position ${this.pos + 1}, ${expected}`,
    );
  }
  context = 'query';
}

/** Reads a double-quoted string with backslash escapes; the cursor is on the quote. */
function readQuoted(c: Cursor): string {
  c.expect('"', 'a double quote');
  let out = '';
  for (;;) {
    if (c.done) throw c.error('expected a closing double quote');
    const ch = c.peek();
    c.pos += 1;
    if (ch === '\\') {
      if (c.done) throw c.error('expected an escaped character');
      out += c.peek();
      c.pos += 1;
    } else if (ch === '"') {
      return out;
    } else {
      out += ch;
    }
  }
}

const NAME_STOP = new Set([',', '(', ')', '!', ':', '.', '"']);

/** An identifier: quoted, or a run of characters that are not grammar punctuation. */
function readName(c: Cursor): string {
  if (c.peek() === '"') return readQuoted(c);
  const start = c.pos;
  while (!c.done) {
    const ch = c.peek();
    if (ch === '-' && c.peek(1) === '>') break;
    if (NAME_STOP.has(ch)) break;
    c.pos += 1;
  }
  if (c.pos === start) throw c.error('expected an identifier');
  return c.text.slice(start, c.pos);
}

function readField(c: Cursor): Field {
  const name = readName(c);
  const json: JsonStep[] = [];
  for (;;) {
    const arrow = c.startsWith('->>') ? '->>' : c.startsWith('->') ? '->' : undefined;
    if (!arrow) break;
    c.pos += arrow.length;
    json.push({ arrow, key: readName(c) });
  }
  return { name, json };
}

// ---------------------------------------------------------------------------------------
// select=…

function stripWhitespace(text: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) continue;
    out += ch;
  }
  return out;
}

export function parseSelect(text: string | null): SelectItem[] {
  if (text === null || text.trim() === '') return [{ type: 'star' }];
  const c = new Cursor(stripWhitespace(text));
  c.context = `select (${text.slice(0, 100)})`;
  let count = 0;
  const items = (depth: number): SelectItem[] => {
    if (depth > LIMITS.maxEmbedDepth) {
      throw new ApiError(400, 'PGRST100', `Embedding is limited to ${LIMITS.maxEmbedDepth} levels`, {
        details: 'The select parameter nests embedded resources too deeply.',
      });
    }
    const list: SelectItem[] = [];
    for (;;) {
      count += 1;
      if (count > LIMITS.maxSelectItems) throw parseError(`select has more than ${LIMITS.maxSelectItems} items`);
      list.push(item(depth));
      if (!c.eat(',')) return list;
    }
  };
  const item = (depth: number): SelectItem => {
    if (c.eat('*')) return { type: 'star' };
    const spread = c.eat('...');
    let alias: string | undefined;
    const start = c.pos;
    const first = readName(c);
    if (c.peek() === ':' && c.peek(1) !== ':') {
      c.pos += 1;
      alias = first;
    } else {
      c.pos = start;
    }
    // An embed: name, hints, then a parenthesised list.
    const save = c.pos;
    const name = readName(c);
    if (c.peek() === '!' || c.peek() === '(') {
      let hint: string | undefined;
      let inner = false;
      while (c.eat('!')) {
        const h = readName(c);
        if (h === 'inner') inner = true;
        else if (h === 'left') inner = false;
        else if (hint === undefined) hint = h;
        else throw c.error('expected one hint');
      }
      c.expect('(', '"(" after an embedded resource');
      if (name === 'count' && hint === undefined && !inner && c.peek() === ')') {
        throw new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
      }
      const children = c.peek() === ')' ? [] : items(depth + 1);
      c.expect(')', '")" closing an embedded resource');
      return { type: 'embed', name, alias, hint, inner, spread, children };
    }
    if (spread) throw c.error('expected an embedded resource after "..."');
    c.pos = save;
    const field = readField(c);
    let cast: string | undefined;
    if (c.eat('::')) {
      const castStart = c.pos;
      while (!c.done && /[A-Za-z0-9_[\] ]/.test(c.peek())) c.pos += 1;
      cast = c.text.slice(castStart, c.pos);
      if (!cast) throw c.error('expected a type after "::"');
    }
    if (c.peek() === '.' && c.text.slice(c.pos).match(/^\.\w+\(\)/)) {
      throw new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
    }
    return { type: 'column', field, alias, cast };
  };
  const result = items(0);
  if (!c.done) throw c.error('expected "," or end of select');
  return result;
}

// ---------------------------------------------------------------------------------------
// Filters: `col=op.value`, and the items of logic trees.

const QUANTIFIABLE = new Set<Operator>(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS = new Set<Operator>(['fts', 'plfts', 'phfts', 'wfts']);

/** Splits `a,"b,c",d` at top-level commas, unquoting quoted items (for `in.(…)`). */
function parseList(text: string, context: string): string[] {
  const c = new Cursor(text);
  c.context = context;
  const out: string[] = [];
  if (text === '') return out;
  for (;;) {
    if (c.peek() === '"') {
      out.push(readQuoted(c));
    } else {
      const start = c.pos;
      while (!c.done && c.peek() !== ',') c.pos += 1;
      out.push(text.slice(start, c.pos));
    }
    if (c.done) return out;
    c.expect(',', '","');
  }
}

/**
 * `columns=` / `on_conflict=`: one or more column names (PostgREST parses them with
 * sepBy1). An empty value is refused rather than read as "no columns", which would insert
 * a row of defaults and ignore the body.
 */
function parseNames(text: string, context: string): string[] {
  const names = parseList(text, context).map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n === '')) {
    throw parseError(
      `"failed to parse ${context} parameter (${text.slice(0, 200)})"`,
      `${context} takes a comma-separated list of one or more column names.`,
    );
  }
  return names;
}

/** Parses `[not.]op[(mod)].value` (the part after `=` in a query parameter). */
export function parseOperation(field: Field, text: string, context: string): Filter {
  let rest = text;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const m = /^([a-z]+)(?:\(([^)]*)\))?\./.exec(rest);
  if (!m) throw filterError(context, 'expected an operator such as eq.');
  const op = m[1] as string;
  const mod = m[2];
  if (!Object.hasOwn(OPERATORS, op)) {
    throw filterError(context, `unknown operator "${op.slice(0, 40)}"`);
  }
  const operator = op as Operator;
  const value = rest.slice(m[0].length);
  const filter: Filter = { type: 'filter', field, negate, op: operator, value };
  if (mod !== undefined) {
    if (FTS.has(operator)) {
      if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(mod)) throw parseError(`Invalid text search configuration "${mod}"`);
      filter.config = mod;
    } else if ((mod === 'any' || mod === 'all') && QUANTIFIABLE.has(operator)) {
      filter.quantifier = mod;
      if (!value.startsWith('{') || !value.endsWith('}')) {
        throw filterError(context, 'expected a list like {a,b}');
      }
      filter.value = parseList(value.slice(1, -1), context);
    } else {
      throw filterError(context, `unknown modifier "${mod.slice(0, 40)}"`);
    }
  }
  if (operator === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')')) {
      throw filterError(context, 'expected a list like in.(a,b)');
    }
    filter.value = parseList(value.slice(1, -1), context);
  }
  if (operator === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(value.toLowerCase())) {
    throw filterError(context, 'is accepts null, not_null, true, false or unknown');
  }
  return filter;
}

function parseFieldText(text: string, context: string): Field {
  const c = new Cursor(text);
  c.context = context;
  const field = readField(c);
  if (!c.done) throw c.error('expected end of column name');
  return field;
}

/** Parses the value of `or=`/`and=`: `(a.eq.1,and(b.gt.2,c.not.is.null))`. */
export function parseLogic(op: 'and' | 'or', negate: boolean, text: string): LogicTree {
  const c = new Cursor(text);
  c.context = `logic tree (${text.slice(0, 200)})`;
  let count = 0;
  const tree = (o: 'and' | 'or', neg: boolean, depth: number): LogicTree => {
    if (depth > 20) throw parseError('Logic trees are nested too deeply');
    c.expect('(', '"("');
    const children: Condition[] = [];
    for (;;) {
      count += 1;
      if (count > LIMITS.maxFilters) throw parseError(`A request may have at most ${LIMITS.maxFilters} filters`);
      children.push(condition(depth));
      if (c.eat(')')) break;
      c.expect(',', '"," or ")"');
    }
    return { type: 'logic', op: o, negate: neg, children };
  };
  const condition = (depth: number): Condition => {
    const start = c.pos;
    const neg = c.eat('not.');
    for (const o of ['and', 'or'] as const) {
      if (c.startsWith(`${o}(`)) {
        c.pos += o.length;
        return tree(o, neg, depth + 1);
      }
    }
    c.pos = start;
    const field = readField(c);
    c.expect('.', '"." after a column name');
    // The operation runs to the next top-level "," or ")"; quoted values may hold either.
    const opStart = c.pos;
    let depthParen = 0;
    while (!c.done) {
      const ch = c.peek();
      if (ch === '"') {
        readQuoted(c); // skipped here, unquoted by parseTreeOperation / parseList
        continue;
      }
      if (ch === '(') depthParen += 1;
      if (ch === ')') {
        if (depthParen === 0) break;
        depthParen -= 1;
      }
      if (ch === ',' && depthParen === 0) break;
      c.pos += 1;
    }
    const text = c.text.slice(opStart, c.pos);
    return parseTreeOperation(field, text, c.context);
  };
  const result = tree(op, negate, 0);
  if (!c.done) throw c.error('expected end of logic tree');
  return result;
}

/** A filter inside a logic tree: like parseOperation, but a scalar value may be quoted. */
function parseTreeOperation(field: Field, text: string, context: string): Filter {
  const filter = parseOperation(field, text, context);
  if (typeof filter.value === 'string' && filter.value.startsWith('"')) {
    const c = new Cursor(filter.value);
    c.context = context;
    const value = readQuoted(c);
    if (!c.done) throw c.error('expected end of quoted value');
    filter.value = value;
  }
  return filter;
}

// ---------------------------------------------------------------------------------------
// order=…

export function parseOrder(text: string): OrderTerm[] {
  const terms: OrderTerm[] = [];
  const c = new Cursor(text);
  c.context = `order (${text.slice(0, 200)})`;
  for (;;) {
    const first = readField(c);
    const term: OrderTerm = { field: first };
    if (first.json.length === 0 && c.eat('(')) {
      term.relation = first.name;
      term.field = readField(c);
      c.expect(')', '")"');
    }
    while (c.eat('.')) {
      const word = readName(c);
      if (word === 'asc' || word === 'desc') term.dir = word;
      else if (word === 'nullsfirst') term.nulls = 'first';
      else if (word === 'nullslast') term.nulls = 'last';
      else throw c.error('expected asc, desc, nullsfirst or nullslast');
    }
    terms.push(term);
    if (c.done) return terms;
    c.expect(',', '","');
  }
}

// ---------------------------------------------------------------------------------------
// Query string → structure.

export type EmbedParams = {
  filters: Condition[];
  order?: OrderTerm[];
  limit?: number;
  offset?: number;
};

export type ParsedQuery = {
  select: SelectItem[];
  /** Keyed by embed path ("" = root, "tasks", "tasks.labels"). */
  params: Map<string, EmbedParams>;
  columns?: string[];
  onConflict?: string[];
  /** Query parameters left for the caller (RPC GET arguments). */
  rest: [string, string][];
};

const ROOT_KEYS = new Set(['select', 'columns', 'on_conflict']);

function nonNegativeInt(value: string, name: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw parseError(`"failed to parse ${name} (${value.slice(0, 50)})"`, 'expected a non-negative integer');
  return Number(value);
}

/**
 * Splits the query string into select, per-embed filters/order/limit/offset, and the
 * write parameters. `isArg` marks parameters that are RPC arguments (not filters).
 */
export function parseQuery(query: URLSearchParams, isArg: (name: string) => boolean = () => false): ParsedQuery {
  const params = new Map<string, EmbedParams>();
  const at = (path: string) => {
    let p = params.get(path);
    if (!p) {
      p = { filters: [] };
      params.set(path, p);
    }
    return p;
  };
  at('');
  let select: string | null = null;
  let columns: string[] | undefined;
  let onConflict: string[] | undefined;
  const rest: [string, string][] = [];
  let filterCount = 0;
  for (const [k, v] of query) {
    if (ROOT_KEYS.has(k)) {
      if (k === 'select') select = v;
      else if (k === 'columns') columns = parseNames(v, 'columns');
      else onConflict = parseNames(v, 'on_conflict');
      continue;
    }
    if (isArg(k)) {
      rest.push([k, v]);
      continue;
    }
    filterCount += 1;
    if (filterCount > LIMITS.maxFilters) throw parseError(`A request may have at most ${LIMITS.maxFilters} filters`);
    // The key is an embed path, then the last segment: a reserved word or a column.
    const arrow = k.indexOf('->');
    const head = arrow === -1 ? k : k.slice(0, arrow);
    const segments = head.split('.');
    let last = segments.pop() as string;
    if (arrow !== -1) last += k.slice(arrow);
    // not.or / not.and
    let negate = false;
    if (last === 'or' || last === 'and') {
      if (segments.at(-1) === 'not') {
        segments.pop();
        negate = true;
      }
    }
    const path = segments.join('.');
    const p = at(path);
    if (last === 'or' || last === 'and') p.filters.push(parseLogic(last, negate, v));
    else if (last === 'order') p.order = parseOrder(v);
    else if (last === 'limit') p.limit = nonNegativeInt(v, 'limit');
    else if (last === 'offset') p.offset = nonNegativeInt(v, 'offset');
    else p.filters.push(parseOperation(parseFieldText(last, k), v, `${k}=${v}`));
  }
  return { select: parseSelect(select), params, columns, onConflict, rest };
}

// ---------------------------------------------------------------------------------------
// Range: 0-24 (Range-Unit: items)

type Range = { offset: number; limit?: number };

export function parseRangeHeader(header: string | undefined): Range | undefined {
  if (!header) return undefined;
  const m = /^(?:items=)?\s*(\d{1,15})-(\d{0,15})\s*$/.exec(header);
  if (!m) return undefined; // PostgREST ignores a Range header it cannot read
  const lower = Number(m[1]);
  if (m[2] === '') return { offset: lower };
  const upper = Number(m[2]);
  if (upper < lower) {
    throw new ApiError(416, 'PGRST103', 'Requested range not satisfiable', {
      details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
    });
  }
  return { offset: lower, limit: upper - lower + 1 };
}
