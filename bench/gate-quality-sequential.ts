// Sequential paired gates judged over recorded rounds, by the product's own code.
//
// A pool (bench/gate-quality-pool.ts: boots of base and head, many interleaved rounds each,
// identical code and calibrated changes) is judged as the sequential gate judges a real run:
// gate/sequential.ts asks for the rounds up to each look, every trial is served from a
// recorded round, and compare() judges each look at its share of the error rate. Two kinds of
// gate, reported apart:
// - real: the recorded rounds of one boot in their recorded order, from round 1 (one gate per
//   boot; disjoint, nothing resampled; as many rounds as the boot holds);
// - resampled: rounds drawn with replacement from one boot (so a boot's own shift stays in its
//   gates), half from rounds where the head ran first and half where it ran second, in
//   reversed pairs, as plan/plan.ts orders them. Gates of one boot overlap: read the rates
//   with the number of boots beside them.
// The clock is simulated from each boot's measured wall time per trial, so the time budget
// stops gates as it would have; a gate's time is its setup (boot, warmup) plus its trials.
// The same gates judged with one fixed look at 60 rounds (the previous default) are printed
// beside them. "With confirmation": a gate that regressed is measured again as the product
// does, by a gate over another boot of the same level (fresh servers); it stays `regressed`
// only when that one regresses too, else it reads `inconclusive`, and its time adds up.
//
// Run: node --import tsx bench/gate-quality-sequential.ts POOL.json [gates per boot=50] [budget minutes=3]
import { readFileSync } from 'node:fs';
import { compare, pairedSides } from '../src/gate/compare.js';
import { SequentialGate } from '../src/gate/sequential.js';
import { planLooks, roundsForBudget, setupSeconds } from '../src/plan/sequentialPlan.js';
import { median } from '../src/stats/intervals.js';
import { seededRandom } from '../src/stats/random.js';
import type { Comparison, Sample, Scenario, Verdict } from '../src/types.js';

interface Boot {
  level: string;
  length: number;
  samples: Sample[];
  wallSeconds: number;
}
interface Pool {
  levels: Array<{ name: string; env: Record<string, string>; metric: 'rps' | 'p99' }>;
  boots: Boot[];
  settings: { scenario?: Scenario };
}

const [file, gatesArg, budgetArg] = process.argv.slice(2);
if (!file) throw new Error('usage: gate-quality-sequential.ts POOL.json [gates per boot] [budget minutes]');
const pool: Pool = JSON.parse(readFileSync(file, 'utf8'));
const gatesPerBoot = Number(gatesArg ?? 50);
const budgetMinutes = Number(budgetArg ?? 3);
const CONFIDENCE = 0.99;
const WARMUP = 3;

/** The scenario the pool measured (the pool bench's: GET /json, 8 connections), with the default thresholds. */
function scenarioOf(boot: Boot): Scenario {
  return (
    pool.settings.scenario ?? {
      name: '/json',
      method: 'GET',
      path: '/json',
      headers: {},
      connections: 8,
      durationSeconds: boot.length,
      timeoutSeconds: 10,
      expectStatus: [200],
      thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
    } as unknown as Scenario
  );
}

interface RecordedRound {
  base: Sample;
  head: Sample;
  headFirst: boolean;
}

function roundsOf(boot: Boot): RecordedRound[] {
  const by = new Map<number, Sample[]>();
  for (const s of boot.samples) by.set(s.round, [...(by.get(s.round) ?? []), s]);
  return [...by.values()]
    .filter((r) => r.length === 2)
    .map((r) => {
      const base = r.find((s) => s.target === 'base')!;
      const head = r.find((s) => s.target === 'head')!;
      return { base, head, headFirst: Date.parse(head.startedAt) < Date.parse(base.startedAt) };
    });
}

function judgeAt(sc: Scenario) {
  return (samples: Sample[], confidence: number): Comparison =>
    compare({
      scenarios: [sc],
      target: 'head',
      ...pairedSides(samples, 'head'),
      paired: true,
      baselineExpected: true,
      confidence,
    });
}

interface GateOutcome {
  verdict: Verdict;
  metricVerdicts: Record<string, Verdict>;
  rounds: number;
  look: number;
  seconds: number;
  rpsChangePct?: number;
  stoppedBecause: string;
}

/** One sequential gate over the rounds `pick(r)` gives for round r (1-based). */
function sequentialGate(boot: Boot, pick: (r: number) => RecordedRound, maxRounds: number, confirming?: Map<string, Set<string>>): GateOutcome {
  const sc = scenarioOf(boot);
  // The boot's wall time less its own setup (2 boots, 1 s of warmup each in the pool bench), per trial.
  const secondsPerTrial = (boot.wallSeconds - setupSeconds({ targets: 2, scenarios: [sc], warmupSeconds: 1 })) / boot.samples.length;
  const setup = setupSeconds({ targets: 2, scenarios: [sc], warmupSeconds: WARMUP });
  const looks = planLooks(maxRounds, CONFIDENCE, 'paired');
  const clock = { ms: setup * 1000 };
  const gate = new SequentialGate({
    looks,
    targets: ['base', 'head'],
    scenarios: [sc],
    random: seededRandom(1),
    judge: judgeAt(sc),
    now: () => clock.ms,
    deadlineMs: budgetMinutes * 60_000,
    confirming,
  });
  const samples: Sample[] = [];
  let batch = gate.next([]);
  while (batch.length) {
    for (const t of batch) {
      const rec = pick(t.round);
      samples.push({ ...(t.target === 'base' ? rec.base : rec.head), round: t.round, scenario: sc.name });
      clock.ms += secondsPerTrial * 1000;
    }
    batch = gate.next(samples);
  }
  const { comparison, sequential } = gate.result();
  const metrics = comparison.scenarios[0]!.metrics;
  return {
    verdict: comparison.verdict,
    metricVerdicts: Object.fromEntries(metrics.filter((m) => m.gating).map((m) => [m.metric, m.verdict])),
    rounds: sequential.rounds,
    look: sequential.stoppedAtLook,
    seconds: clock.ms / 1000,
    rpsChangePct: metrics.find((m) => m.metric === 'rps')?.changePct,
    stoppedBecause: sequential.stoppedBecause,
  };
}

/** The previous default: one look at `rounds`, confidence 0.99. */
function fixedGate(boot: Boot, pick: (r: number) => RecordedRound, rounds: number): GateOutcome {
  const sc = scenarioOf(boot);
  const samples: Sample[] = [];
  for (let r = 1; r <= rounds; r++) {
    const rec = pick(r);
    samples.push({ ...rec.base, round: r, scenario: sc.name }, { ...rec.head, round: r, scenario: sc.name });
  }
  const c = judgeAt(sc)(samples, CONFIDENCE);
  const metrics = c.scenarios[0]!.metrics;
  return {
    verdict: c.verdict,
    metricVerdicts: Object.fromEntries(metrics.filter((m) => m.gating).map((m) => [m.metric, m.verdict])),
    rounds,
    look: 1,
    seconds: (boot.wallSeconds / boot.samples.length) * 2 * rounds,
    rpsChangePct: metrics.find((m) => m.metric === 'rps')?.changePct,
    stoppedBecause: 'fixed',
  };
}

/** A regression stands only when the second gate (another boot) finds it too; the times add up. */
function confirm(first: GateOutcome, second: GateOutcome): GateOutcome {
  const metricVerdicts = Object.fromEntries(
    Object.entries(first.metricVerdicts).map(([m, v]) => [m, v === 'regressed' && second.metricVerdicts[m] !== 'regressed' ? 'inconclusive' : v]),
  ) as Record<string, Verdict>;
  const verdict: Verdict = Object.values(metricVerdicts).includes('regressed') ? 'regressed' : 'inconclusive';
  return { ...first, verdict, metricVerdicts, seconds: first.seconds + second.seconds, stoppedBecause: `${first.stoppedBecause}+confirm` };
}

/** Rounds drawn with replacement, head-first and head-second alternating in reversed pairs. */
function balancedDraw(rounds: RecordedRound[], random: () => number): (r: number) => RecordedRound {
  const first = rounds.filter((r) => r.headFirst);
  const second = rounds.filter((r) => !r.headFirst);
  const drawn = new Map<number, RecordedRound>();
  const startWithFirst = random() < 0.5;
  return (r) => {
    if (!drawn.has(r)) {
      const side = (r % 2 === 1) === startWithFirst ? first : second;
      drawn.set(r, side[Math.floor(random() * side.length)]!);
    }
    return drawn.get(r)!;
  };
}

const pct = (k: number, n: number) => `${((100 * k) / Math.max(1, n)).toFixed(1)}%`;
const fitted = roundsForBudget({ budgetSeconds: budgetMinutes * 60, targets: 2, scenarios: [{ durationSeconds: pool.boots[0]!.length }], warmupSeconds: WARMUP });
/** As config/config.ts plans them: what fits, rounded down to an even count. */
const maxRounds = fitted - (fitted % 2);

function summarize(label: string, outcomes: GateOutcome[], metric: 'rps' | 'p99' | undefined, boots: number): void {
  const n = outcomes.length;
  const count = (f: (o: GateOutcome) => boolean) => outcomes.filter(f).length;
  const looks = new Map<number, number>();
  for (const o of outcomes) looks.set(o.look, (looks.get(o.look) ?? 0) + 1);
  const why = new Map<string, number>();
  for (const o of outcomes) why.set(o.stoppedBecause, (why.get(o.stoppedBecause) ?? 0) + 1);
  const seconds = outcomes.map((o) => o.seconds);
  const head =
    metric === undefined
      ? `pass ${pct(count((o) => o.verdict === 'pass'), n)}, inconclusive ${pct(count((o) => o.verdict === 'inconclusive'), n)}, improved ${pct(count((o) => o.verdict === 'improved'), n)}, false regressed ${count((o) => o.verdict === 'regressed')} of ${n}`
      : `${metric} regressed ${pct(count((o) => o.metricVerdicts[metric] === 'regressed'), n)} of ${n}, any regressed ${pct(count((o) => o.verdict === 'regressed'), n)}`;
  const regressedBy = new Map<string, number>();
  for (const o of outcomes) for (const [m, v] of Object.entries(o.metricVerdicts)) if (v === 'regressed') regressedBy.set(m, (regressedBy.get(m) ?? 0) + 1);
  const open = new Map<string, number>();
  for (const o of outcomes.filter((x) => x.verdict === 'inconclusive')) for (const [m, v] of Object.entries(o.metricVerdicts)) if (v === 'inconclusive') open.set(m, (open.get(m) ?? 0) + 1);
  console.log(
    `    ${label.padEnd(34)} ${head} (${boots} boot(s)); stopped at look ${[...looks].sort((a, b) => a[0] - b[0]).map(([l, k]) => `${l}: ${k}`).join(', ')}; ` +
      `rounds median ${median(outcomes.map((o) => o.rounds))}; time median ${median(seconds).toFixed(0)} s, max ${Math.max(...seconds).toFixed(0)} s` +
      (open.size ? `; open: ${[...open].map(([m, k]) => `${m} ${pct(k, n)}`).join(', ')}` : '') +
      (regressedBy.size ? `; regressed: ${[...regressedBy].map(([m, k]) => `${m} ${k}`).join(', ')}` : '') +
      `; why: ${[...why].map(([w, k]) => `${w} ${k}`).join(', ')}`,
  );
}

console.log(
  `pool ${file}: ${pool.boots.length} boots; sequential design: looks after ${planLooks(maxRounds, CONFIDENCE, 'paired').map((l) => l.rounds).join(', ')} rounds ` +
    `(time budget ${budgetMinutes} min, confidence ${CONFIDENCE}); ${gatesPerBoot} resampled gates per boot`,
);
const random = seededRandom(0x5e9);
for (const level of pool.levels) {
  const boots = pool.boots.filter((b) => b.level === level.name);
  if (!boots.length) continue;
  const metric = Object.keys(level.env).length === 0 ? undefined : level.metric;
  console.log(`  ${level.name} (${boots.length} boots of ${boots.map((b) => roundsOf(b).length).join(', ')} rounds):`);
  const real = boots.map((b) => {
    const rounds = roundsOf(b);
    return sequentialGate(b, (r) => rounds[r - 1]!, Math.min(maxRounds, rounds.length));
  });
  summarize('real rounds in order, sequential', real, metric, boots.length);
  const seq: GateOutcome[] = [];
  const confirmed: GateOutcome[] = [];
  const fixed: GateOutcome[] = [];
  const fixedConfirmed: GateOutcome[] = [];
  for (const [i, b] of boots.entries()) {
    const rounds = roundsOf(b);
    const other = boots[(i + 1) % boots.length]!;
    const otherRounds = roundsOf(other);
    for (let g = 0; g < gatesPerBoot; g++) {
      const pick = balancedDraw(rounds, random);
      const first = sequentialGate(b, pick, maxRounds);
      seq.push(first);
      // The confirmation decides the metrics that regressed, as the product's confirmation run does.
      const focus = new Map([[scenarioOf(other).name, new Set(Object.entries(first.metricVerdicts).filter(([, v]) => v === 'regressed').map(([m]) => m))]]);
      confirmed.push(first.verdict === 'regressed' && boots.length > 1 ? confirm(first, sequentialGate(other, balancedDraw(otherRounds, random), maxRounds, focus)) : first);
      const f = fixedGate(b, pick, 60);
      fixed.push(f);
      fixedConfirmed.push(f.verdict === 'regressed' && boots.length > 1 ? confirm(f, fixedGate(other, balancedDraw(otherRounds, random), 60)) : f);
    }
  }
  summarize('resampled, sequential', seq, metric, boots.length);
  summarize('  with confirmation', confirmed, metric, boots.length);
  summarize('resampled, fixed 60 rounds (previous)', fixed, metric, boots.length);
  summarize('  with confirmation', fixedConfirmed, metric, boots.length);
  if (metric === undefined) {
    const changes = seq.map((o) => o.rpsChangePct!).filter((x) => Number.isFinite(x));
    console.log(`    identical code, balanced order: median requests/s change over ${changes.length} gates ${median(changes).toFixed(2)}%`);
  }
}
