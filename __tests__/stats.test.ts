import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { median, minTrialsForConfidence, pairedRatioInterval, rankBoundIndex, ratioInterval, runToRunNoise, signedRankBoundIndex, toPct } from '../src/stats/intervals.js';

describe('rankBoundIndex (Mann-Whitney critical values)', () => {
  // One-sided critical values of U from published tables: reject when U <= crit, so k = crit + 1.
  const table: Array<[number, number, number, number]> = [
    [5, 5, 0.99, 1],
    [5, 5, 0.95, 4],
    [8, 8, 0.99, 9],
    [8, 8, 0.95, 15],
    [10, 10, 0.99, 19],
    [10, 10, 0.95, 27],
    [4, 6, 0.95, 3],
  ];
  for (const [n, m, conf, crit] of table) {
    it(`n=${n}, m=${m}, confidence ${conf}: U critical ${crit}`, () => {
      assert.equal(rankBoundIndex(n, m, conf), crit + 1);
    });
  }

  it('has no bound when the trials are too few for the confidence', () => {
    assert.equal(rankBoundIndex(3, 3, 0.99), 0); // P(U = 0) = 1/20 > 1%
    assert.equal(rankBoundIndex(4, 4, 0.99), 0); // 1/70 > 1%
    assert.equal(minTrialsForConfidence(0.99), 5);
    assert.equal(minTrialsForConfidence(0.95), 3); // P(U = 0) = 1/20 = 5%
  });

  it('uses a normal approximation for large samples that agrees with the exact count', () => {
    // 30 x 31 = 930 pairs is past the exact limit; 29 x 31 = 899 is computed exactly.
    const exact = rankBoundIndex(29, 31, 0.99);
    const approx = rankBoundIndex(30, 31, 0.99);
    assert.ok(Math.abs(approx - exact) < 0.1 * exact + 15, `${exact} vs ${approx}`);
  });
});

describe('ratioInterval', () => {
  it('estimates the shift of log values with Hodges-Lehmann', () => {
    const base = [100, 102, 98, 101, 99];
    const cand = base.map((v) => v * 0.8);
    const r = ratioInterval(base, cand, 0.99)!;
    assert.ok(Math.abs(r.ratio - 0.8) < 1e-12);
    // Bounds: 2nd smallest and 2nd largest of the 25 pairwise log differences.
    const diffs = cand.flatMap((c) => base.map((b) => Math.log(c) - Math.log(b))).sort((a, b) => a - b);
    assert.ok(Math.abs(r.low - Math.exp(diffs[1]!)) < 1e-12);
    assert.ok(Math.abs(r.high - Math.exp(diffs[23]!)) < 1e-12);
    assert.ok(r.low < 0.8 && r.high > 0.8 && r.high < 1);
  });

  it('identical samples: ratio 1 and a zero-width interval', () => {
    const r = ratioInterval([5, 5, 5, 5, 5], [5, 5, 5, 5, 5], 0.99)!;
    assert.deepEqual([r.ratio, r.low, r.high], [1, 1, 1]);
  });

  it('zero variance on both sides with a real difference is certain', () => {
    const r = ratioInterval([10, 10, 10, 10, 10], [11, 11, 11, 11, 11], 0.99)!;
    assert.ok(Math.abs(r.low - 1.1) < 1e-12 && Math.abs(r.high - 1.1) < 1e-12);
  });

  it('one sample per side: an estimate but no bounds', () => {
    const r = ratioInterval([10], [12], 0.99)!;
    assert.ok(Math.abs(r.ratio - 1.2) < 1e-12);
    assert.equal(r.low, 0);
    assert.equal(r.high, Infinity);
  });

  it('ignores NaN and negative values; 0 and Infinity (empty trials) rank at the ends; undefined when nothing is measured', () => {
    const r = ratioInterval([NaN, 10, 10, 10, 10, 10, 0, -1, Infinity], [20, 20, 20, 20, 20, NaN], 0.99)!;
    assert.equal(r.baselineTrials, 7);
    assert.equal(r.candidateTrials, 5);
    assert.ok(Math.abs(r.ratio - 2) < 1e-12);
    assert.equal(ratioInterval([NaN, -1], [1, 2], 0.99), undefined);
    assert.equal(ratioInterval([0], [0, Infinity], 0.99), undefined, 'no measured value to place the empty trials against');
    assert.equal(ratioInterval([], [1, 2], 0.99), undefined);
  });

  it('one wild trial moves the bounds by one rank only', () => {
    const base = [100, 101, 99, 100, 102, 98, 100, 101];
    const calm = ratioInterval(base, [100, 99, 101, 100, 98, 102, 100, 99], 0.99)!;
    const wild = ratioInterval(base, [100, 99, 101, 100, 98, 102, 100, 300], 0.99)!;
    assert.ok(wild.high < 1.05, `upper bound ${wild.high}`);
    assert.ok(Math.abs(toPct(wild.ratio) - toPct(calm.ratio)) < 2);
  });
});

describe('median', () => {
  it('of odd and even counts, and NaN for none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('signedRankBoundIndex (Wilcoxon critical values)', () => {
  // One-sided critical values of W from published tables: reject when W <= crit, so k = crit + 1.
  const table: Array<[number, number, number]> = [
    [7, 0.99, 0],
    [8, 0.99, 1],
    [8, 0.95, 5],
    [10, 0.99, 5],
    [10, 0.95, 10],
    [20, 0.99, 43],
  ];
  for (const [n, conf, crit] of table) {
    it(`n=${n}, confidence ${conf}: W critical ${crit}`, () => assert.equal(signedRankBoundIndex(n, conf), crit + 1));
  }
  it('no bound below 7 pairs at 99% (1/2^6 > 1%)', () => assert.equal(signedRankBoundIndex(6, 0.99), 0));
});

describe('pairedRatioInterval', () => {
  it('cancels noise shared by a round that an unpaired interval cannot', () => {
    // Rounds drift by up to ±30% for both setups alike; the candidate is 5% slower in every round.
    const drift = [1, 1.3, 0.7, 1.1, 0.9, 1.25, 0.75, 1.05, 0.95, 1.2];
    const base = drift.map((f) => 1000 * f);
    const cand = drift.map((f, i) => 950 * f * (1 + ((i % 3) - 1) * 0.003));
    const paired = pairedRatioInterval(base, cand, 0.99)!;
    assert.ok(Math.abs(paired.ratio - 0.95) < 0.005, `ratio ${paired.ratio}`);
    assert.ok(paired.high < 1, 'paired: certainly slower');
    const unpaired = ratioInterval(base, cand, 0.99)!;
    assert.ok(unpaired.high > 1, 'unpaired: lost in the drift');
  });

  it('identical pairs: ratio 1 and a zero-width interval', () => {
    const r = pairedRatioInterval([7, 8, 9, 10, 11, 12, 13], [7, 8, 9, 10, 11, 12, 13], 0.99)!;
    assert.deepEqual([r.ratio, r.low, r.high], [1, 1, 1]);
  });

  it('zero variance of the per-round ratio: the shift is certain whatever the drift between rounds', () => {
    const base = [100, 300, 50, 1000, 80, 120, 700];
    const r = pairedRatioInterval(base, base.map((v) => v * 0.9), 0.99)!;
    assert.ok(Math.abs(r.low - 0.9) < 1e-12 && Math.abs(r.high - 0.9) < 1e-12 && Math.abs(r.ratio - 0.9) < 1e-12);
  });

  it('one pair: an estimate but no bounds', () => {
    const r = pairedRatioInterval([10], [11], 0.99)!;
    assert.ok(Math.abs(r.ratio - 1.1) < 1e-12);
    assert.deepEqual([r.low, r.high], [0, Infinity]);
  });

  it('matches a hand computation: Walsh averages of 7 log ratios, k = 1 at 99%', () => {
    // log ratios d = ln(1.0x): the 28 Walsh averages' extremes are d_min and d_max themselves.
    const ratios = [0.9, 0.95, 1.0, 1.02, 1.05, 1.1, 1.2];
    const r = pairedRatioInterval(ratios.map(() => 1), ratios, 0.99)!;
    assert.ok(Math.abs(r.low - 0.9) < 1e-12 && Math.abs(r.high - 1.2) < 1e-12);
    const d = ratios.map(Math.log);
    const walsh = d.flatMap((x, i) => d.slice(i).map((y) => (x + y) / 2)).sort((a, b) => a - b);
    assert.ok(Math.abs(r.ratio - Math.exp((walsh[13]! + walsh[14]!) / 2)) < 1e-12);
  });

  it('drops pairs with a missing side, keeps an empty trial as the worst; undefined when none is left', () => {
    const r = pairedRatioInterval([10, NaN, 10, 10, 10, 10, 10], [11, 11, 11, 0, 11, 11, 11, 11, 11], 0.99)!;
    assert.equal(r.baselineTrials, 6);
    assert.ok(r.ratio < 1.1, 'the empty round pulls the estimate down');
    assert.equal(r.low, 0, '6 pairs cannot reach 99%');
    assert.equal(pairedRatioInterval([NaN], [1], 0.99), undefined);
  });
});

describe('runToRunNoise', () => {
  it('is the t bound on the moves between consecutive runs (hand-computed)', () => {
    // Moves ln 1.1, -ln 1.1, ln 1.1: mean ln(1.1)/3, sample sd = ln(1.1) * sqrt(4/3) = 0.110056.
    // t quantile at 0.99 with 2 degrees of freedom = 6.964557 (published tables: 6.965).
    const noise = runToRunNoise([100, 110, 100, 110], 0.99)!;
    assert.equal(noise.runs, 4);
    assert.ok(Math.abs(noise.halfWidthLog - 6.964557 * Math.log(1.1) * Math.sqrt(4 / 3)) < 1e-4, String(noise.halfWidthLog));
  });

  it('zero moves: zero width; too few runs, NaN or non-positive medians: unknown', () => {
    assert.equal(runToRunNoise([50, 50, 50, 50, 50], 0.99)!.halfWidthLog, 0);
    assert.equal(runToRunNoise([100, 110, 100], 0.99), undefined);
    assert.equal(runToRunNoise([100, NaN, 110, 0, 100], 0.99), undefined);
  });
});
