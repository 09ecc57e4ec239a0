// Pure: the latency histogram of every target and scenario (all its measured trials merged) in
// HdrHistogram's percentile-distribution text (.hgrm), which HdrHistogram's plotter and most
// tools read; written next to the results file as artifacts.
import { mergeHistograms } from '../load/histogram.js';
import type { Sample } from '../types.js';

export interface NamedText {
  name: string;
  text: string;
}

const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'root';

export function histogramFiles(samples: Sample[], label = ''): NamedText[] {
  const groups = new Map<string, { target: string; scenario: string; encoded: string[] }>();
  for (const s of samples) {
    if (s.failure || !s.histogram) continue;
    const key = `${s.target}\u0000${s.scenario}`;
    const g = groups.get(key) ?? { target: s.target, scenario: s.scenario, encoded: [] };
    g.encoded.push(s.histogram);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    name: `latency-${safe(g.target)}-${safe(g.scenario)}${label}.hgrm`,
    // Values are microseconds; scaled to milliseconds as .hgrm files usually are.
    text: mergeHistograms(g.encoded).outputPercentileDistribution(5, 1000),
  }));
}
