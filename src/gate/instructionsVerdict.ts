// Pure: the instructions gate. Counts under Callgrind repeat to within ~0.01% (docs/instructions.md),
// so the interval is not a sampling interval but the measured spread: the change of the medians,
// widened by the largest relative range seen on either side, with a floor for what a few windows
// cannot show.
import { median } from '../stats/intervals.js';
import type { CountingMethod, InstructionsComparison, InstructionsMeasurement, Verdict } from '../types.js';

/** Spread assumed at least, in percent: a few windows can agree by chance more closely than boots do. */
export const MIN_SPREAD_PCT = 0.05;

export interface InstructionsInput {
  scenario: string;
  target: string;
  /** Per-request counts of the baseline's windows; empty when there is no baseline. */
  baseline: number[];
  candidate: number[];
  thresholdPct: number;
}

/** Largest relative range of the counts, in percent of their median. */
export function spreadPct(counts: number[]): number {
  if (counts.length < 2) return 0;
  return ((Math.max(...counts) - Math.min(...counts)) / median(counts)) * 100;
}

/** How counts were made before `counting` was recorded. */
export const COUNTED_BEFORE: CountingMethod = { cyclicGc: true, idleFirst: false };

const describeCounting = (c: CountingMethod) =>
  `${c.cyclicGc ? 'with' : 'without'} the cyclic garbage collector, ${c.idleFirst ? 'each request sent to an idle worker' : 'requests sent back to back'}`;

/** Why the baseline's count cannot be compared with this one (counted another way), or undefined. */
export function countedDifferently(recorded: Pick<InstructionsMeasurement, 'counting'>, now: Pick<InstructionsMeasurement, 'counting'>): string | undefined {
  const [then, current] = [recorded.counting ?? COUNTED_BEFORE, now.counting ?? COUNTED_BEFORE];
  if (then.cyclicGc === current.cyclicGc && then.idleFirst === current.idleFirst) return undefined;
  return `The baseline's count was made ${describeCounting(then)}; this one ${describeCounting(current)}. Counts made differently are not compared (a recorded baseline is replaced by the next record).`;
}

export const NO_BASELINE_REASON = 'No baseline count to compare with.';

const fmt = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`;

export function judgeInstructions(input: InstructionsInput): InstructionsComparison {
  const { scenario, target, thresholdPct } = input;
  const candidate = median(input.candidate);
  if (!input.baseline.length) {
    return { scenario, target, candidate, thresholdPct, verdict: 'pass', reason: NO_BASELINE_REASON };
  }
  const baseline = median(input.baseline);
  const changePct = (candidate / baseline - 1) * 100;
  const halfWidth = Math.max(MIN_SPREAD_PCT, spreadPct(input.baseline), spreadPct(input.candidate));
  const ciLowPct = changePct - halfWidth;
  const ciHighPct = changePct + halfWidth;
  let verdict: Verdict;
  let reason: string;
  if (Math.abs(changePct) < thresholdPct) {
    verdict = 'pass';
    reason = `${fmt(changePct)} is within the ${thresholdPct}% threshold.`;
  } else if (changePct > 0 && ciLowPct > 0) {
    verdict = 'regressed';
    reason = `${fmt(changePct)} instructions per request (spread ±${halfWidth.toFixed(2)}%), more than the ${thresholdPct}% threshold.`;
  } else if (changePct < 0 && ciHighPct < 0) {
    verdict = 'improved';
    reason = `${fmt(changePct)} instructions per request (spread ±${halfWidth.toFixed(2)}%).`;
  } else {
    verdict = 'inconclusive';
    reason = `${fmt(changePct)}, but the counts spread by ±${halfWidth.toFixed(2)}%, so the change cannot be told from their spread.`;
  }
  return { scenario, target, baseline, candidate, changePct, ciLowPct, ciHighPct, thresholdPct, verdict, reason };
}
