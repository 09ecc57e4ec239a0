// Pure: the p99 row of a comparison from the trials' pooled histograms (stats/tailQuantiles),
// instead of a median of per-trial p99s that short trials cannot measure.
import { histogramSteps } from '../load/histogram.js';
import { compareTails, MIN_TAIL_REQUESTS, pooledPercentile, type TailComparison } from '../stats/tailQuantiles.js';
import { judgeInterval, type Direction } from './verdict.js';
import type { RunToRunNoise } from '../stats/intervals.js';
import type { MetricComparison, Sample } from '../types.js';

export interface TailMetricInput {
  label: string;
  percentile: number;
  baseline: Sample[];
  candidate: Sample[];
  paired: boolean;
  thresholdPct: number;
  confidence: number;
  runNoise?: RunToRunNoise;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** Pure: how many requests a tail figure rests on, for the reason a reviewer reads. */
export function describeTail(t: TailComparison): string {
  const p = `p${t.percentile}`;
  return (
    `${p} pooled over ${count(t.baseline.requests)} baseline and ${count(t.candidate.requests)} candidate requests ` +
    `(${count(t.baseline.beyond)} and ${count(t.candidate.beyond)} beyond it)` +
    (t.enough ? '' : `: too few to measure ${p}, at least ${MIN_TAIL_REQUESTS} beyond it on each side are needed (add rounds, duration or connections)`)
  );
}

/** Undefined when a trial lacks its histogram (a record written before they were kept). */
export function tailMetric(input: TailMetricInput): MetricComparison | undefined {
  let { baseline, candidate } = input;
  if ([...baseline, ...candidate].some((s) => !s.histogram)) return undefined;
  if (input.paired) {
    const rounds = new Set(baseline.map((s) => s.round));
    candidate = candidate.filter((s) => rounds.has(s.round));
    const kept = new Set(candidate.map((s) => s.round));
    baseline = baseline.filter((s) => kept.has(s.round));
    const byRound = (a: Sample, b: Sample) => a.round - b.round;
    [baseline, candidate] = [[...baseline].sort(byRound), [...candidate].sort(byRound)];
  }
  const tails = compareTails({
    baseline: baseline.map((s) => histogramSteps(s.histogram)),
    candidate: candidate.map((s) => histogramSteps(s.histogram)),
    paired: input.paired,
    percentile: input.percentile,
    confidence: input.confidence,
  });
  if (tails.baseline.requests === 0 || tails.candidate.requests === 0) return undefined;
  const direction: Direction = 'lower-is-better';
  const j = judgeInterval({ label: input.label, direction, thresholdPct: input.thresholdPct, confidence: input.confidence, runNoise: input.runNoise }, tails.interval);
  // Too few requests beyond the quantile: it cannot vouch for the tail, whatever the interval says.
  const unsure = !tails.enough && (j.verdict === 'pass' || j.verdict === 'improved');
  return {
    metric: 'p99',
    baseline: tails.baseline.value / 1000,
    candidate: tails.candidate.value / 1000,
    changePct: j.changePct,
    ciLowPct: j.ciLowPct,
    ciHighPct: j.ciHighPct,
    detectablePct: j.detectablePct,
    thresholdPct: input.thresholdPct,
    verdict: unsure ? 'inconclusive' : j.verdict,
    gating: true,
    reason: `${j.reason} ${describeTail(tails)}.`,
    tail: {
      percentile: input.percentile,
      baselineRequests: tails.baseline.requests,
      candidateRequests: tails.candidate.requests,
      baselineBeyond: tails.baseline.beyond,
      candidateBeyond: tails.candidate.beyond,
      enough: tails.enough,
    },
  };
}

/** The percentile of all the trials' requests pooled, in ms; undefined without histograms or requests. */
export function pooledPercentileMs(samples: Sample[], percentile: number): number | undefined {
  if (samples.length === 0 || samples.some((s) => !s.histogram)) return undefined;
  const p = pooledPercentile(samples.map((s) => histogramSteps(s.histogram)), percentile);
  return p.requests > 0 ? p.value / 1000 : undefined;
}
