// A tail quantile resting on too few requests decides nothing, in either direction: stored and
// paired modes, per-trial figures of old records, and a sequential gate's early looks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minRequestsForBound, minRequestsForTail, tailSupported } from '../src/stats/tailSupport.js';
import { tailMetric } from '../src/gate/tailMetric.js';
import { judgeInterval } from '../src/gate/verdict.js';
import { compareTails } from '../src/stats/tailQuantiles.js';
import { compare, pairedSides } from '../src/gate/compare.js';
import { planLooks } from '../src/plan/sequentialPlan.js';
import { SequentialGate, type JudgeAt } from '../src/gate/sequential.js';
import { seededRandom } from '../src/stats/random.js';
import { describeStop } from '../src/report/sequential.js';
import { renderSummary } from '../src/report/summary.js';
import { encodeHistogram, histogramSteps, newLatencyHistogram } from '../src/load/histogram.js';
import type { Comparison, RunResult, Sample, Scenario } from '../src/types.js';
import { SCENARIO } from './helpers/records.js';

const scenario: Scenario = { ...SCENARIO, connections: 4, durationSeconds: 0.5 };

/** One trial whose requests took `latenciesUs`; rps and memory steady, so only the tail can differ. */
function trial(target: string, round: number, latenciesUs: number[], histogram = true): Sample {
  const h = newLatencyHistogram();
  for (const v of latenciesUs) h.recordValue(v);
  const sorted = [...latenciesUs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const rps = 100 * (1 + ((round % 3) - 1) * 0.002);
  return {
    round,
    target,
    scenario: 'home',
    startedAt: '2026-12-07T00:00:00Z',
    elapsedSeconds: 0.5,
    requests: latenciesUs.length,
    rps,
    latencyUs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted.at(-1)!, mean: sorted[0]! },
    histogram: histogram ? encodeHistogram(h) : '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 30, eventLoopDelayP99Ms: 1 },
    server: { processes: 2, rssBytesTotal: 60e6, rssBytesPerWorker: 30e6, cpuSeconds: 0.05 },
  };
}

/** n requests around 10 ms (a steady spread), the first `slow` of them at slowUs. */
function latencies(random: () => number, n: number, slow = 0, slowUs = 59_500): number[] {
  return Array.from({ length: n }, (_, i) => (i < slow ? slowUs : Math.round(10_000 * (0.9 + 0.2 * random()))));
}

/** The run that once read "p99 regressed +439%" on 76 requests: 5 rounds a side, one slow request per candidate round. */
function thinRun(histogram = true) {
  const random = seededRandom(76);
  const baseline = [16, 16, 16, 16, 16].map((n, r) => trial('app', r + 1, latencies(random, n), histogram));
  const candidate = [15, 15, 15, 15, 16].map((n, r) => trial('app', r + 1, latencies(random, n, 1), histogram));
  return { baseline, candidate };
}

describe('how many requests a tail quantile needs', () => {
  it('the order statistics bound the percentile from above only once p^n <= 1 - confidence', () => {
    for (const [p, c, n] of [
      [99, 0.99, 459],
      [90, 0.99, 44],
      [99, 0.9995, 757],
    ] as const) {
      assert.equal(minRequestsForBound(p, c), n, `p${p} at ${c}`);
      assert.ok((p / 100) ** n <= 1 - c && (p / 100) ** (n - 1) > 1 - c);
    }
  });

  it('and at least 10 beyond the quantile: 1,000 requests for p99, 100 for p90, more at an extreme confidence', () => {
    assert.equal(minRequestsForTail(99, 0.99), 1000);
    assert.equal(minRequestsForTail(90, 0.99), 100);
    // The share the first look of a default paired gate spends (0.016%) still fits in 1,000.
    assert.equal(minRequestsForTail(99, 0.99984), 1000);
    assert.equal(minRequestsForTail(99, 0.99999), minRequestsForBound(99, 0.99999));
    assert.ok(minRequestsForTail(99, 0.99999) > 1000);
    assert.equal(tailSupported([{ requests: 1000, beyond: 10 }, { requests: 1200, beyond: 12 }], 99, 0.99), true);
    assert.equal(tailSupported([{ requests: 1000, beyond: 10 }, { requests: 999, beyond: 9 }], 99, 0.99), false);
  });
});

describe('a thin tail decides nothing, in either direction', () => {
  it('stored mode: +439% on 76 requests with an interval wholly past the threshold is not `regressed`', () => {
    const { baseline, candidate } = thinRun();
    // The shape of the false alarm: every resample holds a slow request, so the interval sits far past 10%.
    const tails = compareTails({ baseline: baseline.map((s) => histogramSteps(s.histogram)), candidate: candidate.map((s) => histogramSteps(s.histogram)), paired: false, percentile: 99, confidence: 0.99 });
    const asJudged = judgeInterval({ label: 'p99 latency', direction: 'lower-is-better', thresholdPct: 10, confidence: 0.99 }, tails.interval);
    assert.equal(asJudged.verdict, 'regressed', 'the interval alone would fail the gate');
    assert.ok(asJudged.changePct! > 400 && asJudged.ciLowPct! > 10, asJudged.reason);
    const m = tailMetric({ label: 'p99 latency', percentile: 99, baseline, candidate, paired: false, thresholdPct: 10, confidence: 0.99 })!;
    assert.ok(m.changePct! > 400);
    // No interval shown for a tail that cannot be bounded.
    assert.deepEqual([m.ciLowPct, m.ciHighPct, m.detectablePct], [undefined, undefined, undefined]);
    assert.equal(m.tail!.candidateRequests, 76);
    assert.equal(m.tail!.enough, false);
    assert.equal(m.verdict, 'inconclusive');
    assert.match(m.reason, /^p99 latency \+4\d\d\.\d% is not judged: p99 pooled over 80 baseline and 76 candidate requests \(0 and 0 beyond it\): too few to measure p99, which needs at least 10 requests beyond it on each side \(about 1,000 requests per side\), so p99 decides nothing here, neither pass nor regressed/);
    assert.doesNotMatch(m.reason, /worse than the/);
  });

  it('stored mode with recorded runs, and paired mode: the same', () => {
    const { baseline, candidate } = thinRun();
    const widened = tailMetric({ label: 'p99 latency', percentile: 99, baseline, candidate, paired: false, thresholdPct: 10, confidence: 0.99, runNoise: { halfWidthLog: 0.05, runs: 8 } })!;
    assert.equal(widened.verdict, 'inconclusive');
    const paired = tailMetric({ label: 'p99 latency', percentile: 99, baseline: baseline.slice(0, 5), candidate, paired: true, thresholdPct: 10, confidence: 0.99 })!;
    assert.equal(paired.verdict, 'inconclusive');
    assert.match(paired.reason, /decides nothing here, neither pass nor regressed/);
  });

  it('nor `pass` or `improved`: a head faster in its thin tail is not judged either', () => {
    const { baseline, candidate } = thinRun();
    const m = tailMetric({ label: 'p99 latency', percentile: 99, baseline: candidate, candidate: baseline, paired: false, thresholdPct: 10, confidence: 0.99 })!;
    assert.ok(m.changePct! < -50);
    assert.equal(m.verdict, 'inconclusive');
  });

  it('enough requests: the same slow share decides', () => {
    const random = seededRandom(5);
    const baseline = Array.from({ length: 10 }, (_, r) => trial('app', r + 1, latencies(random, 150)));
    const candidate = Array.from({ length: 10 }, (_, r) => trial('app', r + 1, latencies(random, 150, 3)));
    const m = tailMetric({ label: 'p99 latency', percentile: 99, baseline, candidate, paired: false, thresholdPct: 10, confidence: 0.99 })!;
    assert.equal(m.tail!.enough, true);
    assert.equal(m.verdict, 'regressed');
  });

  it('the gate and the report: the scenario is not failed on the tail, and the row says why', () => {
    const { baseline, candidate } = thinRun();
    const c = compare({ scenarios: [scenario], target: 'app', candidate, baseline, baselineExpected: true, confidence: 0.99 });
    const p99 = c.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!;
    assert.equal(p99.verdict, 'inconclusive');
    assert.notEqual(c.verdict, 'regressed');
    const md = renderSummary({
      schemaVersion: 1,
      meta: { createdAt: 'x', tool: { name: 't', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', node: '20' } },
      settings: { rounds: 5, warmupSeconds: 0, confidence: 0.99, targets: [], scenarios: [scenario], cpuPlacement: 'off' },
      samples: candidate,
      comparison: c,
      verdict: c.verdict,
    } satisfies RunResult);
    assert.match(md, /\| p99 latency \| [\d.]+ ms \| [\d.]+ ms \| \+4\d\d\.\d% \| – \| ⚠️ inconclusive \(too few requests for the tail\) \|/);
    assert.doesNotMatch(md, /p99 latency ±/, 'no "could tell apart" figure for it');
    assert.match(md, /p99 decides nothing here, neither pass nor regressed/);
  });

  it('records without histograms: a median of per-trial p99s of 15 requests is not judged either', () => {
    const { baseline, candidate } = thinRun(false);
    const c = compare({ scenarios: [scenario], target: 'app', candidate, baseline, baselineExpected: true, confidence: 0.99 });
    const p99 = c.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!;
    assert.equal(p99.tail, undefined, 'the per-trial path');
    assert.equal(p99.verdict, 'inconclusive');
    assert.match(p99.reason, /is not judged: p99 of each trial \(no latency histograms recorded\): the thinnest trial holds 15 requests/);
  });
});

/** Judges a look of paired rounds as the product does: head against base, round by round. */
const pairedJudge: JudgeAt = (samples, confidence, scenarios) =>
  compare({
    scenarios: [scenario].filter((s) => scenarios.includes(s.name)),
    target: 'head',
    ...pairedSides(samples, 'head'),
    paired: true,
    baselineExpected: true,
    confidence,
  });

describe('a thin tail at an early sequential look stays open', () => {
  it('open at 20 rounds (600 requests a side), decided at 40 (1,200) with the same slow share', () => {
    const looks = planLooks(60, 0.99, 'paired');
    assert.deepEqual(looks.map((l) => l.rounds), [20, 40, 60]);
    const random = seededRandom(9);
    const perLook: Comparison[] = [];
    const judge: JudgeAt = (samples, confidence, scenarios) => {
      const c = pairedJudge(samples, confidence, scenarios);
      perLook.push(c);
      return c;
    };
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios: [scenario], random: seededRandom(1), judge, now: () => 0 });
    const samples: Sample[] = [];
    // 30 requests per trial; the head has 1 in 30 at 5.4x (p99 of the head is that slow request).
    for (let batch = gate.next([]); batch.length; batch = gate.next(samples)) {
      for (const t of batch) samples.push(trial(t.target, t.round, latencies(random, 30, t.target === 'head' ? 1 : 0)));
    }
    const p99At = (c: Comparison) => c.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!;
    assert.equal(perLook.length, 2);
    assert.equal(p99At(perLook[0]!).tail!.candidateRequests, 600);
    assert.equal(p99At(perLook[0]!).verdict, 'inconclusive');
    assert.equal(p99At(perLook[0]!).ciLowPct, undefined, 'no interval shown for a thin tail');
    assert.equal(p99At(perLook[1]!).tail!.enough, true);
    assert.equal(p99At(perLook[1]!).verdict, 'regressed');
    const { comparison, sequential } = gate.result();
    assert.equal(comparison.verdict, 'regressed');
    assert.deepEqual([sequential.stoppedAtLook, sequential.rounds, sequential.stoppedBecause], [2, 40, 'decided']);
    assert.match(describeStop(sequential), /^Stopped at look 2 of 3 \(40 rounds per side\): every scenario was decided/);
  });

  it('still thin at the last look: it says how many more rounds would give the tail its requests', () => {
    const looks = planLooks(20, 0.99, 'paired');
    const random = seededRandom(3);
    const judge: JudgeAt = pairedJudge;
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios: [scenario], random: seededRandom(1), judge, now: () => 0 });
    const samples: Sample[] = [];
    for (let batch = gate.next([]); batch.length; batch = gate.next(samples)) {
      for (const t of batch) samples.push(trial(t.target, t.round, latencies(random, 30)));
    }
    const p99 = gate.result().comparison.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!;
    assert.equal(p99.verdict, 'inconclusive');
    // 600 requests a side in 20 rounds; 1,000 need 34 rounds.
    assert.equal(p99.moreRoundsToDecide, 14);
    assert.match(p99.reason, /neither pass nor regressed[^]*About 14 more rounds would likely decide it\.$/);
  });
});
