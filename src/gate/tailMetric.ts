// Pure: the p99 row of a comparison from the trials' pooled histograms (stats/tailQuantiles),
// instead of a median of per-trial p99s that short trials cannot measure.
import { histogramSteps } from '../load/histogram.js';
import { compareTails, MIN_TAIL_REQUESTS, pooledPercentile, type TailComparison } from '../stats/tailQuantiles.js';
import { minRequestsForBound, minRequestsForTail, tailSupported } from '../stats/tailSupport.js';
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

/** Pure: how many requests a tail figure rests on, for the reason a reviewer reads; `enough`
 * as tailSupported judged it at the gate's confidence. */
export function describeTail(t: TailComparison, confidence: number, enough = t.enough): string {
  const p = `p${t.percentile}`;
  const need = minRequestsForTail(t.percentile, confidence);
  return (
    `${p} pooled over ${count(t.baseline.requests)} baseline and ${count(t.candidate.requests)} candidate requests ` +
    `(${count(t.baseline.beyond)} and ${count(t.candidate.beyond)} beyond it)` +
    (enough
      ? ''
      : `: too few to measure ${p}, which needs at least ${MIN_TAIL_REQUESTS} requests beyond it on each side (about ${count(need)} requests per side), ` +
        `so ${p} decides nothing here, neither pass nor regressed (add rounds, duration or connections)`)
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
  // Too few requests for the quantile (stats/tailSupport.ts): the figure decides nothing in either
  // direction, whatever the interval says; a sequential gate keeps the scenario open for more rounds.
  const enough = tailSupported([tails.baseline, tails.candidate], input.percentile, input.confidence);
  const changed = j.changePct === undefined ? '' : ` ${j.changePct >= 0 ? '+' : ''}${j.changePct.toFixed(1)}%`;
  const reason = enough ? `${j.reason} ${describeTail(tails, input.confidence, enough)}.` : `${input.label}${changed} is not judged: ${describeTail(tails, input.confidence, enough)}.`;
  return {
    metric: 'p99',
    baseline: tails.baseline.value / 1000,
    candidate: tails.candidate.value / 1000,
    changePct: j.changePct,
    // A thin tail's interval is no bound (the resamples cannot reach past the slowest requests):
    // not shown, so neither the row nor "could tell apart" reads as if it were measured.
    ...(enough ? { ciLowPct: j.ciLowPct, ciHighPct: j.ciHighPct, detectablePct: j.detectablePct } : {}),
    thresholdPct: input.thresholdPct,
    verdict: enough ? j.verdict : 'inconclusive',
    gating: true,
    ...(enough && j.onlyPairedDecides ? { onlyPairedDecides: true } : {}),
    reason,
    tail: {
      percentile: input.percentile,
      baselineRequests: tails.baseline.requests,
      candidateRequests: tails.candidate.requests,
      baselineBeyond: tails.baseline.beyond,
      candidateBeyond: tails.candidate.beyond,
      enough,
    },
  };
}

/** The percentile of all the trials' requests pooled, in ms; undefined without histograms or requests. */
export function pooledPercentileMs(samples: Sample[], percentile: number): number | undefined {
  if (samples.length === 0 || samples.some((s) => !s.histogram)) return undefined;
  const p = pooledPercentile(samples.map((s) => histogramSteps(s.histogram)), percentile);
  return p.requests > 0 ? p.value / 1000 : undefined;
}

/**
 * A p99 from per-trial figures (records kept before histograms were) decides only when each
 * trial holds enough requests for the order statistics to bound its own quantile, and each
 * side's trials together as many as a pooled figure needs; otherwise the reason why not.
 */
export function thinPerTrialTail(baseline: Sample[], candidate: Sample[], percentile: number, confidence: number): string | undefined {
  const perTrial = minRequestsForBound(percentile, confidence);
  const perSide = minRequestsForTail(percentile, confidence);
  // A trial with no response at all ranks as the slowest (stats/intervals rankableLogs): a fact, not a thin estimate.
  const answered = [baseline, candidate].map((ss) => ss.filter((s) => s.requests > 0));
  if (answered.some((ss) => ss.length === 0)) return undefined;
  const fewest = Math.min(...answered.flat().map((s) => s.requests));
  const side = Math.min(...answered.map((ss) => ss.reduce((sum, s) => sum + s.requests, 0)));
  if (fewest >= perTrial && side >= perSide) return undefined;
  return (
    `p${percentile} of each trial (no latency histograms recorded): the thinnest trial holds ${count(fewest)} requests and the thinner side ` +
    `${count(side)}; a trial's p${percentile} needs at least ${count(perTrial)} and a side about ${count(perSide)}, so p${percentile} decides nothing ` +
    'here, neither pass nor regressed (add duration or connections)'
  );
}

/** About how many rounds would give a thin tail the requests it needs (at the pace of requests
 * per round so far); undefined when the metric's tail is not thin. */
export function roundsForTail(m: Pick<MetricComparison, 'tail'>, rounds: number): number | undefined {
  if (!m.tail || m.tail.enough) return undefined;
  const have = Math.min(m.tail.baselineRequests, m.tail.candidateRequests);
  const need = Math.ceil(MIN_TAIL_REQUESTS / (1 - m.tail.percentile / 100) - 1e-9);
  return have > 0 ? Math.ceil((rounds * need) / have) : undefined;
}
