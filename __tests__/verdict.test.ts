import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combineVerdicts, judgeRelative } from '../src/gate/verdict.js';
import { compare, pooledErrorRatePct } from '../src/gate/compare.js';
import type { Sample, Scenario } from '../src/types.js';

const steady = (v: number, n = 8) => Array.from({ length: n }, (_, i) => v * (1 + ((i % 3) - 1) * 0.01));
const judge = (baseline: number[], candidate: number[], direction: 'higher-is-better' | 'lower-is-better' = 'higher-is-better') =>
  judgeRelative({ label: 'Requests/s', baseline, candidate, direction, thresholdPct: 5, confidence: 0.99 });

describe('judgeRelative', () => {
  it('regressed: beyond the threshold and certain', () => {
    const j = judge(steady(1000), steady(800));
    assert.equal(j.verdict, 'regressed');
    assert.ok(j.changePct! < -19 && j.changePct! > -21);
    assert.match(j.reason, /Requests\/s -20\.0% \(interval -2\d\.\d% to -1\d\.\d%\): worse than the 5% threshold/);
  });

  it('pass: a change inside the threshold whose interval is inside too', () => {
    assert.equal(judge(steady(1000), steady(990)).verdict, 'pass');
    assert.equal(judge(steady(1000), steady(1000)).verdict, 'pass');
  });

  it('a certain but small change is not a regression', () => {
    // -3% with tight bounds: real, but below the 5% threshold.
    assert.equal(judge(steady(1000), steady(970)).verdict, 'pass');
  });

  it('inconclusive: interval too wide, with the detectable change stated', () => {
    const noisy = [1000, 700, 1300, 900, 1100, 800, 1200, 1000];
    const j = judge(noisy, noisy.map((v) => v * 0.97));
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.reason, /could only detect changes of about \d+%/);
    // The same figure is kept for the report: half the interval's width.
    assert.equal(Math.round(j.detectablePct!), Number(/about (\d+)%/.exec(j.reason)![1]));
    assert.ok(j.detectablePct! > 5);
  });

  it('inconclusive with too few trials, saying how many are needed', () => {
    const j = judge([1000, 1010, 990], [500, 505, 495]);
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.reason, /use at least 5 rounds/);
  });

  it('no usable value on a side: inconclusive, never pass; one empty trial is a trial', () => {
    const j = judge([NaN, NaN, -1], steady(1000));
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.reason, /no usable trials on one side/);
    const empty = judge([NaN, NaN, 0], steady(1000));
    assert.equal(empty.verdict, 'inconclusive');
    assert.match(empty.reason, /1 baseline and 8 candidate trials cannot reach/);
  });

  it('paired rounds: a steady 10% drop under ±30% round drift is a regression; the unpaired view cannot tell', () => {
    const drift = [1, 1.3, 0.7, 1.1, 0.9, 1.25, 0.75, 1.05, 0.95, 1.2];
    const base = drift.map((f) => 1000 * f);
    const cand = drift.map((f, i) => 900 * f * (1 + ((i % 3) - 1) * 0.005));
    const input = { label: 'Requests/s', baseline: base, candidate: cand, direction: 'higher-is-better' as const, thresholdPct: 5, confidence: 0.99 };
    assert.equal(judgeRelative({ ...input, paired: true }).verdict, 'regressed');
    assert.equal(judgeRelative(input).verdict, 'inconclusive');
  });

  it('improved symmetrically, and direction matters for latency', () => {
    assert.equal(judge(steady(1000), steady(1300)).verdict, 'improved');
    assert.equal(judge(steady(10), steady(13), 'lower-is-better').verdict, 'regressed');
    assert.equal(judge(steady(10), steady(7), 'lower-is-better').verdict, 'improved');
  });
});

describe('combineVerdicts', () => {
  it('regressed beats inconclusive beats improved beats pass', () => {
    assert.equal(combineVerdicts(['pass', 'improved', 'regressed', 'inconclusive']), 'regressed');
    assert.equal(combineVerdicts(['pass', 'improved', 'inconclusive']), 'inconclusive');
    assert.equal(combineVerdicts(['pass', 'improved']), 'improved');
    assert.equal(combineVerdicts([]), 'pass');
  });
});

const scenario: Scenario = {
  name: 'home',
  method: 'GET',
  path: '/',
  headers: {},
  connections: 4,
  durationSeconds: 1,
  timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};

function sample(round: number, rps: number, p99Ms: number, extra: Partial<Sample> = {}): Sample {
  return {
    round,
    target: 'app',
    scenario: 'home',
    startedAt: '2026-11-24T00:00:00Z',
    elapsedSeconds: 1,
    requests: rps,
    rps,
    latencyUs: { p50: p99Ms * 500, p90: p99Ms * 800, p99: p99Ms * 1000, p999: p99Ms * 1200, max: p99Ms * 1500, mean: p99Ms * 600 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 50, eventLoopDelayP99Ms: 1 },
    server: { processes: 3, rssBytesTotal: 90e6, rssBytesPerWorker: 30e6, cpuSeconds: rps * 0.001 },
    ...extra,
  };
}
const run = (rps: number, p99: number, extra: Partial<Sample> = {}) => steady(rps).map((r, i) => sample(i + 1, r, p99 * (r / rps), extra));

describe('compare', () => {
  it('regresses on RPS and p99 with the baseline given, naming both', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: run(500, 20), baseline: run(1000, 10), baselineExpected: true, confidence: 0.99 });
    assert.equal(c.verdict, 'regressed');
    const byName = Object.fromEntries(c.scenarios[0]!.metrics.map((m) => [m.metric, m]));
    assert.equal(byName.rps!.verdict, 'regressed');
    assert.equal(byName.p99!.verdict, 'regressed');
    assert.equal(byName.p50!.gating, false);
    assert.equal(byName.memory!.verdict, 'pass');
  });

  it('no baseline: inconclusive in stored mode, pass with compare-to none', () => {
    const stored = compare({ scenarios: [scenario], target: 'app', candidate: run(1000, 10), baselineExpected: true, noBaselineNote: 'none', confidence: 0.99 });
    assert.equal(stored.verdict, 'inconclusive');
    assert.equal(stored.note, 'none');
    const none = compare({ scenarios: [scenario], target: 'app', candidate: run(1000, 10), baselineExpected: false, confidence: 0.99 });
    assert.equal(none.verdict, 'pass');
  });

  it('an error rate above the limit fails on its own, even without a baseline', () => {
    const errors = { connection: 1, timeouts: 1, badStatus: { '500': 8 } };
    const c = compare({ scenarios: [scenario], target: 'app', candidate: run(1000, 10, { errors }), baselineExpected: false, confidence: 0.99 });
    assert.equal(c.verdict, 'regressed');
    const err = c.scenarios[0]!.metrics.find((m) => m.metric === 'errorRate')!;
    assert.ok(err.candidate > 0.1 && err.candidate < 1.5);
    assert.match(err.reason, /above the 0\.1% limit/);
  });

  it('pooledErrorRatePct counts errors over attempts', () => {
    assert.equal(pooledErrorRatePct([sample(1, 90, 1, { requests: 90, errors: { connection: 5, timeouts: 2, badStatus: { '503': 3 } } })]), 10);
    assert.equal(pooledErrorRatePct([sample(1, 0, 1, { requests: 0 })]), 100);
  });
});

describe('a stored baseline with recorded history', () => {
  const history = (medians: number[]) => medians.map((rps) => ({ samples: run(rps, 10) }));
  it('a change the trials call certain is inconclusive when whole runs move that much', () => {
    const input = { scenarios: [scenario], target: 'app', candidate: run(880, 10), baseline: run(1000, 10), baselineExpected: true, confidence: 0.99 };
    assert.equal(compare(input).verdict, 'regressed');
    // Recorded runs of the same code moved by about ±10% from one to the next.
    const c = compare({ ...input, history: history([1000, 1100, 1000, 900, 1000, 1100]) });
    const rps = c.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!;
    assert.equal(rps.verdict, 'inconclusive');
    assert.match(rps.reason, /widened to how far 6 recorded runs moved from one to the next/);
    // Runs move by more than the 5% threshold: the report says only paired mode can decide it.
    assert.match(rps.reason, /recorded runs of this scenario move by about ±\d+% from one to the next, more than the threshold, so against a stored baseline no number of rounds can decide a 5% change: only paired mode \(compare-to: base\) can\./);
  });

  it('steady history keeps the trials\' interval', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: run(800, 10), baseline: run(1000, 10), baselineExpected: true, confidence: 0.99, history: history([1000, 1001, 999, 1000, 1000]) });
    assert.equal(c.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!.verdict, 'regressed');
    assert.deepEqual(c.scenarios[0]!.warnings, []);
  });

  it('too little history: said in a warning', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: run(1000, 10), baseline: run(1000, 10), baselineExpected: true, confidence: 0.99, history: history([1000, 1000]) });
    assert.match(c.scenarios[0]!.warnings.join(' '), /Fewer than 4 recorded runs measured this scenario/);
  });
});

describe('a baseline measured differently is not compared', () => {
  it('different connections: no comparison, a warning that says what differs', () => {
    const c = compare({
      scenarios: [scenario],
      target: 'app',
      candidate: run(500, 20),
      baseline: run(1000, 10),
      baselineScenarios: [{ ...scenario, connections: 16 }],
      baselineExpected: true,
      confidence: 0.99,
    });
    assert.equal(c.verdict, 'inconclusive');
    assert.deepEqual(c.scenarios[0]!.warnings, ['Baseline: the baseline measured this scenario differently (connections 16 -> 4), so it is not compared.']);
    assert.equal(c.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!.changePct, undefined);
  });

  it('the same definition is compared', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: run(500, 20), baseline: run(1000, 10), baselineScenarios: [{ ...scenario }], baselineExpected: true, confidence: 0.99 });
    assert.equal(c.verdict, 'regressed');
    assert.deepEqual(c.scenarios[0]!.warnings, []);
  });
});
