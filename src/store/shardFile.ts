// The results file one shard of a sharded gate writes (shard-K-of-N.json), and how the merge
// job finds and reads them. The file carries what the merge checks (commit, configuration
// identity, shard number and count, which scenarios) beside the shard's own run result, or
// the error that stopped the shard. Parsing is pure; reading the directory is the edge.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Config, Fingerprint, RunResult, ShardSpec } from '../types.js';

export const SHARD_KIND = 'wsgi-perf-gate/shard';
export const SHARD_SCHEMA_VERSION = 1;

export interface ShardRunner {
  fingerprint: Fingerprint;
  fingerprintHash: string;
  /** The config hash the data branch files records under (store/fingerprint.ts), of the whole config. */
  historyConfigHash: string;
}

export interface ShardFile {
  kind: typeof SHARD_KIND;
  schemaVersion: typeof SHARD_SCHEMA_VERSION;
  shard: ShardSpec;
  /** The commit the workflow run is for (GITHUB_SHA), shared by every shard of one run. */
  commit?: string;
  createdAt: string;
  /** Hash of everything that must be equal across shards; undefined when the config could not be read. */
  configIdentity?: string;
  /** Every scenario of the config, in its order. */
  scenarioOrder?: string[];
  /** The scenarios this shard measured. */
  scenarios?: string[];
  runner?: ShardRunner;
  /** Why the shard has no result. */
  error?: string;
  result?: RunResult;
}

/** What shards must agree on: the scenarios (with thresholds), the servers and how they are measured. */
export function configIdentity(config: Config): string {
  const identity = {
    scenarios: config.scenarios,
    targets: config.targets.map((t) => ({ name: t.name, command: t.command, url: t.url, preset: t.preset ?? null, env: t.env })),
    warmupSeconds: config.warmupSeconds,
    rounds: config.rounds,
    confidence: config.confidence,
    compareTo: config.compareTo,
    baseRef: config.baseRef ?? null,
    confirm: config.confirm,
    count: config.shard?.count ?? 1,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 12);
}

export const shardFileName = (s: ShardSpec): string => `shard-${s.index}-of-${s.count}.json`;

export function writeShardFile(dir: string, file: ShardFile): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, shardFileName(file.shard));
  writeFileSync(out, JSON.stringify(file) + '\n');
  return out;
}

const shardSchema = z
  .object({
    kind: z.literal(SHARD_KIND),
    schemaVersion: z.number().int(),
    shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }),
    commit: z.string().optional(),
    createdAt: z.string(),
    configIdentity: z.string().optional(),
    scenarioOrder: z.array(z.string()).optional(),
    scenarios: z.array(z.string()).optional(),
    error: z.string().optional(),
    result: z
      .object({ samples: z.array(z.object({ scenario: z.string(), target: z.string() }).loose()), comparison: z.object({ scenarios: z.array(z.object({ scenario: z.string() }).loose()) }).loose() })
      .loose()
      .optional(),
  })
  .loose();

export type LoadedShard = { file: string; ok: true; shard: ShardFile } | { file: string; ok: false; problem: string };

/** Pure: one file's text -> a shard, a problem, or undefined for a JSON file that is not a shard's. */
export function parseShardFile(file: string, text: string): LoadedShard | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { file, ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  if ((raw as { kind?: unknown } | null)?.kind !== SHARD_KIND) return undefined;
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === 'number' && version > SHARD_SCHEMA_VERSION) {
    return { file, ok: false, problem: `schemaVersion ${version} is newer than this version of the action understands (${SHARD_SCHEMA_VERSION}); use the same action version in the shards and the merge` };
  }
  const parsed = shardSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { file, ok: false, problem: `not a shard results file (${first.path.join('.') || 'the document'}: ${first.message})` };
  }
  return { file, ok: true, shard: parsed.data as unknown as ShardFile };
}

/** Subdirectories looked into: download-artifact puts each artifact in its own unless merge-multiple is set. */
const MAX_FILES = 10_000;

/** The shard files in a directory and its direct subdirectories (the two layouts download-artifact writes). */
export function readShardsDir(dir: string): LoadedShard[] {
  const files: string[] = [];
  const list = (d: string, depth: number) => {
    for (const name of readdirSync(d).sort()) {
      if (files.length >= MAX_FILES) return;
      const full = path.join(d, name);
      const st = statSync(full);
      if (st.isDirectory() && depth === 0) list(full, 1);
      else if (st.isFile() && name.endsWith('.json')) files.push(full);
    }
  };
  list(dir, 0);
  return files.flatMap((f) => parseShardFile(path.relative(dir, f) || f, readFileSync(f, 'utf8')) ?? []);
}
