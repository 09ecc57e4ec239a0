import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rankTargets, workerSweep } from '../src/gate/shootout.js';
import type { Sample, Scenario } from '../src/types.js';

const scenario = { name: 'home', method: 'GET', path: '/', headers: {}, connections: 4, durationSeconds: 1, timeoutSeconds: 10, thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 } } as Scenario;
const sample = (target: string, round: number, rps: number, mib: number): Sample => ({
  round, target, scenario: 'home', startedAt: '', elapsedSeconds: 1, requests: rps, rps,
  latencyUs: { p50: 1000, p90: 2000, p99: 3000, p999: 4000, max: 5000, mean: 1200 }, histogram: '',
  errors: { connection: 0, timeouts: 0, badStatus: {} }, errorRatePct: 0, bytes: 0, generator: { cpuPct: 30, eventLoopDelayP99Ms: 0 },
  server: { processes: 3, rssBytesTotal: 3 * mib * 1048576, rssBytesPerWorker: mib * 1048576, cpuSeconds: 1 },
});
const noisy = [1, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1];
// Each setup gets its own noise (a rotation of the pattern), so that pairing by round does not
// cancel it the way it cancels noise shared by a round.
let rotation = 0;
const setup = (target: string, rps: number, mib: number) => {
  const shift = (rotation += 3);
  return noisy.map((_, i) => sample(target, i + 1, rps * noisy[(i + shift) % noisy.length]!, mib));
};

describe('rankTargets', () => {
  it('orders by requests/s, bounds each against the fastest, and says who is tied', () => {
    const samples = [...setup('sync', 1000, 30), ...setup('gthread', 1800, 32), ...setup('gthread-copy', 1790, 32)];
    const [r] = rankTargets(samples, [scenario], ['sync', 'gthread', 'gthread-copy'].map((name) => ({ name })), 0.99, 1);
    assert.deepEqual(r!.standings.map((s) => [s.rank, s.target, s.tiedWithFastest]), [
      [1, 'gthread', true],
      [2, 'gthread-copy', true],
      [3, 'sync', false],
    ]);
    const sync = r!.standings[2]!;
    assert.ok(sync.vsFastest!.high < 1 && Math.abs(sync.vsFastest!.ratio - 1000 / 1800) < 0.02);
    assert.equal(sync.memoryMiB, 30);
    assert.equal(
      r!.recommendation,
      'On home, gthread served the most requests/s (1,800); gthread-copy is tied with it (the difference is within noise); it does 1.80x the requests/s of sync, at 32 MiB per worker against 30 MiB.',
    );
  });

  it('one setup only: first, and nothing to compare', () => {
    const [r] = rankTargets(setup('only', 500, 20), [scenario], [{ name: 'only' }], 0.99, 1);
    assert.equal(r!.standings.length, 1);
    assert.equal(r!.recommendation, 'On home, only served the most requests/s (500).');
  });
});

describe('workerSweep', () => {
  const sweepOf = (rpsByWorkers: Array<[number, number]>) => {
    const targets = rpsByWorkers.map(([w]) => ({ name: `gunicorn x${w}`, preset: { server: 'gunicorn', workers: w } }));
    const samples = rpsByWorkers.flatMap(([w, rps]) => setup(`gunicorn x${w}`, rps, 30));
    return rankTargets(samples, [scenario], targets, 0.99, 2)[0]!;
  };

  it('finds where throughput stops rising, and says 2 x cores + 1 holds', () => {
    const r = sweepOf([[1, 1000], [2, 1900], [3, 2700], [5, 2720], [8, 2710]]);
    assert.deepEqual(r.sweep!.points.map((p) => p.workers), [1, 2, 3, 5, 8]);
    assert.equal(r.sweep!.plateauWorkers, 3);
    assert.equal(r.sweep!.ruleWorkers, 5);
    assert.equal(r.sweep!.finding, '2 x cores + 1 = 5 workers holds for this app: within noise of the fastest, though 3 workers already reach that with less memory in total.');
    assert.match(r.recommendation, /Throughput stops rising at 3 workers\./);
  });

  it('says when the rule does not hold', () => {
    const r = sweepOf([[2, 1900], [3, 2700], [5, 2000]]);
    assert.equal(r.sweep!.finding, '2 x cores + 1 = 5 workers does not hold for this app: 26% fewer requests/s than the fastest (3 workers).');
  });

  it('is only a sweep when every setup is the same preset at a different worker count', () => {
    assert.equal(workerSweep([], [{ name: 'a', preset: { server: 'gunicorn', workers: 2 } }, { name: 'b', preset: { server: 'uwsgi', workers: 3 } }], 2), undefined);
    assert.equal(workerSweep([], [{ name: 'a', preset: { server: 'gunicorn', workers: 2 } }, { name: 'b' }], 2), undefined);
  });
});

describe('rankTargets pairs by round when it can', () => {
  it('with 10 rounds drifting for everyone, a 5% slower setup is certainly slower', () => {
    const drift = [1, 1.3, 0.7, 1.1, 0.9, 1.25, 0.75, 1.05, 0.95, 1.2];
    const samples = [
      ...drift.map((f, i) => sample('fast', i + 1, 1000 * f, 30)),
      ...drift.map((f, i) => sample('slow', i + 1, 950 * f * (1 + ((i % 3) - 1) * 0.003), 30)),
    ];
    const [r] = rankTargets(samples, [scenario], [{ name: 'fast' }, { name: 'slow' }], 0.99, 1);
    const slow = r!.standings[1]!;
    assert.equal(slow.vsFastest!.method, 'paired');
    assert.equal(slow.tiedWithFastest, false);
    assert.ok(Math.abs(slow.vsFastest!.ratio - 0.95) < 0.005);
  });

  it('with 5 rounds it falls back to the unpaired interval', () => {
    const samples = [...setup('a', 1000, 30).slice(0, 5), ...setup('b', 900, 30).slice(0, 5)];
    const [r] = rankTargets(samples, [scenario], [{ name: 'a' }, { name: 'b' }], 0.99, 1);
    assert.equal(r!.standings[1]!.vsFastest!.method, 'unpaired');
  });
});
