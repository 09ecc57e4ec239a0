// Pure: a recorded run (or this run) as the watch reads it: the figures of every series per
// scenario, and the findings it reported.
import { median } from '../stats/intervals.js';
import { trendFigures } from '../store/record.js';
import type { InstructionsResult, Sample } from '../types.js';
import type { WatchRun } from './series.js';

const MIB = 1024 * 1024;

export interface RunFigures {
  commit: string;
  createdAt: string;
  samples: Sample[];
  target?: string;
  instructions?: InstructionsResult;
  reported?: string[];
  tags?: string[];
}

export function watchRunOf(run: RunFigures): WatchRun {
  const figures: WatchRun['figures'] = {};
  for (const [scenario, f] of Object.entries(trendFigures(run.samples, run.target, run.instructions))) {
    const target = run.target ?? run.samples[0]?.target;
    const rss = run.samples.filter((s) => s.scenario === scenario && s.target === target && !s.failure && s.server).map((s) => s.server!.rssBytesPerWorker / MIB);
    figures[scenario] = { rps: f.rps, p99Ms: f.p99Ms, instructionsPerRequest: f.instructionsPerRequest, memoryMiB: rss.length ? median(rss) : undefined };
  }
  return { commit: run.commit, createdAt: run.createdAt, figures, reported: run.reported, tags: run.tags };
}
