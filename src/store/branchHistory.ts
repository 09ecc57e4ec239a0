// The history store the pipeline is handed (the action passes one; the CLI none): before the
// run it works out this run's fingerprint and config hash and finds the baseline and trend on
// the data branch; after the run it records the result there.
import { StoreError } from '../errors.js';
import type { Logger } from '../pipeline/executePlan.js';
import type { Config, HistoryInfo, RunMeta, RunResult, Target } from '../types.js';
import { findBaseline, readSnapshot, recordRun, type BranchBaseline, type RecordOutcome } from './dataBranch.js';
import { configHash, fingerprintHash, type Fingerprint } from './fingerprint.js';
import { realGit, type GitEdge } from './git.js';
import { newRecord } from './record.js';
import { probeTargetVersions } from './targetVersions.js';
import { readWatchRuns } from '../changes/history.js';
import type { WatchRun } from '../changes/series.js';

export interface PreparedHistory {
  info: HistoryInfo;
  baseline: BranchBaseline;
  /** The measured commit (HEAD of the workspace). */
  head: string;
  record(result: RunResult): Promise<RecordOutcome>;
  /** The recorded pushes on this commit's ancestry, runner and config, oldest first (the watch over main). */
  watchRuns(max: number): WatchRun[];
  /** Commits in (from, to], oldest first. */
  commitsBetween(from: string, to: string): string[];
}

export interface HistoryStore {
  branch: string;
  /** Throws a StoreError when the repository or the branch cannot be read. */
  prepare(input: { target: Target; config: Config; runner: RunMeta['runner']; baseSha?: string }): PreparedHistory;
}

export interface BranchHistoryOptions {
  repoDir: string;
  branch: string;
  keepRuns: number;
  log: Logger;
  git?: GitEdge;
}

export function openBranchHistory(opts: BranchHistoryOptions): HistoryStore {
  const git = opts.git ?? realGit(opts.repoDir);
  return {
    branch: opts.branch,
    prepare({ target, config, runner, baseSha }) {
      const head = git.resolve('HEAD');
      if (!head) throw new StoreError(`${opts.repoDir} is not a git checkout with a commit (HEAD does not resolve); check out the repository first (actions/checkout).`);
      const versions = probeTargetVersions(target);
      const fingerprint: Fingerprint = { cpuModel: runner.cpuModel, cpus: runner.cpus, os: runner.os, arch: runner.arch, ...versions };
      const info: HistoryInfo = {
        branch: opts.branch,
        fingerprint,
        fingerprintHash: fingerprintHash(fingerprint),
        configHash: configHash({ scenarios: config.scenarios, warmupSeconds: config.warmupSeconds, command: target.command }),
      };
      opts.log.info(
        `Runner fingerprint ${info.fingerprintHash}: ${fingerprint.cpuModel} × ${fingerprint.cpus}, ${fingerprint.os}/${fingerprint.arch}, ` +
          `Python ${fingerprint.python}, ${fingerprint.server}; config ${info.configHash}`,
      );
      const snapshot = readSnapshot(git, opts.branch);
      const baseline = findBaseline(git, opts.branch, snapshot, { fingerprint, fingerprintHash: info.fingerprintHash, configHash: info.configHash, baseSha, head });
      return {
        info,
        baseline,
        head,
        watchRuns: (max) => readWatchRuns(git, snapshot, { head, fingerprintHash: info.fingerprintHash, configHash: info.configHash, max }),
        commitsBetween: (from, to) => git.commitsBetween?.(from, to) ?? [],
        record: (result) =>
          recordRun({ git, branch: opts.branch, log: opts.log, keepRuns: opts.keepRuns }, newRecord({ ...result, meta: { ...result.meta, commit: head } }, fingerprint, info.configHash)),
      };
    },
  };
}
