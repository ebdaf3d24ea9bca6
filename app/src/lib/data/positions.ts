// Fractional positions for manual ordering. A task's `position` is a Postgres numeric
// (arbitrary precision), so a move writes ONE row: the moved task gets a value strictly
// between its new neighbours. The arithmetic is exact decimal (BigInt), never floating
// point: JavaScript doubles run out of room after a few dozen moves between the same
// pair of neighbours whose positions are epoch milliseconds (the column's default).
// Positions travel as decimal strings for the same reason (REST selects position::text).

/** The gap left when a task moves above the first or below the last one. */
export const END_STEP = 1024n;

type Fixed = { units: bigint; scale: number };

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function parse(value: string): Fixed {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new Error(`Not a decimal position: ${value}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const units = BigInt(`${m[2]}${frac}` || '0');
  return { units: m[1] ? -units : units, scale: frac.length };
}

function rescale(v: Fixed, scale: number): bigint {
  return v.units * 10n ** BigInt(scale - v.scale);
}

function format(units: bigint, scale: number): string {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    let intPart = digits.slice(0, -scale);
    const frac = digits.slice(-scale).replace(/0+$/, '');
    if (intPart === '') intPart = '0';
    digits = frac ? `${intPart}.${frac}` : intPart;
  }
  return negative && digits !== '0' ? `-${digits}` : digits;
}

/** Compares two decimal strings numerically. */
export function comparePositions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  const scale = Math.max(pa.scale, pb.scale);
  const x = rescale(pa, scale);
  const y = rescale(pb, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The normalized decimal form of a position (e.g. "1.50" → "1.5"). */
export function normalizePosition(value: string | number): string {
  const p = parse(String(value));
  return format(p.units, p.scale);
}

/**
 * A position strictly between `before` and `after` (either may be null: the list's ends).
 * Between two neighbours it is the shortest decimal in the open interval nearest to the
 * midpoint, so values stay short; at an end it is one step beyond the neighbour.
 */
export function positionBetween(before: string | null, after: string | null): string {
  if (before === null && after === null) return '0';
  if (before === null) {
    const a = parse(after!);
    return format(a.units - END_STEP * 10n ** BigInt(a.scale), a.scale);
  }
  if (after === null) {
    const b = parse(before);
    return format(b.units + END_STEP * 10n ** BigInt(b.scale), b.scale);
  }
  const lo = parse(before);
  const hi = parse(after);
  let scale = Math.max(lo.scale, hi.scale);
  let l = rescale(lo, scale);
  let h = rescale(hi, scale);
  if (l >= h) throw new Error(`Neighbours out of order: ${before} is not below ${after}`);
  // Exact midpoint with one more digit when the sum is odd.
  let mid2 = l + h;
  if (mid2 % 2n !== 0n) {
    scale += 1;
    l *= 10n;
    h *= 10n;
    mid2 *= 10n;
  }
  const mid = mid2 / 2n;
  // Round the midpoint to the fewest fractional digits that still lie strictly inside.
  for (let digits = 0; digits <= scale; digits += 1) {
    const unit = 10n ** BigInt(scale - digits);
    const rounded = roundDiv(mid, unit) * unit;
    if (rounded > l && rounded < h) return format(rounded, scale);
  }
  return format(mid, scale);
}

/** Rounds n / d to the nearest integer (d > 0), halves away from zero. */
function roundDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  if (2n * (r < 0n ? -r : r) >= d) return q + (n < 0n ? -1n : 1n);
  return q;
}

/**
 * The new position of the item moved to index `to` of `list` (positions in their current
 * order, the moved item still at index `from`). Null when nothing changes.
 */
export function positionForMove(list: readonly string[], from: number, to: number): string | null {
  if (from === to || to < 0 || to >= list.length) return null;
  const rest = list.filter((_, i) => i !== from);
  const before = to > 0 ? rest[to - 1]! : null;
  const after = to < rest.length ? rest[to]! : null;
  return positionBetween(before, after);
}
