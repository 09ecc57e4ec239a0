// Stored mode's sequential looks: the head alone against a recorded run, widened by how far
// recorded runs move. It stops early when clearly inside the spread, regresses early when
// clearly past it, and stops at once when the spread alone is beyond the threshold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planLooks, roundsForBudget } from '../src/plan/sequentialPlan.js';
import { DEFAULTS, readConfig } from '../src/config/config.js';
import { SequentialGate, type JudgeAt } from '../src/gate/sequential.js';
import { compare } from '../src/gate/compare.js';
import { seededRandom } from '../src/stats/random.js';
import { describeStop } from '../src/report/sequential.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/paths.js';
import type { RunResult, Sample, Scenario } from '../src/types.js';
import { SCENARIO } from './helpers/records.js';

const scenario: Scenario = { ...SCENARIO, connections: 4, durationSeconds: 10 };

/** One 10 s trial at `rps` with p99 `p99Ms`; 1,200 requests or more, so its own p99 is measured. */
function sample(round: number, rps: number, p99Ms: number): Sample {
  return {
    round,
    target: 'app',
    scenario: 'home',
    startedAt: '2026-12-07T00:00:00Z',
    elapsedSeconds: 10,
    requests: Math.round(rps * 10),
    rps,
    latencyUs: { p50: p99Ms * 500, p90: p99Ms * 800, p99: p99Ms * 1000, p999: p99Ms * 1200, max: p99Ms * 1500, mean: p99Ms * 600 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 50, eventLoopDelayP99Ms: 1 },
    server: { processes: 3, rssBytesTotal: 90e6, rssBytesPerWorker: 30e6, cpuSeconds: rps * 0.01 },
  };
}

/** A run's trials at `level` requests/s, each within ±1% (10 s trials are steady); latency moves inversely. */
function run(random: () => number, level: number, rounds: number, from = 1): Sample[] {
  return Array.from({ length: rounds }, (_, i) => {
    const rps = level * (1 + 0.02 * (random() - 0.5));
    return sample(from + i, rps, (10 * 1000) / rps);
  });
}

/** A stored-mode gate of at most 20 rounds against `recorded` (the last of `history`), the head at `headLevel`. */
function storedGate(historyLevels: number[], headLevel: number, seed = 1) {
  const random = seededRandom(seed);
  const history = historyLevels.map((level) => ({ samples: run(random, level, 20) }));
  const recorded = history.at(-1)!.samples;
  const looks = planLooks(20, 0.99, 'stored');
  const judge: JudgeAt = (samples, confidence, scenarios) =>
    compare({
      scenarios: [scenario].filter((s) => scenarios.includes(s.name)),
      target: 'app',
      candidate: samples,
      baseline: recorded,
      history,
      baselineExpected: true,
      confidence,
      runNoiseConfidence: 0.99,
    });
  const gate = new SequentialGate({ looks, targets: ['app'], scenarios: [scenario], random: seededRandom(seed), judge, now: () => 0, mode: 'stored' });
  const samples: Sample[] = [];
  for (let batch = gate.next([]); batch.length; batch = gate.next(samples)) {
    for (const t of batch) samples.push(...run(random, headLevel, 1, t.round));
  }
  return { samples, looks, ...gate.result() };
}

// Recorded runs of the same code moving by about 1% from one to the next (a quiet runner).
const QUIET = [1000, 1010, 995, 1005, 990, 1000, 1008, 997];
// ... and by about 10% (a shared one): more than the 5% requests/s threshold.
const NOISY = [1000, 1100, 1000, 900, 1000, 1100, 950, 1050];

describe('stored mode looks', () => {
  it('looks after 10 rounds of 20, and once with the default 5 rounds (fewer than 5 trials against 5 cannot reach 99%)', () => {
    const looks = planLooks(20, 0.99, 'stored');
    assert.deepEqual(looks.map((l) => l.rounds), [10, 20]);
    assert.ok(Math.abs(looks.reduce((s, l) => s + (1 - l.confidence), 0) - 0.01) < 1e-12);
    assert.deepEqual(planLooks(5, 0.99, 'stored'), [{ rounds: 5, confidence: 0.99 }]);
    assert.deepEqual(planLooks(60, 0.99, 'stored').map((l) => l.rounds), [10, 20, 40, 60]);
  });

  it('the rounds come from the inputs as before: default 5 (one look), a budget sets them to what fits, looks within', () => {
    const read = (inputs: Record<string, string>) => readConfig({ getInput: (n) => inputs[n] ?? '', readFile: () => undefined, workspace: '/ws', cores: 2 });
    const byDefault = read({ command: 'gunicorn app:app' });
    assert.deepEqual([byDefault.rounds, byDefault.timeBudgetMinutes], [DEFAULTS.rounds, undefined], 'no default budget in stored mode');
    assert.equal(planLooks(byDefault.rounds, byDefault.confidence, 'stored').length, 1);
    const budgeted = read({ command: 'gunicorn app:app', 'time-budget-minutes': '3' });
    const fit = roundsForBudget({ budgetSeconds: 180, targets: 1, scenarios: budgeted.scenarios, warmupSeconds: budgeted.warmupSeconds });
    // 10 s trials: (180 s - boot - warmup) / 10.15 s.
    assert.deepEqual([budgeted.rounds, fit], [17, 17]);
    assert.deepEqual(planLooks(budgeted.rounds, budgeted.confidence, 'stored').map((l) => l.rounds), [10, 17]);
    assert.equal(read({ command: 'gunicorn app:app', rounds: '12', 'time-budget-minutes': '3' }).rounds, 12);
  });

  it('unchanged code, runs that move by 1%: pass at the first look, the second never measured', () => {
    const g = storedGate(QUIET, 1000);
    assert.equal(g.comparison.verdict, 'pass');
    assert.deepEqual([g.sequential.stoppedAtLook, g.sequential.rounds, g.sequential.stoppedBecause], [1, 10, 'decided']);
    assert.equal(g.samples.length, 10);
    const rps = g.comparison.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!;
    assert.match(rps.reason, /widened to how far 8 recorded runs moved/);
    assert.match(describeStop(g.sequential), /^Stopped at look 1 of 2 \(10 rounds, against the stored baseline\): every scenario was decided, so the remaining rounds were not needed\.$/);
  });

  it('a 30% drop regresses at the first look', () => {
    const g = storedGate(QUIET, 700);
    assert.equal(g.comparison.verdict, 'regressed');
    assert.deepEqual([g.sequential.stoppedAtLook, g.sequential.stoppedBecause], [1, 'decided']);
  });

  it('runs that move by 10%: stops at once, no more rounds can decide a 5% change, and says only paired mode can', () => {
    const g = storedGate(NOISY, 1000);
    assert.equal(g.comparison.verdict, 'inconclusive');
    assert.deepEqual([g.sequential.stoppedAtLook, g.sequential.rounds, g.sequential.stoppedBecause, g.sequential.open], [1, 10, 'only-paired', ['home']]);
    const rps = g.comparison.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!;
    assert.equal(rps.onlyPairedDecides, true);
    assert.equal(rps.moreRoundsToDecide, undefined, 'no "more rounds" advice for what rounds cannot decide');
    assert.match(rps.reason, /no number of rounds can decide a 5% change: only paired mode \(compare-to: base\) can\./);
    assert.match(
      describeStop(g.sequential),
      /^Stopped at look 1 of 2 \(10 rounds, against the stored baseline\): what is still open is as narrow as how far recorded runs move from one to the next, and that alone is beyond its threshold, so more rounds cannot decide it; only paired mode \(compare-to: base\) can; still open: "home"\.$/,
    );
  });

  it('the same noisy runs still catch a 30% drop, at the first look', () => {
    const g = storedGate(NOISY, 700);
    assert.equal(g.comparison.verdict, 'regressed');
    assert.equal(g.sequential.stoppedAtLook, 1);
  });

  it('an early look spends its share on the trials only: the widening stays at the gate\'s confidence', () => {
    const random = seededRandom(4);
    const history = QUIET.map((level) => ({ samples: run(random, level, 20) }));
    const input = { scenarios: [scenario], target: 'app', candidate: run(random, 1000, 10), baseline: history.at(-1)!.samples, history, baselineExpected: true, confidence: 0.9988 };
    const width = (c: ReturnType<typeof compare>) => {
      const m = c.scenarios[0]!.metrics.find((x) => x.metric === 'rps')!;
      return m.ciHighPct! - m.ciLowPct!;
    };
    assert.ok(width(compare({ ...input, runNoiseConfidence: 0.99 })) < width(compare(input)));
  });
});

describe('stored mode looks over recorded rounds (bench/results/gate-quality-stored-5x2s.json)', () => {
  // 8 recorded runs of identical code (gunicorn gthread, Flask /json, 5 rounds of 2 s, a calm
  // session): run medians 4,213-4,823 req/s, so runs move by several percent from one to the next.
  const saved = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'results', 'gate-quality-stored-5x2s.json'), 'utf8')) as { a: RunResult[] };
  const runs = saved.a;
  const scenarios = runs[0]!.settings.scenarios;

  it('identical code, every rotation: never regressed, and it stops at the first look (10 of at most 15 rounds)', () => {
    const looks = planLooks(15, 0.99, 'stored');
    assert.deepEqual(looks.map((l) => l.rounds), [10, 15]);
    const outcomes: string[] = [];
    for (let k = 0; k < runs.length; k++) {
      const at = (i: number) => runs[(k + i) % runs.length]!;
      // The head: the rounds of two recorded boots of the same code, renumbered 1..10.
      const head = [at(0), at(1)].flatMap((r) => r.samples).map((s, i) => ({ ...s, round: i + 1 }));
      // The recorded history, oldest first, ending with the baseline run.
      const history = [2, 3, 4, 5, 6, 7].map((i) => ({ samples: at(i).samples, scenarios }));
      const baseline = history.at(-1)!.samples;
      const judge: JudgeAt = (samples, confidence, open) =>
        compare({ scenarios: scenarios.filter((s) => open.includes(s.name)), target: 'app', candidate: samples, baseline, history, baselineExpected: true, confidence, runNoiseConfidence: 0.99 });
      const gate = new SequentialGate({ looks, targets: ['app'], scenarios, random: seededRandom(k), judge, now: () => 0, mode: 'stored' });
      const measured: Sample[] = [];
      for (let batch = gate.next([]); batch.length; batch = gate.next(measured)) {
        for (const t of batch) measured.push(head.find((s) => s.round === t.round)!);
      }
      const { comparison, sequential } = gate.result();
      assert.notEqual(comparison.verdict, 'regressed', JSON.stringify(comparison.scenarios[0]!.metrics.map((m) => m.reason)));
      assert.equal(sequential.stoppedAtLook, 1, describeStop(sequential));
      outcomes.push(`${comparison.verdict}/${sequential.stoppedBecause}`);
    }
    // Runs here move by more than the 5% requests/s threshold: only paired mode can decide it.
    assert.ok(outcomes.every((o) => o === 'inconclusive/only-paired'), outcomes.join(', '));
  });
});
