// The watch's edge in the pipeline: on a push that records, reads main's recorded pushes, adds
// this run, finds the change points and creep (watch.ts), names each new change point's range
// of commits, and with `bisect: true` counts the range to name the first bad commit.
import type { PreparedHistory } from '../store/branchHistory.js';
import type { Logger } from '../pipeline/executePlan.js';
import type { Config, InstructionsResult, Sample } from '../types.js';
import { bisectRange } from './bisect.js';
import { watchRunOf } from './fromRecords.js';
import { watchMain, type WatchReport } from './watch.js';

export async function watchThisPush(input: {
  config: Config;
  branch: PreparedHistory;
  createdAt: string;
  samples: Sample[];
  target: string;
  instructions?: InstructionsResult;
  log: Logger;
}): Promise<WatchReport> {
  const { config, branch, log } = input;
  const past = branch.watchRuns(config.historyKeepRuns);
  const here = watchRunOf({ commit: branch.head, createdAt: input.createdAt, samples: input.samples, target: input.target, instructions: input.instructions });
  const report = watchMain([...past, here], config.watch, config);
  for (const cp of report.changePoints) {
    if (!cp.isNew) continue;
    cp.range = branch.commitsBetween(cp.previousCommit, cp.commit);
    if (!config.watch.bisect || !cp.worse || cp.kind !== 'exact' || cp.range.length < 2) continue;
    const scenario = config.scenarios.find((s) => s.name === cp.scenario);
    if (!scenario) continue;
    log.info(`Bisect: ${cp.label} on ${cp.scenario} changed ${cp.changePct.toFixed(2)}% in ${cp.range.length} commits after ${cp.previousCommit.slice(0, 12)}; counting them (bisect: true).`);
    cp.bisect = await bisectRange({ config, scenario, good: cp.previousCommit, range: cp.range, stepPct: cp.changePct, log });
  }
  return report;
}
