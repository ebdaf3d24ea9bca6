// Fractional positions (app/src/lib/data/positions.ts): a move writes one row whose
// position lies strictly between its new neighbours, exactly, however often it happens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  comparePositions,
  normalizePosition,
  positionBetween,
  positionForMove,
} from '../../app/src/lib/data/positions.ts';

const between = (lo: string, mid: string, hi: string) => comparePositions(lo, mid) < 0 && comparePositions(mid, hi) < 0;

test('the midpoint of two neighbours lies strictly between them and is short', () => {
  assert.equal(positionBetween('1', '2'), '1.5');
  assert.equal(positionBetween('1', '3'), '2');
  assert.equal(positionBetween('0.001', '0.002'), '0.0015');
  assert.equal(positionBetween('-3', '-1'), '-2');
  assert.equal(positionBetween('-1', '1'), '0');
  assert.ok(between('1763900000000', positionBetween('1763900000000', '1763900000001'), '1763900000001'));
});

test('moving to the top or the bottom steps beyond the end neighbour', () => {
  const top = positionBetween(null, '1763900000000');
  const bottom = positionBetween('1763900000000', null);
  assert.ok(comparePositions(top, '1763900000000') < 0);
  assert.ok(comparePositions(bottom, '1763900000000') > 0);
  assert.equal(positionBetween(null, '0.5'), '-1023.5');
  assert.equal(positionBetween('5', null), '1029');
  assert.equal(positionBetween(null, null), '0');
});

test('many moves between the same pair stay exact and ordered (no floating point collapse)', () => {
  const lo = '1763900000000';
  let hi = '1763900000001';
  // Always insert just below the previous insert: the gap halves 200 times.
  for (let i = 0; i < 200; i += 1) {
    const mid = positionBetween(lo, hi);
    assert.ok(between(lo, mid, hi), `move ${i}: ${mid} not inside (${lo}, ${hi})`);
    hi = mid;
  }
  // And alternately from both sides.
  let a = '1';
  let b = '2';
  for (let i = 0; i < 200; i += 1) {
    const mid = positionBetween(a, b);
    assert.ok(between(a, mid, b));
    if (i % 2 === 0) a = mid;
    else b = mid;
  }
  // Doubles would have run out of digits long ago.
  assert.ok(hi.length > 40);
});

test('positionForMove places an item between its new neighbours', () => {
  const list = ['10', '20', '30', '40'];
  assert.equal(positionForMove(list, 3, 0), '-1014'); // to the top: before 10
  assert.equal(positionForMove(list, 0, 3), '1064'); // to the bottom: after 40
  assert.equal(positionForMove(list, 0, 1), '25'); // between 20 and 30
  assert.equal(positionForMove(list, 3, 1), '15'); // between 10 and 20
  assert.equal(positionForMove(list, 2, 2), null);
  assert.equal(positionForMove(list, 0, 9), null);
});

test('refuses neighbours out of order and reads decimal strings canonically', () => {
  assert.throws(() => positionBetween('2', '1'), /out of order/);
  assert.throws(() => positionBetween('1', '1'), /out of order/);
  assert.throws(() => positionBetween('x', '1'), /Not a decimal/);
  assert.equal(normalizePosition('1.500'), '1.5');
  assert.equal(normalizePosition('-0.0'), '0');
  assert.equal(comparePositions('1.10', '1.1'), 0);
  assert.equal(comparePositions('-2', '-10'), 1);
});
