// Pure: change points in one series of recorded runs (oldest first), in the manner of Apache
// Otava (formerly Hunter, Fleming et al., ICPE 2023): binary segmentation, each candidate split
// judged by a two-sample Student t-test. A t-test rather than E-divisive's permutation test
// keeps the answer deterministic: the same history always names the same change points, which
// is what lets a change point be reported once and never again.
//
// A split counts only when it is significant (Bonferroni over the candidate splits, so the
// false-alarm rate per series stays at or below `alpha`) AND the step measured right at it, from
// a few runs either side, passes the series' floor. The second condition tells a step from a
// creep: eight pushes of +0.3% have a significant split in their middle, but around it one
// straight line fits the runs better than two flat levels: a ramp, not a step.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { median } from '../stats/intervals.js';

export interface DetectOptions {
  /** Family-wise false-alarm rate per segment tested (e.g. 0.01). */
  alpha: number;
  /** Smallest step that counts, in percent of the level before it. */
  minStepPct: number;
  /** Runs each side of a split used to measure the step at it, and to tell it from a ramp. */
  window: number;
  /** Fewest runs in a segment. */
  minSegment: number;
  /** Fewest runs after a split at the newest end (1 for an exact series: a new push can be judged alone). */
  minNewest: number;
  /** Smallest standard deviation assumed, in percent of the level (an exact series may repeat a value exactly). */
  resolutionPct: number;
}

export interface ChangePoint {
  /** Index of the first run after the change. */
  index: number;
  /** Levels (mean of the window) just before and after. */
  before: number;
  after: number;
  /** Signed size of the step in percent of `before`. */
  changePct: number;
  /** Two-sided p-value of the split, Bonferroni-adjusted over the candidate splits. */
  pValue: number;
  /** Runs in the segment after the split (a single one is the newest push judged alone). */
  runsAfter: number;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom, from the quantile function. */
export function tPValue(t: number, df: number): number {
  const a = Math.abs(t);
  if (!Number.isFinite(a)) return 0;
  if (a === 0) return 1;
  // quantile(1 - p/2) is decreasing in p: bisect p on a log scale down to 1e-300.
  let lo = -300;
  let hi = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const q = tQuantile(1 - 10 ** mid / 2, df);
    if (q > a) lo = mid;
    else hi = mid;
  }
  return Math.min(1, 10 ** hi);
}

interface Split {
  index: number;
  t: number;
  df: number;
}

/** The candidate split of values[lo, hi) with the largest |t| among those whose local step passes the floor. */
function bestSplit(values: number[], lo: number, hi: number, opts: DetectOptions, atNewestEnd: boolean): { split?: Split; candidates: number } {
  const n = hi - lo;
  const prefix = [0];
  const prefixSq = [0];
  for (let i = lo; i < hi; i++) {
    prefix.push(prefix.at(-1)! + values[i]!);
    prefixSq.push(prefixSq.at(-1)! + values[i]! ** 2);
  }
  const level = Math.abs(median(values.slice(lo, hi)));
  const minSd = (opts.resolutionPct / 100) * level;
  const rightMin = atNewestEnd ? opts.minNewest : opts.minSegment;
  let best: Split | undefined;
  let candidates = 0;
  for (let k = opts.minSegment; k <= n - rightMin; k++) {
    const m = n - k;
    if (k + m - 2 < 1) continue;
    candidates++;
    const s1 = prefix[k]!;
    const s2 = prefix[n]! - s1;
    const mean1 = s1 / k;
    const mean2 = s2 / m;
    const ss = prefixSq[n]! - (s1 * s1) / k - (s2 * s2) / m;
    const df = n - 2;
    const sd = Math.max(Math.sqrt(Math.max(0, ss) / df), minSd);
    const t = (mean2 - mean1) / (sd * Math.sqrt(1 / k + 1 / m));
    const at = lo + k;
    const step = localStep(values, lo, hi, at, opts.window);
    if (Math.abs(step.changePct) < opts.minStepPct || !step.stepFitsBetter) continue;
    if (!best || Math.abs(t) > Math.abs(best.t)) best = { index: at, t, df };
  }
  return { split: best, candidates };
}

/** Sum of squared residuals of a straight line fitted to ys (at x = 0, 1, ...). */
function lineSse(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (ys[i]! - my);
    sxx += (i - mx) ** 2;
  }
  const slope = sxx ? sxy / sxx : 0;
  return ys.reduce((sum, y, i) => sum + (y - my - slope * (i - mx)) ** 2, 0);
}

const mean = (ys: number[]) => ys.reduce((a, b) => a + b, 0) / ys.length;
const sse = (ys: number[]) => {
  const m = mean(ys);
  return ys.reduce((sum, y) => sum + (y - m) ** 2, 0);
};

/** The step at a split, measured from up to `window` runs either side; and whether two flat
 * levels fit those runs better than one straight line (a step, not a ramp). */
function localStep(values: number[], lo: number, hi: number, at: number, window: number): { before: number; after: number; changePct: number; stepFitsBetter: boolean } {
  const left = values.slice(Math.max(lo, at - window), at);
  const right = values.slice(at, Math.min(hi, at + window));
  const before = mean(left);
  const after = mean(right);
  const stepFitsBetter = sse(left) + sse(right) < lineSse([...left, ...right]);
  return { before, after, changePct: before === 0 ? 0 : ((after - before) / Math.abs(before)) * 100, stepFitsBetter };
}

/** Change points of a series, oldest first. */
export function detectChangePoints(values: number[], opts: DetectOptions): ChangePoint[] {
  const found: ChangePoint[] = [];
  const segment = (lo: number, hi: number) => {
    const atNewestEnd = hi === values.length;
    if (hi - lo < opts.minSegment + (atNewestEnd ? opts.minNewest : opts.minSegment)) return;
    const { split, candidates } = bestSplit(values, lo, hi, opts, atNewestEnd);
    if (!split) return;
    const pValue = Math.min(1, tPValue(split.t, split.df) * candidates);
    if (pValue >= opts.alpha) return;
    const { before, after, changePct } = localStep(values, lo, hi, split.index, opts.window);
    found.push({ index: split.index, before, after, changePct, pValue, runsAfter: hi - split.index });
    segment(lo, split.index);
    segment(split.index, hi);
  };
  segment(0, values.length);
  return found.sort((a, b) => a.index - b.index);
}

/** Fewest runs a series needs before a change point at its newest run can be judged. */
export function minRuns(opts: Pick<DetectOptions, 'minSegment' | 'minNewest'>): number {
  return Math.max(opts.minSegment + opts.minNewest, 3);
}
