import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planTrials } from '../src/gate/plan.js';
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
