// Pure: where a gate looks at its data, and how many rounds fit its time budget.
// Paired looks fall after 20, 40, 60, 90, 120, 150... rounds (even, so each look sees whole
// pairs of rounds: plan/plan.ts) and at the most rounds the gate may run; each look's bounds are
// taken at its share of the error rate (stats/spending.ts). A look at which no outcome could be
// certain enough (too few rounds for its share) is left out.
// Stored mode looks earlier and more often (after 5, 10, 20, 40... rounds): one of its rounds is
// one trial per scenario of 10 s by default, not two of 0.5 s, and its interval stops narrowing
// once it is as wide as recorded runs move from one to the next (gate/verdict.ts), so more
// rounds soon stop paying. Its first look usually drops out: 5 trials against 5 reach 99.6% at
// most, so the default 5 rounds look once, at the end, as before.
import { canDecide, type GateMode } from '../stats/decidability.js';
import { lookConfidences } from '../stats/spending.js';

export interface Look {
  /** Rounds measured when this look is taken (cumulative). */
  rounds: number;
  /** One-sided confidence of each bound at this look. */
  confidence: number;
}

/** Rounds after which the gate looks, below its most rounds. */
export const LOOK_ROUNDS = [20, 40, 60, 90, 120, 150, 180];
/** Stored mode's looks (see above). */
export const STORED_LOOK_ROUNDS = [5, 10, 20, 40, 60, 90, 120, 150, 180];
/** A planned look this close to the last one is merged into it. */
const MIN_ROUNDS_BETWEEN_LOOKS = { paired: 10, stored: 3 };

/** Looks of a gate of at most `maxRounds` rounds. */
export function planLooks(maxRounds: number, confidence: number, mode: GateMode): Look[] {
  const planned = mode === 'stored' ? STORED_LOOK_ROUNDS : LOOK_ROUNDS;
  let rounds = [...planned.filter((n) => n <= maxRounds - MIN_ROUNDS_BETWEEN_LOOKS[mode]), maxRounds];
  // Drop early looks that cannot decide anything at their share; the spending is recomputed without them.
  for (;;) {
    const confidences = lookConfidences(rounds, confidence);
    const idle = rounds.findIndex((n, i) => i < rounds.length - 1 && !canDecide(n, confidences[i]!, mode));
    if (idle < 0) return rounds.map((n, i) => ({ rounds: n, confidence: confidences[i]! }));
    rounds = rounds.filter((_, i) => i !== idle);
  }
}

/** Wall time one trial costs beyond its load (process snapshots, connection set-up, the drain);
 * measured 0.13-0.16 s on a shared 2-vCPU runner (bench/results pools: 60 rounds of 2 x 0.5 s took 76-79 s). */
export const TRIAL_OVERHEAD_SECONDS = 0.15;
/** Booting a WSGI server until it answers, per target (1-3 s for the examples here). */
export const BOOT_SECONDS = 3;

export interface BudgetInput {
  budgetSeconds: number;
  targets: number;
  scenarios: Array<{ durationSeconds: number }>;
  warmupSeconds: number;
}

/** Seconds one round costs: every target once per scenario. */
export function secondsPerRound(b: Omit<BudgetInput, 'budgetSeconds'>): number {
  return b.targets * b.scenarios.reduce((sum, s) => sum + s.durationSeconds + TRIAL_OVERHEAD_SECONDS, 0);
}

/** Seconds before the first round: boots and warmups. */
export function setupSeconds(b: Omit<BudgetInput, 'budgetSeconds'>): number {
  return b.targets * (BOOT_SECONDS + b.warmupSeconds * b.scenarios.length);
}

/** The most rounds that fit the budget after boot and warmup (0 when none does). */
export function roundsForBudget(b: BudgetInput): number {
  return Math.max(0, Math.floor((b.budgetSeconds - setupSeconds(b)) / secondsPerRound(b)));
}
