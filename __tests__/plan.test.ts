import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planTrials } from '../src/plan/plan.js';
import { seededRandom } from '../src/stats/random.js';

describe('planTrials', () => {
  it('runs every target once per scenario in every round', () => {
    const trials = planTrials(['a', 'b', 'c'], ['home', 'api'], 4, seededRandom(1));
    assert.equal(trials.length, 3 * 2 * 4);
    for (let round = 1; round <= 4; round++) {
      for (const scenario of ['home', 'api']) {
        const targets = trials.filter((t) => t.round === round && t.scenario === scenario).map((t) => t.target);
        assert.deepEqual([...targets].sort(), ['a', 'b', 'c']);
      }
    }
  });

  it('shuffles the order from round to round, reproducibly from the seed', () => {
    const orders = (seed: number) => planTrials(['a', 'b', 'c', 'd'], ['s'], 20, seededRandom(seed)).map((t) => t.target).join('');
    assert.equal(orders(7), orders(7));
    assert.notEqual(orders(7), orders(8));
    const firsts = new Set(planTrials(['a', 'b', 'c', 'd'], ['s'], 20, seededRandom(7)).filter((_, i) => i % 4 === 0).map((t) => t.target));
    assert.equal(firsts.size, 4, 'each target goes first in some round');
  });

  it('one target: the rounds in order', () => {
    assert.deepEqual(planTrials(['app'], ['/'], 3, seededRandom(1)).map((t) => t.round), [1, 2, 3]);
  });
});

describe('balanced order', () => {
  it('each pair of rounds runs the second in the reverse order of the first, so every target goes first equally often', () => {
    const trials = planTrials(['base', 'head'], ['a', 'b'], 40, seededRandom(3));
    for (const scenario of ['a', 'b']) {
      const firsts = new Map<string, number>();
      for (let round = 1; round <= 40; round++) {
        const order = trials.filter((t) => t.round === round && t.scenario === scenario).map((t) => t.target);
        if (round % 2 === 0) {
          const before = trials.filter((t) => t.round === round - 1 && t.scenario === scenario).map((t) => t.target);
          assert.deepEqual(order, [...before].reverse());
        }
        firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
      }
      assert.deepEqual([firsts.get('base'), firsts.get('head')], [20, 20]);
    }
  });

  it('continues the round numbers from firstRound, for the rounds of a later look', () => {
    const trials = planTrials(['base', 'head'], ['a'], 4, seededRandom(1), 21);
    assert.deepEqual([...new Set(trials.map((t) => t.round))], [21, 22, 23, 24]);
  });
});
