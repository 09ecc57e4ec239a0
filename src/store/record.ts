// Pure: the schema of one recorded run on the data branch, its file path, and the migration of
// older shapes on read. A record is written once and never changed; a file this version cannot
// read (corrupt, or from a newer schema) is reported and left exactly as it is.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { recordedHardening } from '../hardening/gate.js';
import { median } from '../stats/intervals.js';
import { pooledPercentileMs } from '../gate/tailMetric.js';
import { configHash, fingerprintHash, type Fingerprint } from './fingerprint.js';
import type { InstructionsResult, QueriesResult, RunMeta, RunResult, Sample } from '../types.js';

/**
 * Version 1: a results file / baseline-file run (`{schemaVersion: 1, meta, settings, samples}`)
 * dropped into the branch as it is; it carries no target versions, so it is migrated with
 * python/server "unknown" and is shown on the dashboard but never used as a baseline.
 * Version 2: adds kind, commit, fingerprint (+ hash) and config hash.
 */
export const RECORD_SCHEMA_VERSION = 2;
export const RECORD_KIND = 'wsgi-perf-gate/run';
export const RUNS_DIR = 'runs';

export interface HistoryRecord {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  kind: typeof RECORD_KIND;
  commit: string;
  createdAt: string;
  fingerprint: Fingerprint;
  fingerprintHash: string;
  configHash: string;
  meta: RunMeta;
  settings: RunResult['settings'];
  samples: Sample[];
  /** Instructions per request under Valgrind, when they were counted (optional: older records lack them). */
  instructions?: InstructionsResult;
  /** Database queries per request, when they were counted (optional: older records lack them). */
  queries?: QueriesResult;
  /** The run's hardening checks (issue 16), without the baseline they were compared with. */
  hardening?: RunResult['hardening'];
  /** Findings of the watch over main this run reported first (src/changes/): later runs do not report them again. */
  watch?: { reported: string[] };
}

const sampleSchema = z
  .object({
    round: z.number(),
    target: z.string(),
    scenario: z.string(),
    rps: z.number(),
    latencyUs: z.object({ p50: z.number(), p99: z.number() }).loose(),
    errorRatePct: z.number(),
  })
  .loose();
const settingsSchema = z.object({ scenarios: z.array(z.object({ name: z.string(), method: z.string(), path: z.string() }).loose()) }).loose();
const metaSchema = z.object({ createdAt: z.string(), commit: z.string().optional() }).loose();
const fingerprintSchema = z.object({ cpuModel: z.string(), cpus: z.number(), os: z.string(), arch: z.string(), python: z.string(), server: z.string() });

const v1Schema = z.object({ schemaVersion: z.literal(1), meta: metaSchema, settings: settingsSchema, samples: z.array(sampleSchema) }).loose();
const v2Schema = z
  .object({
    schemaVersion: z.literal(2),
    kind: z.literal(RECORD_KIND),
    commit: z.string().min(1),
    createdAt: z.string(),
    fingerprint: fingerprintSchema,
    fingerprintHash: z.string(),
    configHash: z.string(),
    meta: metaSchema,
    settings: settingsSchema,
    samples: z.array(sampleSchema),
  })
  .loose();

export type ParsedRecord = { ok: true; record: HistoryRecord; migratedFrom?: number } | { ok: false; problem: string; newer: boolean };

/** Parses a record file's text, migrating older schemas; never throws. */
export function parseRecord(text: string): ParsedRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, newer: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > RECORD_SCHEMA_VERSION) {
    return { ok: false, newer: true, problem: `schemaVersion ${version} is newer than this version of the action understands (${RECORD_SCHEMA_VERSION}); upgrade the action` };
  }
  const issue = (e: z.ZodError) => {
    const first = e.issues[0]!;
    return `${first.path.join('.') || 'the document'}: ${first.message}`;
  };
  if (version === 1) {
    const v1 = v1Schema.safeParse(raw);
    if (!v1.success) return { ok: false, newer: false, problem: `not a valid schema-1 run (${issue(v1.error)})` };
    return { ok: true, record: migrateV1(v1.data as unknown as Pick<RunResult, 'meta' | 'settings' | 'samples'>), migratedFrom: 1 };
  }
  const v2 = v2Schema.safeParse(raw);
  if (!v2.success) return { ok: false, newer: false, problem: `not a wsgi-perf-gate run record (${issue(v2.error)})` };
  return { ok: true, record: v2.data as unknown as HistoryRecord };
}

export const UNKNOWN_VERSION = 'unknown (recorded before schema 2)';

function migrateV1(run: Pick<RunResult, 'meta' | 'settings' | 'samples'>): HistoryRecord {
  const r = run.meta.runner ?? { cpuModel: 'unknown', cpus: 0, os: 'unknown', arch: 'unknown' };
  const fingerprint: Fingerprint = { cpuModel: r.cpuModel, cpus: r.cpus, os: r.os, arch: r.arch, python: UNKNOWN_VERSION, server: UNKNOWN_VERSION };
  const hash = configHash({ scenarios: run.settings.scenarios, warmupSeconds: run.settings.warmupSeconds, command: run.settings.targets?.[0]?.command ?? '' });
  return newRecord(run, fingerprint, hash);
}

export function newRecord(run: Pick<RunResult, 'meta' | 'settings' | 'samples' | 'instructions' | 'queries' | 'hardening' | 'watch'>, fingerprint: Fingerprint, hash: string): HistoryRecord {
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    kind: RECORD_KIND,
    commit: run.meta.commit ?? 'unknown',
    createdAt: run.meta.createdAt,
    fingerprint,
    fingerprintHash: fingerprintHash(fingerprint),
    configHash: hash,
    meta: run.meta,
    settings: run.settings,
    samples: run.samples,
    ...(run.instructions?.status === 'measured' ? { instructions: run.instructions } : {}),
    ...(run.queries?.status === 'measured' ? { queries: run.queries } : {}),
    ...(run.hardening ? { hardening: recordedHardening(run.hardening) } : {}),
    ...(run.watch?.newKeys.length ? { watch: { reported: run.watch.newKeys } } : {}),
  };
}

/** runs/<fingerprint hash>/<commit>-<UTC time>-<config hash>-<random>.json: one new file per
 * run, so two writers never write the same path, and a listing alone says commit, time,
 * runner and config. */
export function recordPath(record: HistoryRecord, random = randomBytes(3).toString('hex')): string {
  const time = record.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${RUNS_DIR}/${record.fingerprintHash}/${record.commit}-${time}-${record.configHash}-${random}.json`;
}

export interface RecordPathInfo {
  path: string;
  fingerprintHash: string;
  commit: string;
  /** Compact UTC time, e.g. 20260101T120000Z (sorts as time). */
  time: string;
  configHash: string;
}

const PATH_RE = /^runs\/([0-9a-f]{6,64})\/([0-9a-f]{4,64}|unknown)-(\d{8}T\d{6}Z)-([0-9a-f]{6,64})-([0-9a-z]+)\.json$/;

/** The facts a record's path carries; undefined for other files (index, dashboard, a stray file). */
export function parseRecordPath(p: string): RecordPathInfo | undefined {
  const m = PATH_RE.exec(p);
  return m ? { path: p, fingerprintHash: m[1]!, commit: m[2]!, time: m[3]!, configHash: m[4]! } : undefined;
}

export interface ScenarioFigures {
  /** rps: median over the run's counted trials; p99Ms: of their requests pooled. */
  rps: number;
  p99Ms: number;
  /** Median instructions per request of the measured target, when they were counted. */
  instructionsPerRequest?: number;
  /** Database queries per request of the measured target, when they were counted. */
  queriesPerRequest?: number;
}

/** Median RPS and pooled p99 per scenario of the measured target (trials that failed are left out). */
export function summarizeSamples(samples: Sample[], target?: string): Record<string, ScenarioFigures> {
  const byScenario = new Map<string, Sample[]>();
  const name = target ?? samples[0]?.target;
  for (const s of samples) {
    if (s.failure || s.target !== name) continue;
    byScenario.set(s.scenario, [...(byScenario.get(s.scenario) ?? []), s]);
  }
  const out: Record<string, ScenarioFigures> = {};
  for (const [scenario, list] of byScenario) {
    out[scenario] = { rps: median(list.map((s) => s.rps)), p99Ms: pooledPercentileMs(list, 99) ?? median(list.map((s) => s.latencyUs.p99 / 1000)) };
  }
  return out;
}

/** The figures of a run for the trend: median RPS and p99, and instructions and queries per request where counted. */
export function trendFigures(samples: Sample[], target: string | undefined, instructions: InstructionsResult | undefined, queries?: QueriesResult): Record<string, ScenarioFigures> {
  const out = summarizeSamples(samples, target);
  for (const m of instructions?.measurements ?? []) {
    if ((target === undefined || m.target === target) && out[m.scenario] && m.perRequest.length) out[m.scenario]!.instructionsPerRequest = median(m.perRequest);
  }
  if (queries?.status === 'measured') {
    for (const m of queries.measurements) {
      if ((target === undefined || m.target === target) && out[m.scenario]) out[m.scenario]!.queriesPerRequest = m.perRequest;
    }
  }
  return out;
}
