// Pure: index.json on the data branch, a cache derived from the record files. The record files
// are the truth: every write rebuilds the index from the records on the (rebased) tip, so two
// writers that land one after the other both appear in it, and a lost index costs nothing.
import { z } from 'zod';
import { trendFigures, type HistoryRecord, type ScenarioFigures } from './record.js';
import type { Fingerprint } from './fingerprint.js';

export const INDEX_PATH = 'index.json';
export const DASHBOARD_PATH = 'index.html';
export const INDEX_SCHEMA_VERSION = 1;
export const INDEX_KIND = 'wsgi-perf-gate/index';

export interface IndexEntry {
  path: string;
  commit: string;
  createdAt: string;
  ref?: string;
  fingerprintHash: string;
  fingerprint: Fingerprint;
  configHash: string;
  scenarios: Record<string, ScenarioFigures>;
  /** Findings of the watch over main this run reported first. */
  reported?: string[];
}

export interface HistoryIndex {
  schemaVersion: number;
  kind: typeof INDEX_KIND;
  /** Oldest first. */
  runs: IndexEntry[];
}

export function buildIndex(records: Array<{ path: string; record: HistoryRecord }>): HistoryIndex {
  const runs = records
    .map(({ path, record }) => ({
      path,
      commit: record.commit,
      createdAt: record.createdAt,
      ref: record.meta.ref,
      fingerprintHash: record.fingerprintHash,
      fingerprint: record.fingerprint,
      configHash: record.configHash,
      scenarios: trendFigures(record.samples, record.settings.targets?.[0]?.name, record.instructions, record.queries),
      ...(record.watch?.reported.length ? { reported: record.watch.reported } : {}),
    }))
    .sort((a, b) => (a.createdAt === b.createdAt ? a.path.localeCompare(b.path) : a.createdAt.localeCompare(b.createdAt)));
  return { schemaVersion: INDEX_SCHEMA_VERSION, kind: INDEX_KIND, runs };
}

const indexSchema = z.object({ schemaVersion: z.number().int(), kind: z.literal(INDEX_KIND), runs: z.array(z.object({ path: z.string() }).loose()) }).loose();

/** Undefined when the index is one this version may replace; otherwise why it must be left alone. */
export function indexProblem(text: string): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > INDEX_SCHEMA_VERSION) {
    return `schemaVersion ${version} is newer than this version of the action understands (${INDEX_SCHEMA_VERSION}); upgrade the action`;
  }
  const parsed = indexSchema.safeParse(raw);
  if (!parsed.success) return `not a wsgi-perf-gate index (${parsed.error.issues[0]!.path.join('.') || 'the document'}: ${parsed.error.issues[0]!.message})`;
  return undefined;
}
