// Pure statistics on per-trial values.
//
// Changes are compared on the log scale: throughput and latency are ratio-scaled and their
// trial-to-trial noise is multiplicative, so a shift of log values is the honest "x% slower".
// The shift is estimated with Hodges-Lehmann (median of all pairwise differences) and bounded
// by the Mann-Whitney rank interval. Rank methods ignore how far an outlier trial strays: on a
// shared runner one hiccup can triple one trial's p99, which widens a t interval at once
// (we saw ±12% intervals from a single such trial) but moves a rank interval by one step.
import { median as ssMedian, probit, sampleStandardDeviation } from 'simple-statistics';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export function median(values: number[]): number {
  return values.length ? ssMedian(values) : NaN;
}

export interface RatioInterval {
  /** candidate / baseline (Hodges-Lehmann estimate). */
  ratio: number;
  /** One-sided lower and upper confidence bounds of the ratio; 0 and Infinity when the
   * trials are too few to reach the confidence at all. */
  low: number;
  high: number;
  baselineTrials: number;
  candidateTrials: number;
}

/** How far beyond the measured range an empty trial is placed (a factor of 1000). */
const BEYOND_MEASURED_LOG = Math.log(1000);

/**
 * Log values for the rank methods. A trial with no response has rps 0 and latency Infinity:
 * it is the worst trial, not a missing one, so 0 is placed below every measured value and
 * Infinity above (by a factor of 1000, the same for every side passed in). NaN and negative
 * values are dropped. Returns one array per side.
 */
export function rankableLogs(...sides: number[][]): number[][] {
  const measured = sides.flat().filter((v) => Number.isFinite(v) && v > 0).map(Math.log);
  const lowest = measured.length ? Math.min(...measured) - BEYOND_MEASURED_LOG : NaN;
  const highest = measured.length ? Math.max(...measured) + BEYOND_MEASURED_LOG : NaN;
  const toLog = (v: number) => (v === 0 ? lowest : v === Infinity ? highest : Number.isFinite(v) && v > 0 ? Math.log(v) : NaN);
  return sides.map((side) => side.map(toLog));
}


/** P(U <= u) for every u, for the Mann-Whitney U statistic of samples of sizes n and m (no ties). */
function exactUCdf(n: number, m: number): number[] {
  // counts[i][j] = number of orderings of i x-values and j y-values giving each U.
  let prev: number[][] = Array.from({ length: m + 1 }, () => [1]);
  for (let i = 1; i <= n; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= m; j++) {
      const size = i * j + 1;
      const c = new Array<number>(size).fill(0);
      const left = prev[j]!; // last x is above all y's: contributes j
      const down = cur[j - 1]!; // last value is a y: contributes 0
      for (let u = 0; u < left.length; u++) c[u + j]! += left[u]!;
      for (let u = 0; u < down.length; u++) c[u]! += down[u]!;
      cur.push(c);
    }
    prev = cur;
  }
  const counts = prev[m]!;
  const total = counts.reduce((a, b) => a + b, 0);
  let acc = 0;
  return counts.map((c) => (acc += c) / total);
}

/**
 * How many of the n*m sorted pairwise differences to cut from each end so that each bound
 * holds with probability `confidence`: the largest k with P(U < k) <= 1 - confidence.
 * 0 means no such bound exists with this few trials.
 */
export function rankBoundIndex(n: number, m: number, confidence: number): number {
  const alpha = 1 - confidence;
  if (n * m <= 900) {
    const cdf = exactUCdf(n, m);
    let k = 0;
    while (k < cdf.length && cdf[k]! <= alpha) k++;
    return k;
  }
  const mean = (n * m) / 2;
  const sd = Math.sqrt((n * m * (n + m + 1)) / 12);
  return Math.max(0, Math.floor(mean + probit(alpha) * sd - 0.5) + 1);
}

/** Fewest trials per side (equal sides) for which a bound at `confidence` exists. */
export function minTrialsForConfidence(confidence: number): number {
  let n = 1;
  while (rankBoundIndex(n, n, confidence) < 1 && n < 50) n++;
  return n;
}

/**
 * Ratio of candidate to baseline with one-sided bounds at `confidence` each: "worse with 99%
 * certainty" means the lower (or upper) bound is already on the worse side.
 * Undefined when a side has no usable value. 0 and Infinity rank as the extremes (rankableLogs).
 */
export function ratioInterval(baseline: number[], candidate: number[], confidence: number): RatioInterval | undefined {
  const [a, b] = rankableLogs(baseline, candidate).map((side) => side.filter((v) => !Number.isNaN(v))) as [number[], number[]];
  if (a.length === 0 || b.length === 0) return undefined;
  const diffs: number[] = [];
  for (const y of b) for (const x of a) diffs.push(y - x);
  diffs.sort((p, q) => p - q);
  const k = rankBoundIndex(a.length, b.length, confidence);
  const estimate = ssMedian(diffs);
  return {
    ratio: Math.exp(estimate),
    low: k >= 1 ? Math.exp(diffs[k - 1]!) : 0,
    high: k >= 1 ? Math.exp(diffs[diffs.length - k]!) : Infinity,
    baselineTrials: a.length,
    candidateTrials: b.length,
  };
}

/** P(W+ <= w) for every w, for the Wilcoxon signed-rank statistic of n pairs (no ties, no zeros). */
function exactSignedRankCdf(n: number): number[] {
  let counts = [1];
  for (let k = 1; k <= n; k++) {
    const next = new Array<number>(counts.length + k).fill(0);
    for (let w = 0; w < counts.length; w++) {
      next[w]! += counts[w]!; // rank k has a negative sign
      next[w + k]! += counts[w]!; // rank k has a positive sign
    }
    counts = next;
  }
  const total = 2 ** n;
  let acc = 0;
  return counts.map((c) => (acc += c) / total);
}

/** Like rankBoundIndex, for the n(n+1)/2 sorted Walsh averages of n paired differences. */
export function signedRankBoundIndex(n: number, confidence: number): number {
  const alpha = 1 - confidence;
  if (n <= 60) {
    const cdf = exactSignedRankCdf(n);
    let k = 0;
    while (k < cdf.length && cdf[k]! <= alpha) k++;
    return k;
  }
  const mean = (n * (n + 1)) / 4;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
  return Math.max(0, Math.floor(mean + probit(alpha) * sd - 0.5) + 1);
}

/**
 * Paired version for setups measured in the same rounds: the shift of per-round log ratios
 * (candidate[i] / baseline[i]), estimated by the median of Walsh averages and bounded by the
 * signed-rank distribution. Noise common to a round (the runner slowing down for everyone)
 * cancels within each pair. Pairs with a missing side are dropped; an empty trial (0 or
 * Infinity) is placed beyond the measured range (rankableLogs).
 */
export function pairedRatioInterval(baseline: number[], candidate: number[], confidence: number): RatioInterval | undefined {
  const d: number[] = [];
  const n = Math.min(baseline.length, candidate.length);
  const [la, lb] = rankableLogs(baseline.slice(0, n), candidate.slice(0, n)) as [number[], number[]];
  for (let i = 0; i < n; i++) {
    const diff = lb[i]! - la[i]!;
    if (!Number.isNaN(diff)) d.push(diff);
  }
  if (d.length === 0) return undefined;
  const walsh: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) walsh.push((d[i]! + d[j]!) / 2);
  walsh.sort((p, q) => p - q);
  const k = signedRankBoundIndex(d.length, confidence);
  return {
    ratio: Math.exp(ssMedian(walsh)),
    low: k >= 1 ? Math.exp(walsh[k - 1]!) : 0,
    high: k >= 1 ? Math.exp(walsh[walsh.length - k]!) : Infinity,
    baselineTrials: d.length,
    candidateTrials: d.length,
  };
}

/** Half the width of the interval in percent: about the smallest change this run could tell from noise. */
export function minDetectablePct(interval: RatioInterval): number {
  return (Math.sqrt(interval.high / interval.low) - 1) * 100;
}

export function toPct(ratio: number): number {
  return (ratio - 1) * 100;
}

/** Fewest recorded runs from which the run-to-run noise is estimated (3 moves between runs). */
export const MIN_RUNS_FOR_RUN_NOISE = 4;

export interface RunToRunNoise {
  /** One-sided bound, in log units, on how far one run's median moves from the previous run's. */
  halfWidthLog: number;
  runs: number;
}

/**
 * How much separate runs of the same scenario move, from the medians of recorded runs (oldest
 * first): the t bound (n - 1 degrees of freedom) on the moves between consecutive runs, in log
 * units. Trials of one run cannot see this noise (a boot, a neighbour, another machine shift a
 * whole run), so a stored baseline's interval is at least this wide. A real change among the
 * recorded runs widens it: the safe side. Undefined below MIN_RUNS_FOR_RUN_NOISE runs.
 */
export function runToRunNoise(runMedians: number[], confidence: number): RunToRunNoise | undefined {
  // A run's median is a measured level: a run without one says nothing about run-to-run noise.
  const logs = runMedians.filter((v) => Number.isFinite(v) && v > 0).map(Math.log);
  if (logs.length < MIN_RUNS_FOR_RUN_NOISE) return undefined;
  const moves = logs.slice(1).map((v, i) => v - logs[i]!);
  const sd = sampleStandardDeviation(moves);
  return { halfWidthLog: tQuantile(confidence, moves.length - 1) * sd, runs: logs.length };
}
