// Pure: the watch over main. Recorded runs in (oldest first, this push last), findings out:
// change points on every series, creep on the exact ones, how many more runs a short series
// needs, and which findings are new (not reported by an earlier push).
import { detectChangePoints, minRuns } from './detect.js';
import { measureCreep, type AnchorSetting, type Creep } from './creep.js';
import { detectOptions, SERIES, type SeriesKey, type SeriesSpec, type WatchRun } from './series.js';
import type { Config } from '../types.js';

export interface WatchSettings {
  /** off: no watch; report: findings in the summary and a commit comment; fail: and main's run fails on a new one. */
  mode: 'off' | 'report' | 'fail';
  anchor: AnchorSetting;
  /** Creep past this (percent, the worse way) is reported. */
  creepPct: number;
  /** Measure the commits between two recorded pushes to name the first bad one. */
  bisect: boolean;
}

export interface SeriesStatus {
  scenario: string;
  series: SeriesKey;
  label: string;
  kind: SeriesSpec['kind'];
  runs: number;
  /** Runs still needed before a change at the newest push can be judged. */
  needsMore: number;
  /** Smallest step that counts on this series, percent. */
  minStepPct: number;
  /** Measured run-to-run spread (wall-clock series), percent. */
  spreadPct?: number;
}

export interface WatchChangePoint {
  key: string;
  scenario: string;
  series: SeriesKey;
  label: string;
  kind: SeriesSpec['kind'];
  /** The first recorded push after the change, and the one before it: the change is in between. */
  commit: string;
  previousCommit: string;
  before: number;
  after: number;
  changePct: number;
  pValue: number;
  runsAfter: number;
  /** True when the step goes the worse way (a regression); false for an improvement. */
  worse: boolean;
  /** Not reported by an earlier push. */
  isNew: boolean;
  /** Filled by the edge: the commits in (previousCommit, commit], oldest first. */
  range?: string[];
  /** Filled by the edge when `bisect: true` measured the range. */
  bisect?: BisectResult;
}

export interface BisectResult {
  /** The first commit whose count differs from the good one by the step, when found. */
  firstBad?: string;
  /** Commits measured, with their change against the good commit. */
  measured: Array<{ commit: string; changePct?: number; verdict: string }>;
  note?: string;
}

export interface WatchCreep extends Creep {
  key: string;
  scenario: string;
  series: SeriesKey;
  label: string;
  thresholdPct: number;
  isNew: boolean;
}

export interface WatchReport {
  mode: 'report' | 'fail';
  /** Recorded pushes read, this one included. */
  runs: number;
  series: SeriesStatus[];
  changePoints: WatchChangePoint[];
  creep: WatchCreep[];
  /** Keys of the findings this push reports for the first time (kept in its record). */
  newKeys: string[];
}

const cpKey = (scenario: string, series: string, commit: string) => `cp/${series}/${scenario}/${commit}`;
const creepKey = (scenario: string, series: string, level: number) => `creep/${series}/${scenario}/${level}`;

/** The change points and creep of every scenario and series; `runs` ends with this push. */
export function watchMain(runs: WatchRun[], settings: WatchSettings, config: Pick<Config, 'instructions' | 'scenarios'>): WatchReport {
  const report: WatchReport = { mode: settings.mode === 'fail' ? 'fail' : 'report', runs: runs.length, series: [], changePoints: [], creep: [], newKeys: [] };
  const reportedBy = runs.slice(0, -1).map((r) => new Set(r.reported ?? []));
  const scenarios = [...new Set(runs.flatMap((r) => Object.keys(r.figures)))];
  for (const scenario of scenarios) {
    for (const spec of SERIES) {
      // The series is the runs that measured it; the newest push must be among them.
      const points = runs.map((r, i) => ({ i, commit: r.commit, tags: r.tags, value: r.figures[scenario]?.[spec.key] })).filter((p): p is typeof p & { value: number } => typeof p.value === 'number' && Number.isFinite(p.value) && p.value > 0);
      if (!points.length || points.at(-1)!.i !== runs.length - 1) continue;
      const values = points.map((p) => p.value);
      const threshold = spec.thresholdPct(config, scenario);
      const opts = detectOptions(spec, threshold, values);
      const needed = minRuns(opts);
      report.series.push({ scenario, series: spec.key, label: spec.label, kind: spec.kind, runs: values.length, needsMore: Math.max(0, needed - values.length), minStepPct: opts.minStepPct, spreadPct: opts.spreadPct });
      if (values.length < needed) continue;
      const found = detectChangePoints(values, opts);
      for (const cp of found) {
        const commit = points[cp.index]!.commit;
        const key = cpKey(scenario, spec.key, commit);
        // Already reported: this key, or one of the same series within the step's window (a noisy
        // series may place the same step a run earlier or later as runs are added).
        const near = points.slice(Math.max(0, cp.index - opts.window), cp.index + opts.window + 1);
        const seen = near.some((p) => reportedBy.some((set) => set.has(cpKey(scenario, spec.key, p.commit))));
        report.changePoints.push({
          key,
          scenario,
          series: spec.key,
          label: spec.label,
          kind: spec.kind,
          commit,
          previousCommit: points[cp.index - 1]!.commit,
          before: cp.before,
          after: cp.after,
          changePct: cp.changePct,
          pValue: cp.pValue,
          runsAfter: cp.runsAfter,
          worse: cp.changePct * spec.worse > 0,
          isNew: !seen,
        });
      }
      if (spec.kind !== 'exact') continue;
      const creep = measureCreep({
        runs: points.map((p) => ({ commit: p.commit, value: p.value, tags: p.tags })),
        anchor: settings.anchor,
        changePoints: found,
        worse: spec.worse,
        noisePct: opts.resolutionPct * 2,
      });
      if (!creep || creep.creepPct * spec.worse < settings.creepPct) continue;
      const level = Math.floor((creep.creepPct * spec.worse) / settings.creepPct);
      // Told once per level within the span: a push after the anchor that reported this level or a higher one.
      const anchorAt = points.findIndex((p) => p.commit === creep.anchorCommit);
      const spanReporters = points.slice(anchorAt + 1, -1).map((p) => reportedBy[p.i]!);
      const seen = spanReporters.some((set) => [...set].some((k) => k.startsWith(`creep/${spec.key}/${scenario}/`) && Number(k.split('/').at(-1)) >= level));
      report.creep.push({ ...creep, key: creepKey(scenario, spec.key, level), scenario, series: spec.key, label: spec.label, thresholdPct: settings.creepPct, isNew: !seen });
    }
  }
  report.newKeys = [...report.changePoints.filter((c) => c.isNew && c.worse).map((c) => c.key), ...report.creep.filter((c) => c.isNew).map((c) => c.key)];
  return report;
}

/** Findings that call for telling someone: new regressions (change points the worse way) and new creep. */
export function newFindings(report: WatchReport): { changePoints: WatchChangePoint[]; creep: WatchCreep[] } {
  return { changePoints: report.changePoints.filter((c) => c.isNew && c.worse), creep: report.creep.filter((c) => c.isNew) };
}
