// Pure statistics on per-trial values.
//
// Changes are compared on the log scale: throughput and latency are ratio-scaled and their
// trial-to-trial noise is multiplicative, so a shift of log values is the honest "x% slower".
// The shift is estimated with Hodges-Lehmann (median of all pairwise differences) and bounded
// by the Mann-Whitney rank interval. Rank methods ignore how far an outlier trial strays: on a
// shared runner one hiccup can triple one trial's p99, which widens a t interval at once
// (we saw ±12% intervals from a single such trial) but moves a rank interval by one step.
import { median as ssMedian, probit } from 'simple-statistics';

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

function logsOf(values: number[]): number[] {
  return values.filter((v) => Number.isFinite(v) && v > 0).map(Math.log);
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
 * Undefined when a side has no usable (finite, positive) value.
 */
export function ratioInterval(baseline: number[], candidate: number[], confidence: number): RatioInterval | undefined {
  const a = logsOf(baseline);
  const b = logsOf(candidate);
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

/** Half the width of the interval in percent: about the smallest change this run could tell from noise. */
export function minDetectablePct(interval: RatioInterval): number {
  return (Math.sqrt(interval.high / interval.low) - 1) * 100;
}

export function toPct(ratio: number): number {
  return (ratio - 1) * 100;
}
