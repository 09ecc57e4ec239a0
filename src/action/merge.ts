// Runner glue for `mode: merge`: reads the shards' results files, merges them (gate/mergeShards,
// pure) and records the merged run on the data branch, one record per runner fingerprint.
// Reporting (summary, comment, outputs, failing) is main.ts's, as for a single run.
import { existsSync } from 'node:fs';
import { GateError } from '../errors.js';
import { mergeShards } from '../shards/mergeShards.js';
import type { MergeSettings } from '../config/mergeSettings.js';
import type { Logger } from '../pipeline/executePlan.js';
import { recordRun } from '../store/dataBranch.js';
import { realGit } from '../store/git.js';
import { newRecord } from '../store/record.js';
import { readShardsDir } from '../store/shardFile.js';
import type { RunResult } from '../types.js';

/** The shards cannot be merged into a verdict: one is missing, failed, or from another run. */
export class ShardMergeError extends GateError {}

export async function mergeShardResults(args: { settings: MergeSettings; commit?: string; workspace: string; record: boolean; log: Logger }): Promise<RunResult> {
  const { settings, log } = args;
  if (!existsSync(settings.shardsDir)) {
    throw new ShardMergeError(`Input \`shards-dir\` is ${JSON.stringify(settings.shardsDir)}: no such directory; expected the directory actions/download-artifact wrote the shards' results to.`);
  }
  const started = Date.now();
  const outcome = mergeShards(readShardsDir(settings.shardsDir), { commit: args.commit, dir: settings.shardsDir });
  if (!outcome.ok) {
    throw new ShardMergeError(`The shards cannot be merged into one verdict:\n${outcome.problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const { result, records, shards } = outcome;
  log.info(`Merged ${shards.length} shard(s), ${result.comparison.scenarios.length} scenario(s), in ${Date.now() - started} ms: ${result.verdict}.`);
  if (!args.record) return result;

  // The data branch is written from this job's checkout; the records carry the shards' runners.
  const git = realGit(args.workspace);
  const commit = git.resolve('HEAD') ?? result.meta.commit;
  for (const group of records) {
    const record = newRecord({ meta: { ...result.meta, commit }, settings: result.settings, samples: group.samples, instructions: group.instructions, queries: group.queries, hardening: result.hardening }, group.fingerprint, group.configHash);
    const outcome = await recordRun({ git, branch: settings.baselineBranch, log, keepRuns: settings.historyKeepRuns }, record);
    if (outcome.status === 'recorded') {
      if (result.history) result.history.recordedAs = outcome.path;
      log.info(`Recorded shard(s) ${group.shards.join(', ')} on ${settings.baselineBranch} as ${outcome.path} (data branch commit ${outcome.commit.slice(0, 12)}).`);
    } else {
      log.warning(outcome.message);
    }
  }
  if (!records.length) log.warning('This run was not recorded: no shard says which runner measured it.');
  return result;
}
