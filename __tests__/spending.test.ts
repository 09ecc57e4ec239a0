import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookConfidences, spentAlpha } from '../src/stats/spending.js';

test('spending reaches alpha at the last look and grows with the information', () => {
  assert.equal(spentAlpha(0.01, 1), 0.01);
  assert.equal(spentAlpha(0.01, 0), 0);
  const ts = [0.1, 0.3, 0.5, 0.8, 1];
  const spent = ts.map((t) => spentAlpha(0.01, t));
  for (let i = 1; i < spent.length; i++) assert.ok(spent[i]! > spent[i - 1]!);
  // O'Brien-Fleming-like: a sixth of the rounds spends less than 2% of alpha.
  assert.ok(spentAlpha(0.01, 1 / 6) < 0.0002);
});

test('the looks share 1 - confidence: their error shares add up to it exactly', () => {
  const c = lookConfidences([20, 40, 60, 90, 120], 0.99);
  assert.equal(c.length, 5);
  const total = c.reduce((sum, x) => sum + (1 - x), 0);
  assert.ok(Math.abs(total - 0.01) < 1e-12);
  // Every look is stricter than a single fixed look; the last keeps most of alpha.
  for (const x of c) assert.ok(x > 0.99 && x < 1);
  assert.ok(1 - c.at(-1)! > 0.006);
  assert.ok(1 - c[0]! < 0.0002);
});

test('one look is the fixed design: its confidence is the gate\'s', () => {
  assert.deepEqual(lookConfidences([60], 0.99), [0.99]);
});
