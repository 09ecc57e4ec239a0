// Inputs of the two sides of a sharded gate that readConfig does not cover: where shard
// results go (`shards-dir`, both sides) and, for `mode: merge`, what the merge job does with
// them. The merge boots nothing, so it reads no server or scenario inputs.
import path from 'node:path';
import { DEFAULTS, parseBool, parseBranch, parseChoice, parseNumber } from './config.js';
import type { RecordMode } from '../types.js';

export interface MergeSettings {
  shardsDir: string;
  record: RecordMode;
  baselineBranch: string;
  historyKeepRuns: number;
  failOnRegression: boolean;
}

export interface MergeSources {
  getInput(name: string): string;
  workspace: string;
  runnerTemp: string;
}

/** `shards-dir`: where a shard writes shard-K-of-N.json and where the merge reads them. */
export function readShardsDir(src: MergeSources): string {
  const given = src.getInput('shards-dir').trim();
  return given ? path.resolve(src.workspace, given) : path.join(src.runnerTemp, 'wsgi-perf-gate', 'shards');
}

export function readMergeSettings(src: MergeSources): MergeSettings {
  const input = (name: string) => src.getInput(name).trim();
  return {
    shardsDir: readShardsDir(src),
    record: input('record') ? parseChoice('record', input('record'), ['auto', 'true', 'false'] as const) : DEFAULTS.record,
    baselineBranch: parseBranch(input('baseline-branch') || DEFAULTS.baselineBranch),
    historyKeepRuns: input('history-keep-runs')
      ? parseNumber('history-keep-runs', input('history-keep-runs'), { integer: true, min: 1, expected: 'a whole number of runs >= 1 kept per runner on the data branch (e.g. 100)' })
      : DEFAULTS.historyKeepRuns,
    failOnRegression: input('fail-on-regression') ? parseBool('fail-on-regression', input('fail-on-regression')) : true,
  };
}
