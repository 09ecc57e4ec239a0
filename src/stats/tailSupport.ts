// Pure: whether a tail quantile (p99, p90) rests on enough requests to decide anything.
//
// No method can know more about a quantile than the requests' order statistics do. The
// distribution-free one-sided upper bound on the p-th percentile at confidence c is an order
// statistic X(n-j) with P(at most j of n requests lie beyond the percentile) <= 1 - c; the
// most extreme one, the slowest request (j = 0), is a bound only when all n requests fall
// below the percentile with chance p^n <= 1 - c, that is n >= ln(1 - c) / ln(p). For p99 at
// 99% that is 459 requests (4.6 expected beyond it); at the 0.016% share an early sequential
// look spends, 870 (8.7 beyond). Below it the tail's upper end is not bounded at all, so the
// figure can decide neither `pass` nor `regressed`. Just above it the bound is the slowest
// request or two, which one stray request moves: hence also at least MIN_TAIL_REQUESTS beyond
// the quantile (1,000 requests for p99), which covers every confidence up to 1 - e^-10 (99.995%).
import { MIN_TAIL_REQUESTS } from './tailQuantiles.js';

/** Fewest requests for the order statistics to bound the `percentile` from above at `confidence`. */
export function minRequestsForBound(percentile: number, confidence: number): number {
  const p = percentile / 100;
  if (p >= 1) return Infinity;
  return Math.ceil(Math.log(1 - confidence) / Math.log(p) - 1e-9);
}

/** Fewest requests per side for a tail figure to decide: the order-statistics bound, and MIN_TAIL_REQUESTS beyond the quantile. */
export function minRequestsForTail(percentile: number, confidence: number): number {
  const beyond = Math.ceil(MIN_TAIL_REQUESTS / (1 - percentile / 100) - 1e-9);
  return Math.max(beyond, minRequestsForBound(percentile, confidence));
}

export interface TailSide {
  /** Requests pooled on this side. */
  requests: number;
  /** Requests above the quantile. */
  beyond: number;
}

/** Whether both sides support the quantile at `confidence`: enough beyond it, and enough for an order-statistics bound. */
export function tailSupported(sides: TailSide[], percentile: number, confidence: number): boolean {
  const need = minRequestsForBound(percentile, confidence);
  return sides.every((s) => s.beyond >= MIN_TAIL_REQUESTS && s.requests >= need);
}
