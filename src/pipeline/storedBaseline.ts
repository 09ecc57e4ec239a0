// The recorded run a measurement is judged against (when the base is not booted beside it):
// the newest comparable run of the baseline file, or the data branch's record. Also what the
// report says when there is none, the recorded runs whose spread widens the intervals, and the
// other runs an independent confirmation may be judged against.
import { comparableRuns, measuredAsOf, type MeasuredAs } from '../gate/comparability.js';
import type { BaselineFile, StoredRun } from '../store/baselineFile.js';
import type { PreparedHistory } from '../store/branchHistory.js';
import type { HistoryRecord } from '../store/record.js';
import type { BaselineInfo, Config, Sample, Scenario } from '../types.js';

/** A recorded run, as the baseline file and the data branch each keep it. */
export interface RecordedRun {
  samples: Sample[];
  settings?: { scenarios?: Scenario[] };
  scenarios?: Scenario[];
  meta?: { commit?: string; createdAt?: string };
  commit?: string;
  createdAt?: string;
}

export interface StoredBaselineInput {
  config: Config;
  /** The baseline file's content, when `baseline-file` is set. */
  stored?: BaselineFile;
  /** The data branch, when it could be read (no baseline-file). */
  branch?: PreparedHistory;
  /** Why the data branch could not be read. */
  branchProblem?: string;
  /** The base is booted beside the head: no recorded run is the baseline. */
  paired: boolean;
  /** Why paired mode could not run, when it was asked for. */
  pairedFallback?: string;
  /** How this run measures: only runs measured the same way count. */
  here: MeasuredAs;
}

export interface StoredBaseline {
  /** The run of the baseline file or the data branch's record this run is judged against. */
  run?: StoredRun | HistoryRecord;
  info?: BaselineInfo;
  /** Comparable recorded runs: how far they move from one to the next widens the intervals. */
  history?: Array<{ samples: Sample[]; scenarios?: Scenario[] }>;
  /** Comparable recorded runs other than `run`, oldest first, for an independent confirmation. */
  others: Array<{ run: { samples: Sample[]; scenarios?: Scenario[] }; label: string }>;
  /** What the report says about the baseline when there is none (or paired mode fell back). */
  note?: string;
}

export function chooseStoredBaseline(input: StoredBaselineInput): StoredBaseline {
  const { config, stored, branch, branchProblem } = input;
  // The baseline file keeps runs of any setup: only those measured the same way count (the
  // one rule of gate/comparability.ts; the data branch files runs by the same rule's hash).
  const storedRuns = stored ? comparableRuns(stored.runs, input.here, measuredAsOf) : undefined;
  const run: StoredRun | HistoryRecord | undefined =
    !input.paired && config.compareTo !== 'none' ? (config.baselineFile ? storedRuns?.comparable.at(-1) : branch?.baseline.record) : undefined;
  const history = config.baselineFile ? storedRuns?.comparable.map((r) => ({ samples: r.samples, scenarios: r.settings?.scenarios })) : branch?.baseline.history;

  let note: string | undefined;
  if (config.compareTo === 'none') note = 'none (compare-to: none).';
  else if (!config.baselineFile && branch) note = branch.baseline.note;
  else if (!config.baselineFile && branchProblem) note = `none: ${branchProblem}.`;
  else if (!config.baselineFile) note = 'none found: set baseline-file to a file recorded with record: true.';
  else if (!run && storedRuns?.passedOver.length) {
    note = `none comparable in ${config.baselineFile}: its latest run was measured differently (${storedRuns.passedOver.at(-1)!.differences.join(', ')}), so it is not compared; record a run with these settings first.`;
  } else if (!run) note = `none yet: ${config.baselineFile} has no recorded run; run once with record: true to create it.`;
  if (input.pairedFallback) {
    note = `paired mode could not run: ${input.pairedFallback}; ${run ? 'compared with the stored baseline instead' : `so there is ${note}`}`;
  }

  const info: BaselineInfo | undefined =
    run && config.baselineFile
      ? { source: `baseline-file ${config.baselineFile}`, commit: run.meta?.commit, createdAt: run.meta?.createdAt }
      : run
        ? branch?.baseline.info
        : undefined;
  return {
    run,
    info,
    history: run ? history : undefined,
    others: otherRecordedRuns(run, config.baselineFile ? storedRuns?.comparable : branch?.baseline.history),
    note,
  };
}

/** Comparable recorded runs other than the baseline (oldest first), for an independent confirmation. */
function otherRecordedRuns(baseline: RecordedRun | undefined, runs: RecordedRun[] | undefined) {
  if (!baseline || !runs) return [];
  const key = (r: RecordedRun) => `${r.meta?.commit ?? r.commit ?? ''}@${r.meta?.createdAt ?? r.createdAt ?? ''}`;
  return runs
    .filter((r) => r !== baseline && key(r) !== key(baseline))
    .map((r) => ({
      run: { samples: r.samples, scenarios: r.settings?.scenarios ?? r.scenarios },
      label: `of commit ${(r.meta?.commit ?? r.commit ?? 'unknown').slice(0, 12)} recorded ${r.meta?.createdAt ?? r.createdAt ?? 'at an unknown time'}`,
    }));
}
