import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planLooks, roundsForBudget } from '../src/plan/sequentialPlan.js';
import { roundsToDecide, SequentialGate, type JudgeAt } from '../src/gate/sequential.js';
import { seededRandom } from '../src/stats/random.js';
import { describeStop } from '../src/report/sequential.js';
import type { Comparison, Sample, Verdict } from '../src/types.js';

describe('planLooks', () => {
  it('looks after 20, 40, 60, 90 and at the most rounds, spending 1 - confidence across them', () => {
    const looks = planLooks(129, 0.99, 'paired');
    assert.deepEqual(looks.map((l) => l.rounds), [20, 40, 60, 90, 129]);
    const spent = looks.reduce((s, l) => s + (1 - l.confidence), 0);
    assert.ok(Math.abs(spent - 0.01) < 1e-12);
    for (let i = 1; i < looks.length; i++) assert.ok(looks[i]!.confidence < looks[i - 1]!.confidence, 'later looks spend more');
  });

  it('a look within 10 rounds of the last is merged into it', () => {
    assert.deepEqual(planLooks(25, 0.99, 'paired').map((l) => l.rounds), [25]);
    assert.deepEqual(planLooks(35, 0.99, 'paired').map((l) => l.rounds), [20, 35]);
    assert.deepEqual(planLooks(25, 0.99, 'paired'), [{ rounds: 25, confidence: 0.99 }]);
  });

  it('drops an early look whose share no outcome of its rounds could reach', () => {
    // At 1 - 1e-10 the first look's share (2e-12) is beyond 20 rounds a side even for Mann-Whitney (1 / C(40, 20) = 7e-12).
    const looks = planLooks(120, 1 - 1e-10, 'paired');
    assert.ok(looks[0]!.rounds > 20);
    assert.equal(looks.at(-1)!.rounds, 120);
  });

  it('the rounds that fit a budget leave room for boots and warmups', () => {
    const n = roundsForBudget({ budgetSeconds: 180, targets: 2, scenarios: [{ durationSeconds: 0.5 }], warmupSeconds: 3 });
    assert.equal(n, Math.floor((180 - 2 * (3 + 3)) / (2 * 0.65)));
    assert.equal(roundsForBudget({ budgetSeconds: 5, targets: 2, scenarios: [{ durationSeconds: 0.5 }], warmupSeconds: 3 }), 0);
  });
});

/** A judge that decides each scenario at a given look (1-based), or never. */
function judgeBy(decideAt: Record<string, { look: number; verdict: Verdict }>, lookRounds: number[]): { judge: JudgeAt; calls: Array<{ confidence: number; scenarios: string[]; rounds: number }> } {
  const calls: Array<{ confidence: number; scenarios: string[]; rounds: number }> = [];
  const judge: JudgeAt = (samples, confidence, scenarios) => {
    const rounds = Math.max(...samples.map((s) => s.round));
    calls.push({ confidence, scenarios, rounds });
    const look = lookRounds.indexOf(rounds) + 1;
    const c: Comparison = {
      verdict: 'pass',
      scenarios: scenarios.map((name) => {
        const d = decideAt[name];
        const verdict: Verdict = d && look >= d.look ? d.verdict : 'inconclusive';
        return {
          scenario: name,
          target: 'head',
          verdict,
          excludedTrials: [],
          warnings: [],
          metrics: [{ metric: 'p99', candidate: 1, verdict, gating: true, reason: 'p99.', changePct: 2, detectablePct: 8, thresholdPct: 10 }],
        };
      }),
    };
    return c;
  };
  return { judge, calls };
}

/** Runs the gate's schedule as executePlan does, one fake sample per trial, a fake clock advancing per trial. */
function drive(gate: SequentialGate, clock: { t: number }, msPerTrial = 600): Sample[] {
  const samples: Sample[] = [];
  let batch = gate.next([]);
  while (batch.length) {
    for (const t of batch) {
      clock.t += msPerTrial;
      samples.push({ ...t } as unknown as Sample);
    }
    batch = gate.next(samples);
  }
  return samples;
}

describe('SequentialGate', () => {
  const scenarios = [
    { name: 'home', durationSeconds: 0.5 },
    { name: 'api', durationSeconds: 0.5 },
  ];
  const looks = planLooks(129, 0.99, 'paired');
  const lookRounds = looks.map((l) => l.rounds);

  it('stops measuring a scenario once decided, and stops when none is open', () => {
    const { judge, calls } = judgeBy({ home: { look: 1, verdict: 'pass' }, api: { look: 2, verdict: 'regressed' } }, lookRounds);
    const clock = { t: 0 };
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios, random: seededRandom(1), judge, now: () => clock.t });
    const samples = drive(gate, clock);
    assert.deepEqual(calls.map((c) => [c.rounds, c.scenarios]), [[20, ['home', 'api']], [40, ['api']]]);
    assert.deepEqual(calls.map((c) => c.confidence), [looks[0]!.confidence, looks[1]!.confidence]);
    assert.equal(samples.filter((s) => s.scenario === 'home').length, 2 * 20);
    assert.equal(samples.filter((s) => s.scenario === 'api').length, 2 * 40);
    const { comparison, sequential } = gate.result();
    assert.equal(comparison.verdict, 'regressed');
    assert.deepEqual([sequential.stoppedAtLook, sequential.rounds, sequential.stoppedBecause, sequential.open], [2, 40, 'decided', []]);
    assert.deepEqual(sequential.scenarioLooks, { home: 1, api: 2 });
    assert.match(describeStop(sequential), /^Stopped at look 2 of 5 \(40 rounds per side\): every scenario was decided, so the remaining rounds were not needed; decided earlier: "home" at look 1 \(20 rounds\)\.$/);
  });

  it('runs to the last look when a scenario stays open, and says how many more rounds would likely decide it', () => {
    const { judge } = judgeBy({ home: { look: 1, verdict: 'pass' } }, lookRounds);
    const clock = { t: 0 };
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios, random: seededRandom(1), judge, now: () => clock.t });
    drive(gate, clock);
    const { comparison, sequential } = gate.result();
    assert.deepEqual([sequential.stoppedAtLook, sequential.rounds, sequential.stoppedBecause, sequential.open], [5, 129, 'last-look', ['api']]);
    assert.equal(comparison.verdict, 'inconclusive');
    const p99 = comparison.scenarios.find((s) => s.scenario === 'api')!.metrics[0]!;
    // Half-width 8% with the estimate 2% from 0 and 8% from the 10% threshold: (8/8)^2 -> as many rounds again... just under.
    assert.equal(p99.moreRoundsToDecide, undefined);
    assert.match(describeStop(sequential), /the last planned look; still open: "api"/);
  });

  it('stops when the next rounds would not fit the time budget, at the pace measured so far', () => {
    const { judge } = judgeBy({}, lookRounds);
    const clock = { t: 0 };
    // 4 trials per round at 0.6 s each: 20 rounds take 48 s, 40 take 96 s; a 100 s budget ends after the second look.
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios, random: seededRandom(1), judge, now: () => clock.t, deadlineMs: 100_000 });
    drive(gate, clock);
    const { sequential } = gate.result();
    assert.deepEqual([sequential.stoppedAtLook, sequential.rounds, sequential.stoppedBecause], [2, 40, 'budget']);
    assert.ok(clock.t <= 100_000);
    assert.match(describeStop(sequential), /would not fit the time budget; still open: "home", "api"/);
  });
});

describe('SequentialGate as a confirmation run', () => {
  it('measures only the scenarios that regressed, until the metrics that regressed are decided', () => {
    const looks = planLooks(129, 0.99, 'paired');
    const lookRounds = looks.map((l) => l.rounds);
    // p99 regresses at look 1, rps (the metric to confirm) only at look 2.
    const judge: JudgeAt = (samples, _confidence, scenarios) => {
      const look = lookRounds.indexOf(Math.max(...samples.map((s) => s.round))) + 1;
      const metric = (name: 'rps' | 'p99', verdict: Verdict) => ({ metric: name, candidate: 1, verdict, gating: true, reason: '' });
      return {
        verdict: 'regressed',
        scenarios: scenarios.map((name) => ({
          scenario: name,
          target: 'head',
          verdict: 'regressed' as const,
          excludedTrials: [],
          warnings: [],
          metrics: [metric('p99', 'regressed'), metric('rps', look >= 2 ? 'regressed' : 'inconclusive')],
        })),
      };
    };
    const clock = { t: 0 };
    const scenarios = [
      { name: 'home', durationSeconds: 0.5 },
      { name: 'api', durationSeconds: 0.5 },
    ];
    const gate = new SequentialGate({ looks, targets: ['base', 'head'], scenarios, random: seededRandom(2), judge, now: () => clock.t, confirming: new Map([['api', new Set(['rps'])]]) });
    const samples = drive(gate, clock);
    assert.deepEqual([...new Set(samples.map((s) => s.scenario))], ['api']);
    assert.equal(gate.result().sequential.stoppedAtLook, 2);
  });
});

describe('an open metric says what would decide it', () => {
  const metricJudge = (detectablePct: number): JudgeAt => (_samples, _c, scenarios) => ({
    verdict: 'inconclusive',
    scenarios: scenarios.map((name) => ({
      scenario: name,
      target: 'head',
      verdict: 'inconclusive' as const,
      excludedTrials: [],
      warnings: [],
      metrics: [{ metric: 'p99' as const, candidate: 1, verdict: 'inconclusive' as const, gating: true, reason: 'p99 open.', changePct: 2, detectablePct, thresholdPct: 10 }],
    })),
  });
  const run = (detectablePct: number) => {
    const clock = { t: 0 };
    const gate = new SequentialGate({ looks: planLooks(40, 0.99, 'paired'), targets: ['base', 'head'], scenarios: [{ name: 'home', durationSeconds: 0.5 }], random: seededRandom(1), judge: metricJudge(detectablePct), now: () => clock.t });
    drive(gate, clock, 600);
    return gate.result().comparison.scenarios[0]!.metrics[0]!;
  };

  it('how many more rounds, and about how long at the pace so far', () => {
    // Half-width 12% with 8% of room: (12 / 8)^2 = 2.25 times the 40 rounds, so 50 more; a round took 2 x 0.6 s.
    const m = run(12);
    assert.equal(m.moreRoundsToDecide, 50);
    assert.match(m.reason, /^p99 open\. About 50 more rounds \(about 60 s more of measuring\) would likely decide it\.$/);
  });

  it('beyond ten times the rounds run, it says that time is not the answer', () => {
    assert.match(run(40).reason, /No practical budget decides it on a runner this noisy: it would take about 960 more rounds/);
  });
});

describe('roundsToDecide', () => {
  it('from the half-width and the room between the estimate and the threshold', () => {
    assert.equal(roundsToDecide({ changePct: 2, detectablePct: 12, thresholdPct: 10 }, 60), Math.ceil(60 * (12 / 8) ** 2));
    assert.equal(roundsToDecide({ changePct: -9.5, detectablePct: 3, thresholdPct: 10 }, 60), undefined, 'at the threshold: no estimate');
    assert.equal(roundsToDecide({ changePct: 1, thresholdPct: 10 }, 60), undefined);
  });
});
