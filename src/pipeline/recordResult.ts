// Records a finished run where history lives: the baseline file, else the data branch.
import { appendRun, type BaselineFile } from '../store/baselineFile.js';
import type { PreparedHistory } from '../store/branchHistory.js';
import type { Logger } from './executePlan.js';
import type { RunResult } from '../types.js';

/** Records a run where history lives: the baseline file, else the data branch. A branch
 * that refuses the record leaves the measurement standing, with a warning that says why. */
export async function recordResult(
  result: RunResult,
  where: { baselineFile?: string; stored?: BaselineFile; branch?: PreparedHistory; branchProblem?: string; log: Logger },
): Promise<void> {
  const { baselineFile, branch, log } = where;
  if (baselineFile) {
    appendRun(baselineFile, where.stored, result);
    log.info(`Recorded this run in ${baselineFile}`);
  } else if (branch) {
    const outcome = await branch.record(result);
    if (outcome.status === 'recorded') {
      result.history!.recordedAs = outcome.path;
      log.info(`Recorded this run on ${branch.info.branch} as ${outcome.path} (data branch commit ${outcome.commit.slice(0, 12)}${outcome.attempts > 1 ? `, attempt ${outcome.attempts}` : ''}).`);
    } else {
      log.warning(outcome.message);
    }
  } else if (where.branchProblem) {
    log.warning(`This run was not recorded: ${where.branchProblem}.`);
  }
}
