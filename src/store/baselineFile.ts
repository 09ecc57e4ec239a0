// The `baseline-file` store: one JSON document with the last recorded runs (every sample,
// so statistics can be recomputed). Written atomically (temp file + rename), so a crash
// never leaves half a file; a malformed or newer-schema file is refused, never overwritten.
import { recordedHardening } from '../hardening/gate.js';
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, StoreError } from '../errors.js';
import type { RunResult, Sample } from '../types.js';

export const SCHEMA_VERSION = 1;
export const BASELINE_KIND = 'wsgi-perf-gate/baseline';
/** Runs kept in the file; older ones are dropped so it stays small. */
export const KEEP_RUNS = 20;

const latencySchema = z.object({ p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number(), mean: z.number() });
const sampleSchema = z
  .object({
    round: z.number(),
    target: z.string(),
    scenario: z.string(),
    startedAt: z.string(),
    elapsedSeconds: z.number(),
    requests: z.number(),
    rps: z.number(),
    latencyUs: latencySchema,
    histogram: z.string(),
    errors: z.object({ connection: z.number(), timeouts: z.number(), badStatus: z.record(z.string(), z.number()) }),
    errorRatePct: z.number(),
    bytes: z.number(),
  })
  .loose();

const runSchema = z
  .object({
    meta: z.object({ createdAt: z.string(), commit: z.string().optional() }).loose(),
    samples: z.array(sampleSchema),
  })
  .loose();

const fileSchema = z.object({
  schemaVersion: z.number().int(),
  kind: z.literal(BASELINE_KIND),
  runs: z.array(runSchema),
});

export interface StoredRun {
  meta: RunResult['meta'];
  settings: RunResult['settings'];
  samples: Sample[];
  /** Instructions per request, when they were counted. */
  instructions?: RunResult['instructions'];
  /** Database queries per request, when they were counted. */
  queries?: RunResult['queries'];
  /** The run's hardening checks (issue 16), the baseline of the next run's. */
  hardening?: RunResult['hardening'];
}

export interface BaselineFile {
  schemaVersion: number;
  kind: typeof BASELINE_KIND;
  runs: StoredRun[];
}

/** Reads and validates the file; undefined when it does not exist yet. */
export function readBaselineFile(file: string): BaselineFile | undefined {
  if (!existsSync(file)) return undefined;
  const bad = (why: string) =>
    new ConfigError(`Input \`baseline-file\` is ${JSON.stringify(file)}: ${why}. Expected a file written by wsgi-perf-gate (record: true); fix or delete it.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw bad(`it is not valid JSON (${(err as Error).message})`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw bad(`it has schemaVersion ${version}, newer than this version of the action understands (${SCHEMA_VERSION}); upgrade the action`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw bad(`${first.path.join('.') || 'the document'}: ${first.message}`);
  }
  return parsed.data as unknown as BaselineFile;
}

/** The most recent run, the baseline for the next comparison. */
export function latestRun(file: BaselineFile | undefined): StoredRun | undefined {
  return file?.runs.at(-1);
}

/** Appends a run (keeping the newest KEEP_RUNS) and replaces the file atomically. */
export function appendRun(file: string, existing: BaselineFile | undefined, result: RunResult): BaselineFile {
  const run: StoredRun = {
    meta: result.meta,
    settings: result.settings,
    samples: result.samples,
    ...(result.instructions?.status === 'measured' ? { instructions: result.instructions } : {}),
    ...(result.queries?.status === 'measured' ? { queries: result.queries } : {}),
    hardening: recordedHardening(result.hardening),
  };
  const next: BaselineFile = {
    schemaVersion: SCHEMA_VERSION,
    kind: BASELINE_KIND,
    runs: [...(existing?.runs ?? []), run].slice(-KEEP_RUNS),
  };
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 1) + '\n');
    renameSync(tmp, file);
  } catch (err) {
    throw new StoreError(`Could not write baseline-file ${file}: ${(err as Error).message}`);
  }
  return next;
}
