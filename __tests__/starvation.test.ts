// Starvation: the rule that tells a server leaving connections waiting from a fair one
// (load/connectionFairness.ts), what it does to the latency rows (gate/starvation.ts), and the
// failed requests by kind (load/errorKinds.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_MEAN_RESPONSES, unevenService } from '../src/load/connectionFairness.js';
import { starvationLine, withholdLatencyOnStarvation } from '../src/gate/starvation.js';
import { describeErrorKinds, errorKinds } from '../src/load/errorKinds.js';
import { compare } from '../src/gate/compare.js';
import { renderSummary } from '../src/report/summary.js';
import type { MetricComparison, Sample, Scenario } from '../src/types.js';
import { runAt } from './helpers/records.js';

const scenario: Scenario = {
  name: 'home',
  method: 'GET',
  path: '/',
  headers: {},
  connections: 16,
  durationSeconds: 2,
  timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};

function sample(round: number, extra: Partial<Sample> = {}): Sample {
  const rps = 1000 + ((round * 37) % 11) * 5;
  return {
    round,
    target: 'app',
    scenario: 'home',
    startedAt: `2026-12-06T00:00:${String(round).padStart(2, '0')}Z`,
    elapsedSeconds: 2,
    requests: rps * 2,
    rps,
    latencyUs: { p50: 5000, p90: 8000, p99: 10000 + round * 10, p999: 12000, max: 15000, mean: 6000 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 50, eventLoopDelayP99Ms: 1 },
    ...extra,
  };
}
const even = Array.from({ length: 16 }, (_, i) => 120 + (i % 5) * 7);
/** uWSGI --http11-socket with 2 processes, as measured: two connections get everything. */
const twoServed = [4164, 3856, ...Array<number>(14).fill(0)];

describe('unevenService: which trials left connections waiting', () => {
  it('finds the measured starvation and says how many connections got nothing', () => {
    assert.deepEqual(unevenService(twoServed), { connections: 16, starved: 14, none: 14, share: 8020 / 16 });
  });

  it('counts a connection under 1% of its share as starved, not only an empty one', () => {
    // The issue's own count: every starved connection got one response.
    const found = unevenService([23362, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 23362]);
    assert.deepEqual(found && { starved: found.starved, none: found.none }, { starved: 14, none: 0 });
    const mixed = unevenService([900, 900, 900, 900, 2, 3, 1, 0, 4, 5, ...Array<number>(6).fill(900)]);
    assert.deepEqual(mixed && { starved: mixed.starved, none: mixed.none }, { starved: 6, none: 1 }, 'share 563: under 5.63 is starved');
  });

  it('leaves fair servers alone, even the least even one measured (a connection at 39% of its share)', () => {
    assert.equal(unevenService(even), undefined);
    assert.equal(unevenService([39, 100, 100, 100, 161, 100, 100, 100]), undefined);
  });

  it('leaves alone the few connections a slow request stalls (2 of 16 measured at most)', () => {
    // A 0.8 s request in a 0.5 s trial: those connections got nothing, every other one plenty.
    assert.equal(unevenService([0, 0, 0, 0, 0, ...Array<number>(11).fill(60)]), undefined, '5 of 16 is under a third');
    assert.ok(unevenService([0, 0, 0, 0, 0, 0, ...Array<number>(10).fill(60)]), '6 of 16 is a third');
    // Stalled late in the window: a few responses, but well over 1% of the share.
    assert.equal(unevenService([3, 2, 1, 4, 2, 3, 1, 2, ...Array<number>(8).fill(60)]), undefined, 'share 31: 1 response is over 1%');
  });

  it('judges only trials with enough responses per connection that an empty one is not chance', () => {
    const few = [MIN_MEAN_RESPONSES * 8, MIN_MEAN_RESPONSES * 8 - 1, ...Array<number>(14).fill(0)];
    assert.equal(unevenService(few), undefined, 'just under the minimum mean');
    assert.ok(unevenService([MIN_MEAN_RESPONSES * 8, MIN_MEAN_RESPONSES * 8, ...Array<number>(14).fill(0)]));
  });

  it('needs two starved connections, so judges 3 connections or more, and nothing for older records without counts', () => {
    assert.equal(unevenService([5000]), undefined);
    assert.equal(unevenService([5000, 0]), undefined, 'one empty connection is what one slow request does');
    assert.ok(unevenService([5000, 0, 0]));
    assert.equal(unevenService(undefined), undefined);
    assert.equal(unevenService([]), undefined);
  });
});

const latencyRows = (metrics: MetricComparison[]) => metrics.filter((m) => m.metric === 'p99' || m.metric === 'p50');

describe('a starved trial decides no latency verdict', () => {
  const starvedTrials = Array.from({ length: 6 }, (_, i) => sample(i + 1, { responsesPerConnection: twoServed }));
  const fairTrials = Array.from({ length: 6 }, (_, i) => sample(i + 1, { responsesPerConnection: even }));

  it('the line names the side, how many connections, the trial length and how many trials', () => {
    assert.equal(
      starvationLine('The head', starvedTrials),
      'The head: 14 of 16 connections got no response in 2 s (6 of 6 trials served connections unevenly): the server serves connections ' +
        'unevenly; latency figures cover only the served ones, so they decide nothing here.',
    );
    assert.equal(starvationLine('The head', fairTrials), undefined);
  });

  it('paired: p99 would regress, but the head starves connections, so it is inconclusive and says why; rps still decides', () => {
    const slowHead = starvedTrials.map((s) => ({ ...s, latencyUs: { ...s.latencyUs, p99: s.latencyUs.p99 * 3 } }));
    const plain = compare({ scenarios: [scenario], target: 'app', candidate: slowHead.map((s) => ({ ...s, responsesPerConnection: even })), baseline: fairTrials, paired: true, baselineExpected: true, confidence: 0.95 });
    assert.equal(plain.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!.verdict, 'regressed', 'the figures alone would regress');
    const c = compare({ scenarios: [scenario], target: 'app', candidate: slowHead, baseline: fairTrials, paired: true, baselineExpected: true, confidence: 0.95 });
    const sc = c.scenarios[0]!;
    const p99 = sc.metrics.find((m) => m.metric === 'p99')!;
    assert.equal(p99.verdict, 'inconclusive');
    assert.match(p99.reason, /^p99 latency does not decide: the server left connections without a response/);
    assert.equal(sc.metrics.find((m) => m.metric === 'p50')!.gating, false);
    assert.match(sc.metrics.find((m) => m.metric === 'p50')!.reason, /^p50 latency does not decide/);
    assert.equal(sc.metrics.find((m) => m.metric === 'rps')!.verdict, plain.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!.verdict);
    assert.match(sc.warnings[0]!, /^The head: 14 of 16 connections got no response in 2 s/);
    assert.equal(sc.verdict, 'inconclusive');
  });

  it('a starving baseline withholds the latency verdict too, and names the baseline', () => {
    const r = withholdLatencyOnStarvation({
      metrics: [{ metric: 'p99', candidate: 1, baseline: 2, verdict: 'improved', gating: true, reason: 'x' }, { metric: 'rps', candidate: 1, verdict: 'pass', gating: true, reason: 'y' }],
      candidate: fairTrials,
      baseline: [...fairTrials.slice(1), sample(1, { responsesPerConnection: twoServed })],
      candidateName: 'The head',
      baselineName: 'The baseline',
    });
    assert.deepEqual(r.metrics.map((m) => m.verdict), ['inconclusive', 'pass']);
    assert.match(r.warnings.join('\n'), /^The baseline: 14 of 16 connections got no response in 2 s \(1 of 6 trials/);
  });

  it('fair trials on both sides leave the metrics as they were', () => {
    const metrics: MetricComparison[] = [{ metric: 'p99', candidate: 1, baseline: 2, verdict: 'improved', gating: true, reason: 'x' }];
    const r = withholdLatencyOnStarvation({ metrics, candidate: fairTrials, baseline: fairTrials });
    assert.equal(r.metrics, metrics);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(latencyRows(r.metrics), metrics);
  });
});

describe('errors by kind', () => {
  const failing = [
    sample(1, { errors: { connection: 5, connectionByCode: { ECONNRESET: 2, EPIPE: 1, ECONNREFUSED: 1, 'closed-before-response': 1 }, timeouts: 12, badStatus: { 503: 2 } } }),
    sample(2, { errors: { connection: 2, connectionByCode: { EHOSTUNREACH: 1 }, timeouts: 0, badStatus: { 500: 1, 503: 1 } } }),
  ];

  it('sums each kind over the trials; connection errors recorded before the split count as unknown', () => {
    assert.deepEqual(errorKinds(failing), {
      timeouts: 12,
      resets: 3,
      refused: 1,
      closedBeforeResponse: 1,
      otherConnection: { EHOSTUNREACH: 1, unknown: 1 },
      badStatus: { 500: 1, 503: 3 },
    });
    assert.equal(
      describeErrorKinds(errorKinds(failing)),
      '12 timeouts, 3 resets, 1 refused connection, 1 connection closed before the response, 1 connection error (EHOSTUNREACH), 1 connection error (unknown), 1 × HTTP 500, 3 × HTTP 503',
    );
    assert.equal(describeErrorKinds(errorKinds([sample(1)])), '');
  });

  it('the error rate row says what failed, in the reason, the table and the results', () => {
    const c = compare({ scenarios: [scenario], target: 'app', candidate: failing, baseline: [sample(1), sample(2)], paired: true, baselineExpected: true, confidence: 0.95 });
    const rate = c.scenarios[0]!.metrics.find((m) => m.metric === 'errorRate')!;
    assert.match(rate.reason, /Failed requests: 12 timeouts, 3 resets, .*3 × HTTP 503\.$/);
    assert.equal(rate.errorKinds!.candidate.timeouts, 12);
    assert.equal(rate.errorKinds!.baseline!.timeouts, 0);
    const md = renderSummary({ ...runAt('c'.repeat(40), 1000, 10), comparison: c, verdict: c.verdict });
    assert.match(md, /\| \*\*Error rate\*\* \| 0\.00% \| [\d.]+% \(12 timeouts, 3 resets, .*3 × HTTP 503\) \|/);
  });
});
