// Pure: change points over the data branch's index (index.json), per runner and config, for the
// dashboard's marks and `wsgi-perf-gate history --changes`. The index keeps median figures per
// run, in time order, and no scenario thresholds: the gate's defaults judge the steps.
import { DEFAULTS } from '../config/config.js';
import type { HistoryIndex } from '../store/historyIndex.js';
import type { WatchRun } from './series.js';
import { watchMain, type WatchChangePoint, type WatchCreep, type WatchSettings } from './watch.js';
import { WATCH_DEFAULTS } from './settings.js';

export interface GroupChanges {
  fingerprintHash: string;
  configHash: string;
  runs: number;
  changePoints: WatchChangePoint[];
  creep: WatchCreep[];
  /** Series that need more runs before a change can be judged. */
  needsMore: Array<{ scenario: string; series: string; runs: number; needsMore: number }>;
}

const SETTINGS: WatchSettings = { mode: 'report', anchor: { kind: 'pushes', pushes: WATCH_DEFAULTS.anchor }, creepPct: WATCH_DEFAULTS.creepPct, bisect: false };

export function indexChanges(index: Pick<HistoryIndex, 'runs'>, settings: WatchSettings = SETTINGS): GroupChanges[] {
  const groups = new Map<string, HistoryIndex['runs']>();
  for (const r of index.runs) {
    const key = `${r.fingerprintHash}/${r.configHash}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: GroupChanges[] = [];
  for (const runs of groups.values()) {
    const watchRuns: WatchRun[] = runs.map((r) => ({ commit: r.commit, createdAt: r.createdAt, figures: r.scenarios, reported: r.reported }));
    const scenarios = Object.keys(runs.at(-1)!.scenarios).map((name) => ({ name, thresholds: DEFAULTS.thresholds }));
    const report = watchMain(watchRuns, settings, { instructions: DEFAULTS.instructions, scenarios: scenarios as never });
    out.push({
      fingerprintHash: runs[0]!.fingerprintHash,
      configHash: runs[0]!.configHash,
      runs: runs.length,
      changePoints: report.changePoints,
      creep: report.creep,
      needsMore: report.series.filter((s) => s.needsMore > 0).map((s) => ({ scenario: s.scenario, series: s.series, runs: s.runs, needsMore: s.needsMore })),
    });
  }
  return out;
}
