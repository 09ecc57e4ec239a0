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

/** Recorded values ascending with their counts (stats/tailQuantiles' HistogramSteps). */
export interface HistogramSteps {
  values: number[];
  counts: number[];
}

/** Decoded steps of recently seen histograms: the gate pools the same trials several times. */
const stepsCache = new Map<string, HistogramSteps>();
const STEPS_CACHE_SIZE = 4096;

/** The recorded values of an encoded histogram (each bucket's highest equivalent value, as
 * its percentiles report) with their counts, ascending. */
export function histogramSteps(encoded: string): HistogramSteps {
  const hit = stepsCache.get(encoded);
  if (hit) return hit;
  const h = decodeHistogram(encoded) as hdr.Histogram & {
    recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
  };
  const steps: HistogramSteps = { values: [], counts: [] };
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    steps.values.push(v.valueIteratedTo);
    steps.counts.push(v.countAtValueIteratedTo);
  }
  if (stepsCache.size >= STEPS_CACHE_SIZE) stepsCache.clear();
  stepsCache.set(encoded, steps);
  return steps;
}
