// Pure: the series the watch reads, one per scenario and metric, and how each is judged. An
// exact series (instructions per request: ~0.1% apart from run to run) detects small steps;
// a wall-clock series (requests/s, p99, memory on a shared runner) only steps larger than its
// gate threshold and than its own measured run-to-run spread. A new metric (queries per
// request) is one more entry in SERIES.
import { median } from '../stats/intervals.js';
import type { Config } from '../types.js';
import type { DetectOptions } from './detect.js';

/** One recorded run on the watched line (a push to main), oldest first. */
export interface WatchRun {
  commit: string;
  createdAt: string;
  /** Figures per scenario and series key (absent where a run did not measure it). */
  figures: Record<string, Partial<Record<SeriesKey, number>>>;
  /** Findings this run reported (their keys); older runs' keys are "already reported". */
  reported?: string[];
  /** Tags that point at this commit (for `watch-anchor: tag`). */
  tags?: string[];
}

export type SeriesKey = 'instructionsPerRequest' | 'rps' | 'p99Ms' | 'memoryMiB';

export interface SeriesSpec {
  key: SeriesKey;
  label: string;
  unit: string;
  kind: 'exact' | 'wall-clock';
  /** +1 when a larger value is worse (instructions, latency, memory), -1 when smaller is (requests/s). */
  worse: 1 | -1;
  /** The gate's own threshold for the metric, in percent: the smallest step worth a change point. */
  thresholdPct(config: Pick<Config, 'instructions' | 'scenarios'>, scenario: string): number;
}

const scenarioThresholds = (config: Pick<Config, 'scenarios'>, scenario: string) => config.scenarios.find((s) => s.name === scenario)?.thresholds;

export const SERIES: SeriesSpec[] = [
  { key: 'instructionsPerRequest', label: 'instructions per request', unit: 'instructions', kind: 'exact', worse: 1, thresholdPct: (c) => c.instructions.maxIncreasePct },
  { key: 'rps', label: 'requests/s', unit: 'requests/s', kind: 'wall-clock', worse: -1, thresholdPct: (c, s) => scenarioThresholds(c, s)?.maxRpsDropPct ?? 5 },
  { key: 'p99Ms', label: 'p99 latency', unit: 'ms', kind: 'wall-clock', worse: 1, thresholdPct: (c, s) => scenarioThresholds(c, s)?.maxP99IncreasePct ?? 10 },
  { key: 'memoryMiB', label: 'memory per worker', unit: 'MiB', kind: 'wall-clock', worse: 1, thresholdPct: (c, s) => scenarioThresholds(c, s)?.maxMemoryIncreasePct ?? 10 },
];

/** False alarms allowed per series and push (Bonferroni-bounded, docs/history.md). */
export const ALPHA = 0.01;

/** Run-to-run spread of a series in percent: the robust standard deviation of its successive
 * log-changes divided by sqrt 2 (a step moves one difference, noise moves all of them). */
export function runToRunSpreadPct(values: number[]): number | undefined {
  if (values.length < 3) return undefined;
  const diffs = values.slice(1).map((v, i) => Math.log(v / values[i]!)).filter(Number.isFinite);
  if (diffs.length < 2) return undefined;
  const mid = median(diffs);
  const mad = median(diffs.map((d) => Math.abs(d - mid)));
  return ((1.4826 * mad) / Math.SQRT2) * 100;
}

/** How a series is judged: exact series by their threshold; wall-clock ones also by their spread. */
export function detectOptions(spec: SeriesSpec, thresholdPct: number, values: number[]): DetectOptions & { spreadPct?: number } {
  if (spec.kind === 'exact') return { alpha: ALPHA, minStepPct: thresholdPct, window: 3, minSegment: 3, minNewest: 1, resolutionPct: 0.02 };
  const spreadPct = runToRunSpreadPct(values);
  return { alpha: ALPHA, minStepPct: Math.max(thresholdPct, 3 * (spreadPct ?? 0)), window: 5, minSegment: 3, minNewest: 3, resolutionPct: 0.1, spreadPct };
}
