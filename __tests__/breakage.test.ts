import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryGrowthPct, memoryGrowthWarning, sideChanges, workerChangesMetric } from '../src/gate/breakage.js';
import { compare } from '../src/gate/compare.js';
import { needsConfirmation } from '../src/gate/confirm.js';
import { pairedRatioInterval, ratioInterval } from '../src/stats/intervals.js';
import { renderSummary } from '../src/report/summary.js';
import { treeChange } from '../src/pipeline/executePlan.js';
import type { RunResult, Sample, Scenario } from '../src/types.js';

const scenario: Scenario = {
  name: 'home',
  method: 'GET',
  path: '/',
  headers: {},
  connections: 4,
  durationSeconds: 0.5,
  timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};

function sample(round: number, extra: Partial<Sample> = {}): Sample {
  const rps = 1000 + ((round * 37) % 11) * 5;
  return {
    round,
    target: 'app',
    scenario: 'home',
    startedAt: `2026-11-24T00:00:${String(round).padStart(2, '0')}Z`,
    elapsedSeconds: 1,
    requests: rps,
    rps,
    latencyUs: { p50: 5000, p90: 8000, p99: 10000 + round * 10, p999: 12000, max: 15000, mean: 6000 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 50, eventLoopDelayP99Ms: 1 },
    server: { processes: 3, rssBytesTotal: 90e6, rssBytesPerWorker: 30e6, cpuSeconds: 1 },
    ...extra,
  };
}
const rounds = (n: number, extra: (round: number) => Partial<Sample> = () => ({})) => Array.from({ length: n }, (_, i) => sample(i + 1, extra(i + 1)));
/** Every 4th trial loses a worker (and its in-flight request), as a head calling os._exit every N requests does. */
const crashing = (round: number): Partial<Sample> =>
  round % 4 === 0
    ? { processChange: { exited: 1, started: 1, logTail: round === 4 ? 'worker 123 exited with code 1' : undefined }, server: undefined, errors: { connection: 25, connectionByCode: { 'closed-before-response': 25 }, timeouts: 0, badStatus: {} } }
    : {};

describe('treeChange', () => {
  it('counts exited and started processes, undefined when the tree is the same', () => {
    assert.deepEqual(treeChange([1, 2, 3], [1, 3, 4, 5]), { exited: 1, started: 2 });
    assert.equal(treeChange([1, 2], [2, 1]), undefined);
  });
});

describe('worker exits and starts', () => {
  it('sideChanges sums the counts, keeps the first log tail and the first and last round', () => {
    const c = sideChanges(rounds(12, crashing));
    assert.deepEqual(
      { ...c, logTail: c.logTail?.round },
      { trials: 12, changedTrials: 3, exited: 3, started: 3, uncounted: 0, firstRound: 4, lastRound: 12, firstAt: '2026-11-24T00:00:04Z', logTail: 4 },
    );
  });

  it('none on either side: no metric at all', () => {
    assert.equal(workerChangesMetric({ candidate: rounds(5), baseline: rounds(5) }), undefined);
  });

  it('only the head, repeatedly: regressed, once, naming how many, the side and when', () => {
    const w = workerChangesMetric({ candidate: rounds(12, crashing), baseline: rounds(12) })!;
    assert.equal(w.metric.verdict, 'regressed');
    assert.equal(w.metric.candidate, 3);
    assert.equal(w.metric.baseline, 0);
    assert.match(w.metric.reason, /the head: 3 worker\(s\) exited and 3 started in 3 of 12 trials \(rounds 4 to 12, first at 2026-11-24T00:00:04Z\); none in 12 baseline trials/);
    assert.deepEqual(w.logs, [{ side: 'candidate', round: 4, tail: 'worker 123 exited with code 1' }]);
  });

  it('once on the head: inconclusive, not regressed', () => {
    const w = workerChangesMetric({ candidate: rounds(12, (r) => (r === 4 ? crashing(4) : {})), baseline: rounds(12) })!;
    assert.equal(w.metric.verdict, 'inconclusive');
    assert.match(w.metric.reason, /single trial/);
  });

  it('on both sides (e.g. --max-requests): inconclusive, both named', () => {
    const w = workerChangesMetric({ candidate: rounds(12, crashing), baseline: rounds(12, crashing) })!;
    assert.equal(w.metric.verdict, 'inconclusive');
    assert.match(w.metric.reason, /the baseline does it too \(3 worker\(s\) exited/);
  });

  it('no baseline: inconclusive; only the baseline: reported, pass', () => {
    assert.equal(workerChangesMetric({ candidate: rounds(12, crashing) })!.metric.verdict, 'inconclusive');
    const baseOnly = workerChangesMetric({ candidate: rounds(12), baseline: rounds(12, crashing) })!;
    assert.equal(baseOnly.metric.verdict, 'pass');
    assert.match(baseOnly.metric.reason, /none on the head; the baseline: 3 worker/);
  });

  it('legacy records with `failure` count as changes of unknown size', () => {
    const c = sideChanges(rounds(3, (r) => (r === 2 ? { failure: 'processes changed' } : {})));
    assert.equal(c.changedTrials, 1);
    assert.equal(c.uncounted, 1);
  });
});

describe('compare: a crashing head', () => {
  const head = rounds(20, crashing);
  const base = rounds(20);
  const c = compare({ scenarios: [scenario], target: 'app', candidate: head, baseline: base, paired: true, baselineExpected: true, confidence: 0.99 });
  const sc = c.scenarios[0]!;
  const metric = (name: string) => sc.metrics.find((m) => m.metric === name)!;

  it('is regressed; its trials are not left out; the cut requests are errors', () => {
    assert.equal(c.verdict, 'regressed');
    assert.deepEqual(sc.excludedTrials, []);
    assert.equal(metric('workerChanges').verdict, 'regressed');
    assert.equal(metric('errorRate').verdict, 'regressed');
    assert.ok(metric('errorRate').candidate > 0);
  });

  it('worker exits are facts: no confirmation run is asked for them', () => {
    const onlyWorkers = compare({
      scenarios: [{ ...scenario, thresholds: { ...scenario.thresholds, maxErrorRatePct: 100 } }],
      target: 'app',
      candidate: head,
      baseline: base,
      paired: true,
      baselineExpected: true,
      confidence: 0.99,
    });
    assert.equal(onlyWorkers.verdict, 'regressed');
    assert.equal(needsConfirmation(onlyWorkers), false);
  });

  it('the report names the crashes once, with the log tail, and no list of rounds', () => {
    const result = {
      schemaVersion: 1,
      meta: { createdAt: 'x', tool: { name: 't', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', node: '20' } },
      settings: { rounds: 20, warmupSeconds: 0, confidence: 0.99, targets: [], scenarios: [scenario], cpuPlacement: 'off' },
      samples: head,
      comparison: c,
      verdict: c.verdict,
    } satisfies RunResult;
    const md = renderSummary(result);
    assert.equal(md.match(/worker\(s\) exited/g)?.length, 2, 'once in Regressions, once in Why');
    assert.match(md, /\| \*\*Trials with worker exits\/starts\*\* \| 0 \| 5 \|/);
    assert.match(md, /worker 123 exited with code 1/);
    assert.doesNotMatch(md, /left out/);
  });
});

describe('empty trials rank as the worst, not as missing', () => {
  it('rps 0 is below every measured value, latency Infinity above', () => {
    const base = [100, 101, 99, 100, 102, 98, 100, 101];
    const withEmpty = [100, 101, 99, 0, 0, 0, 0, 0];
    const iv = ratioInterval(base, withEmpty, 0.95)!;
    assert.equal(iv.candidateTrials, 8, 'no trial dropped');
    assert.ok(iv.ratio < 0.5, `ratio ${iv.ratio}`);
    const lat = pairedRatioInterval([10, 10, 10, 10, 10, 10, 10, 10], [10, 10, Infinity, Infinity, Infinity, Infinity, Infinity, Infinity], 0.95)!;
    assert.equal(lat.candidateTrials, 8);
    assert.ok(lat.low > 1, `an empty trial is slower: low bound ${lat.low}`);
  });

  it('a head whose trials all end empty regresses on requests/s and p99 against a working base', () => {
    const empty = rounds(10, () => ({ requests: 0, rps: 0, latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 } }));
    const c = compare({ scenarios: [scenario], target: 'app', candidate: empty, baseline: rounds(10), paired: true, baselineExpected: true, confidence: 0.99 });
    const verdicts = Object.fromEntries(c.scenarios[0]!.metrics.map((m) => [m.metric, m.verdict]));
    assert.equal(verdicts.rps, 'regressed');
    assert.equal(verdicts.p99, 'regressed');
  });
});

describe('memory growth over the run', () => {
  const growing = (from: number, to: number) => (r: number) => ({ server: { processes: 3, rssBytesTotal: 0, rssBytesPerWorker: from + ((to - from) * (r - 1)) / 11, cpuSeconds: 1 } });

  it('measures growth from the first third to the last', () => {
    const pct = memoryGrowthPct(rounds(12, growing(30e6, 60e6)))!;
    assert.ok(pct > 60 && pct < 100, String(pct));
    assert.equal(memoryGrowthPct(rounds(5, growing(30e6, 60e6))), undefined, 'too few trials');
  });

  it('warns when the head grows and the base does not; quiet when both grow or neither', () => {
    assert.match(memoryGrowthWarning(scenario, rounds(12, growing(30e6, 45e6)), rounds(12))!, /grew \d+\.\d% .*\(the baseline grew 0\.0%\)/);
    assert.equal(memoryGrowthWarning(scenario, rounds(12, growing(30e6, 45e6)), rounds(12, growing(30e6, 44e6))), undefined);
    assert.equal(memoryGrowthWarning(scenario, rounds(12), rounds(12)), undefined);
  });

  it('shows in the comparison as a warning', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: rounds(12, growing(30e6, 45e6)), baseline: rounds(12), paired: true, baselineExpected: true, confidence: 0.99 });
    assert.ok(c.scenarios[0]!.warnings.some((w) => /Memory per worker on the head grew/.test(w)));
  });
});
