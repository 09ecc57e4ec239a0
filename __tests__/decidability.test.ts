// The refused settings are exactly those under which the verdict code can never decide.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maxReachableConfidence, minRoundsToDecide } from '../src/stats/decidability.js';
import { judgeRelative } from '../src/gate/verdict.js';

/** The most extreme outcome n rounds can show: every candidate trial 3x slower than every baseline trial. */
function extremeVerdict(n: number, confidence: number, paired: boolean) {
  const base = Array.from({ length: n }, (_, i) => 1000 + i);
  const cand = base.map((v) => v / 3);
  return judgeRelative({ label: 'Requests/s', baseline: base, candidate: cand, direction: 'higher-is-better', thresholdPct: 5, confidence, paired }).verdict;
}

describe('minRoundsToDecide agrees with the verdict code', () => {
  for (const confidence of [0.8, 0.9, 0.95, 0.99, 0.995, 0.999]) {
    for (const mode of ['stored', 'paired'] as const) {
      it(`${mode} at ${confidence}: the minimum decides a 3x change, one round fewer never does`, () => {
        const min = minRoundsToDecide(confidence, mode)!;
        assert.equal(extremeVerdict(min, confidence, mode === 'paired'), 'regressed');
        if (min > 1) assert.equal(extremeVerdict(min - 1, confidence, mode === 'paired'), 'inconclusive');
      });
    }
  }

  it('the published minimum at 99%: 5 rounds (1/252 <= 1%, 4 rounds: 1/70 > 1%)', () => {
    assert.equal(minRoundsToDecide(0.99, 'stored'), 5);
    assert.ok(Math.abs(maxReachableConfidence(5, 'stored') - (1 - 1 / 252)) < 1e-12);
    assert.ok(Math.abs(maxReachableConfidence(4, 'stored') - (1 - 1 / 70)) < 1e-12);
  });
});
