// Latency histograms at microsecond resolution (autocannon's own rounds to whole ms).
// hdr-histogram-js is already in autocannon's tree; 3 significant digits keeps the error
// of any percentile below 0.1%.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../types.js';

export type Histogram = hdr.Histogram;

/** Longest latency we can record: 5 minutes, far beyond any request timeout. */
const HIGHEST_US = 300_000_000;

export function newLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

export function recordLatencyMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: Math.round(h.mean),
  };
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** One histogram holding every value of the given ones (e.g. all trials of a scenario). */
export function mergeHistograms(encoded: string[]): Histogram {
  const total = newLatencyHistogram();
  for (const e of encoded) total.add(decodeHistogram(e));
  return total;
}
