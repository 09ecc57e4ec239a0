// Pure: a group-sequential gate (paired rounds, or the head alone against a stored baseline).
// Rounds run up to the next planned look; at each look every scenario is judged at that look's
// confidence (plan/sequentialPlan.ts). A scenario whose verdict is decided (every gating metric
// pass or improved, or one regressed) keeps that verdict and is measured no more; the next
// rounds measure only the scenarios still open. The gate stops when none is open, at its last
// look, when the next rounds would not fit its time budget, or (stored mode) when every open
// metric is already as narrow as the recorded runs' spread lets it be and that spread is beyond
// its threshold: more rounds narrow only the trials' own interval, so they cannot decide it.
// The clock is passed in, so the schedule is a plain function of what was measured.
import { planTrials } from '../plan/plan.js';
import { combineVerdicts } from './verdict.js';
import { roundsForTail } from './tailMetric.js';
import type { Look } from '../plan/sequentialPlan.js';
import type { GateMode } from '../stats/decidability.js';
import type { Comparison, MetricComparison, Sample, ScenarioComparison, SequentialSummary } from '../types.js';

/** Judges the samples of some scenarios with bounds at `confidence`. */
export type JudgeAt = (samples: Sample[], confidence: number, scenarios: string[]) => Comparison;

export interface SequentialInput {
  looks: Look[];
  targets: string[];
  scenarios: Array<{ name: string; durationSeconds: number }>;
  random: () => number;
  judge: JudgeAt;
  /** Milliseconds since some origin. */
  now: () => number;
  /** now() by which the last round must be done; undefined: no budget. */
  deadlineMs?: number;
  /** A confirmation run: per scenario, the metrics it must decide (those that regressed in the
   * first measurement); the scenario stays open while one of them is open, even after another
   * metric regressed. Scenarios not named are not measured. */
  confirming?: Map<string, Set<string>>;
  /** Which statistic judges the looks, for the report; default paired. */
  mode?: GateMode;
}

const inconclusive = (sc: ScenarioComparison) => sc.verdict === 'inconclusive';

/** What a look found, kept for the report. */
interface LookRecord {
  rounds: number;
  confidence: number;
  decided: string[];
}

export class SequentialGate {
  private look = -1;
  private open: string[];
  private readonly decided = new Map<string, { sc: ScenarioComparison; look: number }>();
  private last?: Comparison;
  private readonly records: LookRecord[] = [];
  private stop?: SequentialSummary['stoppedBecause'];
  private startedMs?: number;
  private loadSecondsDone = 0;
  private readonly duration: Map<string, number>;

  constructor(private readonly input: SequentialInput) {
    this.open = input.scenarios.map((s) => s.name).filter((name) => !input.confirming || input.confirming.has(name));
    this.duration = new Map(input.scenarios.map((s) => [s.name, s.durationSeconds]));
  }

  /** The trials to run next, given every sample so far; [] when the gate has stopped. */
  next(samples: Sample[]): ReturnType<typeof planTrials> {
    const { looks } = this.input;
    if (this.look >= 0) {
      this.loadSecondsDone = samples.reduce((sum, s) => sum + (this.duration.get(s.scenario) ?? 0), 0);
      this.judgeLook(samples);
      if (this.open.length === 0) return this.halt('decided');
      if (this.look === looks.length - 1) return this.halt('last-look');
      if (this.open.every((name) => this.onlyPairedDecides(name))) return this.halt('only-paired');
    } else {
      this.startedMs = this.input.now();
    }
    const from = this.look >= 0 ? looks[this.look]!.rounds : 0;
    const to = looks[this.look + 1]!.rounds;
    const trials = planTrials(this.input.targets, this.open, to - from, this.input.random, from + 1);
    if (this.look >= 0 && this.input.deadlineMs !== undefined && !this.fits(trials)) return this.halt('budget');
    this.look++;
    return trials;
  }

  /** Whether trials fit the budget at the pace of the rounds so far. */
  private fits(trials: Array<{ scenario: string }>): boolean {
    const elapsedMs = this.input.now() - this.startedMs!;
    const pace = this.loadSecondsDone > 0 ? elapsedMs / this.loadSecondsDone : 1000;
    const load = trials.reduce((sum, t) => sum + (this.duration.get(t.scenario) ?? 0), 0);
    return this.input.now() + load * pace <= this.input.deadlineMs!;
  }

  private halt(why: SequentialSummary['stoppedBecause']): [] {
    this.stop = why;
    return [];
  }

  private judgeLook(samples: Sample[]): void {
    const look = this.input.looks[this.look]!;
    const c = this.input.judge(samples, look.confidence, this.open);
    this.last = c;
    const decided: string[] = [];
    for (const sc of c.scenarios) {
      if (!this.open.includes(sc.scenario)) continue;
      if (!this.isOpen(sc)) decided.push(sc.scenario);
      // An open scenario keeps its latest comparison: the one the report shows if the gate stops now.
      this.decided.set(sc.scenario, { sc, look: this.look });
    }
    this.open = this.open.filter((s) => !decided.includes(s));
    this.records.push({ rounds: look.rounds, confidence: look.confidence, decided });
  }

  /** Every open metric of the scenario's latest comparison is one more rounds cannot decide (stored mode). */
  private onlyPairedDecides(name: string): boolean {
    const sc = this.decided.get(name)?.sc;
    if (!sc) return false;
    const focus = this.input.confirming?.get(name);
    const open = sc.metrics.filter((m) => m.gating && m.verdict === 'inconclusive' && (!focus || focus.has(m.metric)));
    return open.length > 0 && open.every((m) => m.onlyPairedDecides);
  }

  private isOpen(sc: ScenarioComparison): boolean {
    const focus = this.input.confirming?.get(sc.scenario);
    if (!focus) return inconclusive(sc);
    return sc.metrics.some((m) => focus.has(m.metric) && m.verdict === 'inconclusive');
  }

  /** The comparison of each scenario at the look that decided it (or the last, when open), and how the gate went. */
  result(): { comparison: Comparison; sequential: SequentialSummary } {
    if (!this.last) throw new Error('SequentialGate.result() before any look');
    const scenarios = this.input.scenarios.map((s) => this.decided.get(s.name)?.sc).filter((sc): sc is ScenarioComparison => !!sc);
    const lastLook = this.records.length;
    const perRoundSeconds = this.secondsPerRound();
    const withMore = scenarios.map((sc) => (inconclusive(sc) ? { ...sc, metrics: sc.metrics.map((m) => withTimeToDecide(m, this.records.at(-1)!.rounds, perRoundSeconds)) } : sc));
    const comparison: Comparison = { ...this.last, scenarios: withMore, verdict: combineVerdicts(withMore.map((sc) => sc.verdict)) };
    const sequential: SequentialSummary = {
      looks: this.records.map((r, i) => ({ look: i + 1, rounds: r.rounds, confidence: r.confidence, decided: r.decided })),
      plannedRounds: this.input.looks.map((l) => l.rounds),
      stoppedAtLook: lastLook,
      rounds: this.records.at(-1)!.rounds,
      stoppedBecause: this.stop ?? 'last-look',
      open: this.open,
      scenarioLooks: Object.fromEntries([...this.decided].map(([name, d]) => [name, d.look + 1])),
      ...(this.input.mode === 'stored' ? { mode: 'stored' as const } : {}),
    };
    return { comparison, sequential };
  }

  /** Wall seconds one round of the open scenarios took, from the pace so far. */
  private secondsPerRound(): number | undefined {
    if (this.startedMs === undefined || this.loadSecondsDone === 0) return undefined;
    const pace = (this.input.now() - this.startedMs) / 1000 / this.loadSecondsDone;
    const perRound = this.input.targets.length * this.open.reduce((sum, s) => sum + (this.duration.get(s) ?? 0), 0);
    return pace * perRound;
  }
}

/**
 * How many more rounds would likely decide an open metric: its interval narrows with the
 * square root of the rounds, and it decides once its half-width fits between the estimate and
 * the threshold. Undefined when the estimate sits at the threshold (more rounds decide it only slowly).
 */
export function roundsToDecide(m: Pick<MetricComparison, 'changePct' | 'detectablePct' | 'thresholdPct'>, rounds: number): number | undefined {
  if (m.changePct === undefined || m.detectablePct === undefined || m.thresholdPct === undefined) return undefined;
  const room = m.thresholdPct - Math.abs(m.changePct);
  if (room <= 0.1 * m.thresholdPct) return undefined;
  return Math.ceil(rounds * (m.detectablePct / room) ** 2);
}

/** Beyond this many times the rounds run, more time is not the answer. */
const IMPRACTICAL_FACTOR = 10;

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

function withTimeToDecide(m: MetricComparison, rounds: number, perRoundSeconds: number | undefined): MetricComparison {
  if (!m.gating || m.verdict !== 'inconclusive' || m.onlyPairedDecides) return m;
  // A thin tail needs requests before its interval means anything (gate/tailMetric.ts).
  const need = roundsForTail(m, rounds) ?? roundsToDecide(m, rounds);
  if (need === undefined || need <= rounds) return m;
  const more = need - rounds;
  const time = perRoundSeconds ? ` (about ${minutes(more * perRoundSeconds)} more of measuring)` : '';
  const say =
    need > IMPRACTICAL_FACTOR * rounds
      ? `No practical budget decides it on a runner this noisy: it would take about ${more} more rounds${time}; a quieter runner would.`
      : `About ${more} more rounds${time} would likely decide it.`;
  return { ...m, moreRoundsToDecide: more, reason: `${m.reason} ${say}` };
}

/** What a confirmation run must decide: per scenario, the estimated metrics that regressed. */
export function confirmationFocus(first: Comparison): Map<string, Set<string>> {
  const focus = new Map<string, Set<string>>();
  for (const sc of first.scenarios) {
    const regressed = sc.metrics.filter((m) => m.gating && m.verdict === 'regressed' && m.metric !== 'errorRate' && m.metric !== 'workerChanges');
    if (regressed.length) focus.set(sc.scenario, new Set(regressed.map((m) => m.metric)));
  }
  return focus;
}
