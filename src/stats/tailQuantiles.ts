// Pure: tail quantiles (p99, p99.9) of a side from its trials' pooled latency histograms, and
// an interval for the head/base ratio from a bootstrap over rounds.
//
// A 0.5 s trial at 100-150 req/s holds 50-75 responses, so its own "p99" is its maximum, and a
// median of such per-trial figures says little about the real p99. Pooling the histograms of
// all rounds puts every request of a side behind one quantile. Its uncertainty comes from
// resampling whole rounds with replacement (a block bootstrap: requests of one round share
// that round's conditions, so they are not resampled one by one); in paired mode the same
// rounds are drawn on both sides, so noise common to a round cancels as in the paired median.
// The bootstrap is seeded and bounded: the same samples always give the same interval.
import type { RatioInterval } from './intervals.js';
import { seededRandom } from './random.js';
import { probit } from 'simple-statistics';

/** One trial's latency distribution: distinct values ascending with their counts. */
export interface Distribution {
  values: number[];
  counts: number[];
}

/** Fewest requests beyond the quantile, per side, for a tail figure to count as measured. */
export const MIN_TAIL_REQUESTS = 10;
/** Fewest rounds per side the bootstrap resamples: below this it cannot bound anything. */
export const MIN_TAIL_ROUNDS = 5;
export const BOOTSTRAP_ITERATIONS = 2000;
export const BOOTSTRAP_SEED = 0x5eed;
/** Fewest resamples beyond a percentile bound for it to be read from the resamples themselves. */
export const MIN_RESAMPLES_BEYOND_BOUND = 10;

export interface SideTail {
  /** The pooled quantile (same unit as the distributions' values). */
  value: number;
  /** Requests pooled on this side. */
  requests: number;
  /** Requests above the quantile: how many the tail figure rests on. */
  beyond: number;
  rounds: number;
}

export interface TailComparison {
  percentile: number;
  baseline: SideTail;
  candidate: SideTail;
  /** Undefined when a side has no request; low 0 / high Infinity when too few rounds. */
  interval?: RatioInterval;
  /** Both sides rest on at least MIN_TAIL_REQUESTS requests beyond the quantile. */
  enough: boolean;
}

/** Every (value, count) step of every round, largest value first, for walking the tail. */
interface TailIndex {
  values: Float64Array;
  rounds: Int32Array;
  counts: Float64Array;
  roundTotals: number[];
}

function indexOf(rounds: Distribution[]): TailIndex {
  const steps: Array<[number, number, number]> = [];
  const roundTotals = rounds.map((d, r) => {
    let total = 0;
    d.values.forEach((v, i) => {
      const c = d.counts[i]!;
      if (c > 0) steps.push([v, r, c]);
      total += c;
    });
    return total;
  });
  steps.sort((a, b) => b[0] - a[0]);
  return {
    values: Float64Array.from(steps, (s) => s[0]),
    rounds: Int32Array.from(steps, (s) => s[1]),
    counts: Float64Array.from(steps, (s) => s[2]),
    roundTotals,
  };
}

/** Rank of the percentile among `total` values, as HdrHistogram's getValueAtPercentile counts it. */
function rankOf(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  return Math.max(1, Math.ceil(fp * (1 - 1e-12)));
}

/**
 * The percentile of the pool in which round r counts weights[r] times: the smallest value v
 * with at least rank values <= v. Walks down from the largest value, so it touches only the tail.
 */
function weightedPercentile(ix: TailIndex, weights: ArrayLike<number>, percentile: number): { value: number; total: number; beyond: number } {
  let total = 0;
  for (let r = 0; r < ix.roundTotals.length; r++) total += weights[r]! * ix.roundTotals[r]!;
  if (total === 0) return { value: NaN, total: 0, beyond: 0 };
  const beyond = total - rankOf(percentile, total);
  let above = 0;
  for (let i = 0; i < ix.values.length; i++) {
    above += weights[ix.rounds[i]!]! * ix.counts[i]!;
    if (above > beyond) return { value: ix.values[i]!, total, beyond };
  }
  return { value: ix.values[ix.values.length - 1]!, total, beyond };
}

/** The pooled percentile of one side's rounds. */
export function pooledPercentile(rounds: Distribution[], percentile: number): SideTail {
  const p = weightedPercentile(indexOf(rounds), new Array<number>(rounds.length).fill(1), percentile);
  return { value: p.value, requests: p.total, beyond: p.beyond, rounds: rounds.length };
}

function resample(weights: Float64Array, random: () => number): void {
  weights.fill(0);
  const n = weights.length;
  for (let i = 0; i < n; i++) weights[Math.floor(random() * n)]!++;
}

export interface TailInput {
  /** Per round, in round order; in paired mode baseline[i] and candidate[i] share a round. */
  baseline: Distribution[];
  candidate: Distribution[];
  paired: boolean;
  /** E.g. 99 or 99.9. */
  percentile: number;
  /** One-sided confidence of each bound, as for the other metrics. */
  confidence: number;
  iterations?: number;
  seed?: number;
}

/**
 * Pooled percentile per side, and the candidate/baseline ratio with one-sided bounds at
 * `confidence` each from a percentile bootstrap over rounds (paired: the same rounds on both
 * sides; otherwise each side resampled on its own).
 */
export function compareTails(input: TailInput): TailComparison {
  const { percentile, confidence } = input;
  const paired = input.paired && input.baseline.length === input.candidate.length;
  const [ib, ic] = [indexOf(input.baseline), indexOf(input.candidate)];
  const ones = (n: number) => new Array<number>(n).fill(1);
  const b = weightedPercentile(ib, ones(input.baseline.length), percentile);
  const c = weightedPercentile(ic, ones(input.candidate.length), percentile);
  const side = (p: typeof b, rounds: number): SideTail => ({ value: p.value, requests: p.total, beyond: p.beyond, rounds });
  const out: TailComparison = {
    percentile,
    baseline: side(b, input.baseline.length),
    candidate: side(c, input.candidate.length),
    enough: Math.min(b.beyond, c.beyond) >= MIN_TAIL_REQUESTS,
  };
  if (!(b.value > 0 && c.value > 0)) return out;
  const trials = { ratio: c.value / b.value, baselineTrials: input.baseline.length, candidateTrials: input.candidate.length };
  if (Math.min(input.baseline.length, input.candidate.length) < MIN_TAIL_ROUNDS) {
    return { ...out, interval: { ...trials, low: 0, high: Infinity } };
  }
  const iterations = input.iterations ?? BOOTSTRAP_ITERATIONS;
  const random = seededRandom(input.seed ?? BOOTSTRAP_SEED);
  const wb = new Float64Array(input.baseline.length);
  const wc = new Float64Array(input.candidate.length);
  const logRatios: number[] = [];
  for (let k = 0; k < iterations; k++) {
    resample(wb, random);
    if (paired) wc.set(wb);
    else resample(wc, random);
    const vb = weightedPercentile(ib, wb, percentile).value;
    const vc = weightedPercentile(ic, wc, percentile).value;
    if (vb > 0 && vc > 0) logRatios.push(Math.log(vc / vb));
  }
  logRatios.sort((x, y) => x - y);
  const n = logRatios.length;
  if (n === 0) return { ...out, interval: { ...trials, low: 0, high: Infinity } };
  if ((1 - confidence) * n < MIN_RESAMPLES_BEYOND_BOUND) {
    // A bound this far out (an early sequential look spends 0.02% of the error rate) lies beyond
    // all but a handful of the resamples: their extreme would stand for it. The resamples'
    // spread is still well measured, so the bound is taken on the normal scale from it.
    const mean = logRatios.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(logRatios.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
    const z = probit(confidence);
    const centre = Math.log(trials.ratio);
    return { ...out, interval: { ...trials, low: Math.exp(centre - z * sd), high: Math.exp(centre + z * sd) } };
  }
  const lowIndex = Math.max(0, Math.floor((1 - confidence) * n));
  const highIndex = Math.min(n - 1, Math.ceil(confidence * n) - 1);
  return { ...out, interval: { ...trials, low: Math.exp(logRatios[lowIndex]!), high: Math.exp(logRatios[highIndex]!) } };
}
