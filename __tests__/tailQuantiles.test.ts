import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareTails, MIN_TAIL_REQUESTS, pooledPercentile, type Distribution } from '../src/stats/tailQuantiles.js';
import { tailMetric } from '../src/gate/tailMetric.js';
import { encodeHistogram, histogramSteps, mergeHistograms, newLatencyHistogram } from '../src/load/histogram.js';
import type { Sample } from '../src/types.js';

/** mulberry32, so the simulated latencies are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One round: `n` latencies in microseconds, lognormal around `medianUs`, a `slowPct` share at `slowUs`. */
function round(random: () => number, n: number, medianUs: number, slowPct = 0, slowUs = 0): number[] {
  return Array.from({ length: n }, () => {
    if (random() * 100 < slowPct) return slowUs;
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.round(medianUs * Math.exp(0.5 * z));
  });
}

function encoded(values: number[]): string {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h);
}

const steps = (values: number[]): Distribution => histogramSteps(encoded(values));

describe('pooledPercentile', () => {
  it('1..100 once each: p99 is 99, p50 is 50, p100 is 100', () => {
    const d: Distribution = { values: Array.from({ length: 100 }, (_, i) => i + 1), counts: new Array(100).fill(1) };
    assert.equal(pooledPercentile([d], 99).value, 99);
    assert.equal(pooledPercentile([d], 50).value, 50);
    assert.equal(pooledPercentile([d], 100).value, 100);
    assert.equal(pooledPercentile([d], 99).beyond, 1);
  });

  it('splitting the same values over rounds changes nothing', () => {
    const a: Distribution = { values: [1, 3, 5], counts: [10, 10, 10] };
    const b: Distribution = { values: [2, 4, 6], counts: [10, 10, 10] };
    // 60 values: rank 30 of p50 is the last 3; rank 60 of p99 (59.4 rounded up) is 6.
    assert.equal(pooledPercentile([a, b], 50).value, 3);
    assert.equal(pooledPercentile([a, b], 99).value, 6);
    assert.equal(pooledPercentile([a, b], 99).requests, 60);
  });

  it('agrees with HdrHistogram on the merged histograms (p50, p99, p99.9)', () => {
    const random = rng(7);
    const rounds = Array.from({ length: 12 }, () => encoded(round(random, 400, 5000, 1, 40_000)));
    const merged = mergeHistograms(rounds);
    for (const p of [50, 90, 99, 99.9]) {
      assert.equal(pooledPercentile(rounds.map(histogramSteps), p).value, merged.getValueAtPercentile(p), `p${p}`);
    }
  });
});

describe('compareTails', () => {
  const random = rng(11);
  const base = Array.from({ length: 30 }, () => steps(round(random, 300, 10_000)));

  it('identical sides: ratio exactly 1 and the interval covers it', () => {
    const t = compareTails({ baseline: base, candidate: base, paired: true, percentile: 99, confidence: 0.99 });
    assert.equal(t.interval!.ratio, 1);
    // The same rounds are drawn on both sides: every resample's ratio is 1.
    assert.equal(t.interval!.low, 1);
    assert.equal(t.interval!.high, 1);
    assert.equal(t.baseline.requests, 9000);
    assert.equal(t.baseline.beyond, 90);
    assert.ok(t.enough);
  });

  it('2% of requests at 800 ms: the candidate p99 is the slow requests, far above the baseline', () => {
    const head = Array.from({ length: 30 }, () => steps(round(random, 300, 10_000, 2, 800_000)));
    const t = compareTails({ baseline: base, candidate: head, paired: true, percentile: 99, confidence: 0.99 });
    assert.ok(Math.abs(t.candidate.value - 800_000) / 800_000 < 0.001, String(t.candidate.value));
    assert.ok(t.interval!.low > 10, `low bound ${t.interval!.low}`);
  });

  it('is reproducible: the same input gives the same interval', () => {
    const head = Array.from({ length: 30 }, () => steps(round(random, 300, 10_500)));
    const one = compareTails({ baseline: base, candidate: head, paired: false, percentile: 99, confidence: 0.99 });
    const two = compareTails({ baseline: base, candidate: head, paired: false, percentile: 99, confidence: 0.99 });
    assert.deepEqual(one, two);
  });

  it('fewer than 5 rounds a side: no bound', () => {
    const t = compareTails({ baseline: base.slice(0, 4), candidate: base.slice(4, 8), paired: true, percentile: 99, confidence: 0.99 });
    assert.equal(t.interval!.low, 0);
    assert.equal(t.interval!.high, Infinity);
  });

  it('counts how many requests the tail rests on, and says when too few', () => {
    const few = Array.from({ length: 10 }, () => steps(round(random, 50, 10_000)));
    const t = compareTails({ baseline: few, candidate: few, paired: true, percentile: 99, confidence: 0.99 });
    assert.equal(t.baseline.requests, 500);
    assert.equal(t.baseline.beyond, 5);
    assert.ok(5 < MIN_TAIL_REQUESTS);
    assert.equal(t.enough, false);
  });

  it('same distribution on both sides, rounds drifting together: the upper bound rarely excludes no change', () => {
    // 100 simulated A/A gates of 20 paired rounds; each round shares a multiplicative drift.
    // Each bound is one-sided at 99%, so about 1% of gates may exclude 1 on each side by chance.
    const sim = rng(23);
    let above = 0;
    let below = 0;
    const gates = 100;
    for (let g = 0; g < gates; g++) {
      const b: Distribution[] = [];
      const c: Distribution[] = [];
      for (let r = 0; r < 20; r++) {
        const drift = 8000 * Math.exp(0.1 * (sim() - 0.5));
        b.push(steps(round(sim, 200, drift)));
        c.push(steps(round(sim, 200, drift)));
      }
      const iv = compareTails({ baseline: b, candidate: c, paired: true, percentile: 99, confidence: 0.99, iterations: 1000 }).interval!;
      if (iv.low > 1) above++;
      if (iv.high < 1) below++;
    }
    assert.ok(above <= 0.03 * gates, `${above} of ${gates} gates said slower`);
    assert.ok(below <= 0.03 * gates, `${below} of ${gates} gates said faster`);
  });
});

describe('tailMetric', () => {
  const random = rng(31);
  const sample = (target: string, r: number, values: number[]): Sample =>
    ({ round: r, target, scenario: '/', histogram: encoded(values), latencyUs: { p99: 0 } }) as unknown as Sample;

  it('a head with 2% slow requests regresses on p99, with the pooled figures in ms and the request counts', () => {
    const base = Array.from({ length: 20 }, (_, r) => sample('base', r + 1, round(random, 300, 10_000)));
    const head = Array.from({ length: 20 }, (_, r) => sample('head', r + 1, round(random, 300, 10_000, 2, 800_000)));
    const m = tailMetric({ label: 'p99 latency', percentile: 99, baseline: base, candidate: head, paired: true, thresholdPct: 10, confidence: 0.99 })!;
    assert.equal(m.verdict, 'regressed');
    assert.ok(Math.abs(m.candidate - 800) < 1, String(m.candidate));
    assert.equal(m.tail!.candidateRequests, 6000);
    assert.match(m.reason, /p99 pooled over 6,000 baseline and 6,000 candidate requests \(60 and 60 beyond it\)/);
  });

  it('too few requests beyond p99: never pass, and the reason says so', () => {
    const base = Array.from({ length: 10 }, (_, r) => sample('base', r + 1, round(random, 40, 10_000)));
    const m = tailMetric({ label: 'p99 latency', percentile: 99, baseline: base, candidate: base, paired: true, thresholdPct: 10, confidence: 0.99 })!;
    assert.equal(m.verdict, 'inconclusive');
    assert.equal(m.tail!.enough, false);
    assert.match(m.reason, /too few to measure p99/);
  });

  it('pairs by round number, whatever the order of the samples', () => {
    const base = Array.from({ length: 10 }, (_, r) => sample('base', r + 1, round(random, 300, 10_000 * (1 + r / 10))));
    const m1 = tailMetric({ label: 'p99', percentile: 99, baseline: base, candidate: base, paired: true, thresholdPct: 10, confidence: 0.99 })!;
    const m2 = tailMetric({ label: 'p99', percentile: 99, baseline: [...base].reverse(), candidate: base, paired: true, thresholdPct: 10, confidence: 0.99 })!;
    assert.equal(m1.ciLowPct, 0);
    assert.deepEqual(m2, m1);
  });
});

describe('compareTails at the confidence of an early sequential look', () => {
  it('a bound beyond all but a few resamples comes from their spread, and is wider than the 99% one', () => {
    const side = (scale: number, seed: number): Distribution[] => {
      let x = seed;
      return Array.from({ length: 30 }, () => {
        x = (x * 48271) % 2147483647;
        const jitter = 1 + ((x % 1000) - 500) / 5000;
        return { values: [1000, 2000, 10_000 * scale * jitter], counts: [900, 80, 20] };
      });
    };
    const input = { baseline: side(1, 7), candidate: side(1, 11), paired: true, percentile: 99 };
    const at99 = compareTails({ ...input, confidence: 0.99 }).interval!;
    const early = compareTails({ ...input, confidence: 0.9998 }).interval!;
    assert.ok(early.low < at99.low && early.high > at99.high, `${early.low}-${early.high} vs ${at99.low}-${at99.high}`);
    assert.ok(early.low > 0 && Number.isFinite(early.high));
    assert.ok(early.low <= early.ratio && early.ratio <= early.high);
  });
});
