// Runner glue for one job of a sharded gate (`shard: K/N`): narrows the config to this
// shard's scenarios, looks history up under the whole config's hash (so every shard, and an
// unsharded run, share records), and writes shard-K-of-N.json for the merge job, also when
// the shard fails (the merge then names it and why).
import { runnerFingerprint } from '../pipeline/pipeline.js';
import { scenariosOfShard, formatShard } from '../shards/shards.js';
import { configHash, fingerprintHash, type Fingerprint } from '../store/fingerprint.js';
import { probeTargetVersions } from '../store/targetVersions.js';
import { configIdentity, SHARD_KIND, SHARD_SCHEMA_VERSION, writeShardFile, type ShardFile, type ShardRunner } from '../store/shardFile.js';
import type { HistoryStore } from '../store/branchHistory.js';
import type { Config, RunResult, ShardSpec } from '../types.js';
import type { Logger } from '../pipeline/executePlan.js';

export interface ShardJob {
  spec: ShardSpec;
  /** The config narrowed to this shard's scenarios. */
  config: Config;
  /** Looks history up as the whole gate would (its config hash covers every scenario). */
  history(store: HistoryStore): HistoryStore;
  /** Writes this shard's results file; returns its path. */
  finish(result: RunResult): string;
  fail(message: string): string;
}

export function startShard(full: Config, spec: ShardSpec, opts: { commit?: string; dir: string; log: Logger }): ShardJob {
  const head = full.targets[0]!;
  const scenarios = scenariosOfShard(full.scenarios, spec, {
    warmupSeconds: full.warmupSeconds,
    rounds: full.rounds,
    targets: full.compareTo === 'base' ? 2 : full.targets.length,
  });
  opts.log.info(`Shard ${formatShard(spec)}: measuring ${scenarios.length} of ${full.scenarios.length} scenario(s): ${scenarios.map((s) => s.name).join(', ')}`);
  const base = {
    kind: SHARD_KIND,
    schemaVersion: SHARD_SCHEMA_VERSION,
    shard: spec,
    commit: opts.commit,
    configIdentity: configIdentity(full),
    scenarioOrder: full.scenarios.map((s) => s.name),
    scenarios: scenarios.map((s) => s.name),
  } as const;
  const historyConfigHash = configHash({ scenarios: full.scenarios, warmupSeconds: full.warmupSeconds, command: head.command });
  const runner = (): ShardRunner => {
    const r = runnerFingerprint();
    const fingerprint: Fingerprint = { cpuModel: r.cpuModel, cpus: r.cpus, os: r.os, arch: r.arch, ...probeTargetVersions(head) };
    return { fingerprint, fingerprintHash: fingerprintHash(fingerprint), historyConfigHash };
  };
  let measured: string | undefined;
  const write = (file: Omit<ShardFile, keyof typeof base | 'createdAt'>) => {
    const out = writeShardFile(opts.dir, { ...base, createdAt: new Date().toISOString(), ...file });
    opts.log.info(`Shard ${formatShard(spec)}: wrote ${out} for the merge job (upload it with actions/upload-artifact).`);
    return out;
  };
  return {
    spec,
    config: { ...full, scenarios },
    history: (store) => ({ branch: store.branch, prepare: (input) => store.prepare({ ...input, config: full }) }),
    finish: (result) => (measured = write({ runner: result.history ? { fingerprint: result.history.fingerprint, fingerprintHash: result.history.fingerprintHash, historyConfigHash } : runner(), result })),
    // A failure after the measurement was written (e.g. posting a comment) leaves the measurement standing.
    fail: (message) => measured ?? write({ error: message }),
  };
}

/** A shard that failed before its config was read: still leaves a file that names it. */
export function writeFailedShard(spec: ShardSpec, opts: { commit?: string; dir: string }, message: string): string {
  return writeShardFile(opts.dir, { kind: SHARD_KIND, schemaVersion: SHARD_SCHEMA_VERSION, shard: spec, commit: opts.commit, createdAt: new Date().toISOString(), error: message });
}
