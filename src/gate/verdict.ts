// Pure: turns per-trial values and thresholds into a verdict with a reason a reviewer reads.
// `regressed` only when the change is both beyond its threshold and certain at `confidence`
// (its whole interval lies on the worse side); `inconclusive` when the interval still reaches
// past the threshold; never a failure on noise alone.
import { minDetectablePct, minTrialsForConfidence, pairedRatioInterval, ratioInterval, signedRankBoundIndex, toPct, type RatioInterval, type RunToRunNoise } from '../stats/intervals.js';
import type { Verdict } from '../types.js';

export type Direction = 'higher-is-better' | 'lower-is-better';

export interface RelativeJudgement {
  verdict: Verdict;
  changePct?: number;
  ciLowPct?: number;
  ciHighPct?: number;
  /** Half the interval's width: changes smaller than this are within this run's noise. */
  detectablePct?: number;
  reason: string;
  /** Against a stored baseline: open, and the recorded runs' spread alone is beyond the
   * threshold, so more rounds cannot decide it (only paired mode can). */
  onlyPairedDecides?: boolean;
}

export interface RelativeInput {
  label: string;
  baseline: number[];
  candidate: number[];
  direction: Direction;
  thresholdPct: number;
  confidence: number;
  /** baseline[i] and candidate[i] were measured in the same round: use the paired interval
   * when there are enough rounds for it. */
  paired?: boolean;
  /** A stored baseline: how much whole runs move, from recorded history; the interval is
   * widened to at least this (a baseline from another run carries that noise too). */
  runNoise?: RunToRunNoise;
}

const fmt = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

export function judgeRelative(input: RelativeInput): RelativeJudgement {
  const usePaired = input.paired && signedRankBoundIndex(Math.min(input.baseline.length, input.candidate.length), input.confidence) >= 1;
  return judgeInterval(input, (usePaired ? pairedRatioInterval : ratioInterval)(input.baseline, input.candidate, input.confidence));
}

export type IntervalInput = Omit<RelativeInput, 'baseline' | 'candidate' | 'paired'>;

/** The verdict on a measured interval of the ratio candidate / baseline (from any method). */
export function judgeInterval(input: IntervalInput, measured: RatioInterval | undefined): RelativeJudgement {
  const { label, thresholdPct, confidence } = input;
  const interval = measured && input.runNoise ? widenByRunNoise(measured, input.runNoise.halfWidthLog) : measured;
  if (!interval) {
    return { verdict: 'inconclusive', reason: `${label}: no usable trials on one side.` };
  }
  if (!Number.isFinite(interval.high) || interval.low <= 0) {
    const need = minTrialsForConfidence(confidence);
    return {
      verdict: 'inconclusive',
      changePct: toPct(interval.ratio),
      reason:
        `${label} ${fmt(toPct(interval.ratio))}: ${interval.baselineTrials} baseline and ${interval.candidateTrials} candidate trials ` +
        `cannot reach ${confidence * 100}% confidence; use at least ${need} rounds.`,
    };
  }
  const changePct = toPct(interval.ratio);
  const ciLowPct = toPct(interval.low);
  const ciHighPct = toPct(interval.high);
  // In "worse" units: positive means worse, whatever the metric's direction.
  const worse = (pct: number) => (input.direction === 'higher-is-better' ? -pct : pct);
  const w = worse(changePct);
  const [wLow, wHigh] = [worse(ciLowPct), worse(ciHighPct)].sort((x, y) => x - y) as [number, number];
  const widened = interval !== measured;
  const range = `${fmt(ciLowPct)} to ${fmt(ciHighPct)}${widened ? `, widened to how far ${input.runNoise!.runs} recorded runs moved from one to the next` : ''}`;
  const detectablePct = minDetectablePct(interval);
  const base = { changePct, ciLowPct, ciHighPct, detectablePct };
  if (w > thresholdPct && wLow > 0) {
    return { ...base, verdict: 'regressed', reason: `${label} ${fmt(changePct)} (interval ${range}): worse than the ${thresholdPct}% threshold.` };
  }
  if (-w > thresholdPct && wHigh < 0) {
    return { ...base, verdict: 'improved', reason: `${label} ${fmt(changePct)} (interval ${range}): better by more than ${thresholdPct}%.` };
  }
  if (wHigh <= thresholdPct) {
    return { ...base, verdict: 'pass', reason: `${label} ${fmt(changePct)} (interval ${range}): within the ${thresholdPct}% threshold.` };
  }
  // Against a stored baseline no number of rounds narrows the interval below how far whole runs move.
  const runSpreadPct = input.runNoise ? (Math.exp(input.runNoise.halfWidthLog) - 1) * 100 : 0;
  const onlyPairedDecides = widened && runSpreadPct >= thresholdPct;
  const advice =
    onlyPairedDecides
      ? `recorded runs of this scenario move by about ±${runSpreadPct.toFixed(0)}% from one to the next, more than the threshold, so against a stored baseline ` +
        `no number of rounds can decide a ${thresholdPct}% change: only paired mode (compare-to: base) can.`
      : '(add rounds or duration).';
  return {
    ...base,
    verdict: 'inconclusive',
    ...(onlyPairedDecides ? { onlyPairedDecides } : {}),
    reason:
      `${label} ${fmt(changePct)} (interval ${range}): rules out a change beyond ${wHigh.toFixed(1)}% worse, but a ${thresholdPct}% change ` +
      `cannot be excluded; this run could only detect changes of about ${detectablePct.toFixed(0)}% ${advice}`,
  };
}

/** The order in which verdicts win when several metrics or scenarios are combined. */
const PRECEDENCE: Verdict[] = ['regressed', 'inconclusive', 'improved', 'pass'];

export function combineVerdicts(verdicts: Verdict[]): Verdict {
  for (const v of PRECEDENCE) if (verdicts.includes(v)) return v;
  return 'pass';
}

/** The interval, at least as wide as the run-to-run noise around its estimate. Returns the
 * same object when the trials' own interval is already wider. */
function widenByRunNoise(iv: RatioInterval, halfWidthLog: number): RatioInterval {
  const low = Math.min(iv.low, iv.ratio * Math.exp(-halfWidthLog));
  const high = Math.max(iv.high, iv.ratio * Math.exp(halfWidthLog));
  return low === iv.low && high === iv.high ? iv : { ...iv, low, high };
}
