// Pure statistics on per-trial values. Changes are compared on the log scale: throughput and
// latency are ratio-scaled and their trial-to-trial noise is multiplicative, so the change
// of the mean log is the honest "x% faster/slower", and its interval is symmetric in ratio.
import { mean, median as ssMedian, sampleVariance } from 'simple-statistics';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export function median(values: number[]): number {
  return values.length ? ssMedian(values) : NaN;
}

export interface RatioInterval {
  /** candidate / baseline, from the difference of mean logs. */
  ratio: number;
  low: number;
  high: number;
  /** Standard error of the difference of mean logs. */
  se: number;
  df: number;
  /** Two-sided critical value used. */
  t: number;
}

function finitePositive(values: number[]): number[] {
  return values.filter((v) => Number.isFinite(v) && v > 0);
}

/**
 * Welch's t interval for the ratio of geometric means, candidate over baseline.
 * Undefined when either side has fewer than two usable (finite, positive) values: one trial
 * says nothing about noise, so no honest interval exists.
 */
export function ratioInterval(baseline: number[], candidate: number[], confidence: number): RatioInterval | undefined {
  const a = finitePositive(baseline).map(Math.log);
  const b = finitePositive(candidate).map(Math.log);
  if (a.length < 2 || b.length < 2) return undefined;
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const diff = mean(b) - mean(a);
  const se = Math.sqrt(va + vb);
  if (se === 0) return { ratio: Math.exp(diff), low: Math.exp(diff), high: Math.exp(diff), se: 0, df: Infinity, t: 0 };
  // Welch-Satterthwaite degrees of freedom.
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  return { ratio: Math.exp(diff), low: Math.exp(diff - t * se), high: Math.exp(diff + t * se), se, df, t };
}

/** Half-width of the interval in percent: the smallest change this run could tell from noise. */
export function minDetectablePct(interval: RatioInterval): number {
  return (Math.exp(interval.t * interval.se) - 1) * 100;
}

export function toPct(ratio: number): number {
  return (ratio - 1) * 100;
}
