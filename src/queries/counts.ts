// Pure: what the hook's per-process files say about the counted requests. Each file holds a
// worker's running totals by statement text; the counted requests' share is the files after them
// minus the files before them (a process that appeared meanwhile counts whole), grouped by
// fingerprint. Statement texts stop here: only fingerprints go on.
import { fingerprint } from './fingerprint.js';
import type { StatementCount } from '../types.js';

/** One worker process's file (queries.<pid>.json), as the hook writes it. */
export interface HookFile {
  drivers: string[];
  others: string[];
  /** statement text -> [calls, seconds] */
  statements: Record<string, [number, number]>;
}

export interface CountedRequests {
  perRequest: number;
  msPerRequest: number;
  statements: StatementCount[];
  drivers: string[];
  otherDrivers: string[];
}

/** Counts per request between two readings of the files (by pid) over `requests` requests. */
export function countsBetween(before: Map<number, HookFile>, after: Map<number, HookFile>, requests: number): CountedRequests {
  const byFingerprint = new Map<string, { calls: number; seconds: number }>();
  const drivers = new Set<string>();
  const others = new Set<string>();
  for (const [pid, file] of after) {
    file.drivers.forEach((d) => drivers.add(d));
    file.others.forEach((d) => others.add(d));
    const earlier = before.get(pid)?.statements ?? {};
    for (const [text, [calls, seconds]] of Object.entries(file.statements)) {
      const [calls0, seconds0] = earlier[text] ?? [0, 0];
      if (calls === calls0) continue;
      const key = fingerprint(text);
      const entry = byFingerprint.get(key) ?? { calls: 0, seconds: 0 };
      entry.calls += calls - calls0;
      entry.seconds += seconds - seconds0;
      byFingerprint.set(key, entry);
    }
  }
  const statements = [...byFingerprint]
    .map(([fp, { calls, seconds }]) => ({ fingerprint: fp, perRequest: calls / requests, msPerRequest: (seconds * 1000) / requests }))
    .sort((a, b) => b.perRequest - a.perRequest || a.fingerprint.localeCompare(b.fingerprint));
  return {
    perRequest: statements.reduce((s, x) => s + x.perRequest, 0),
    msPerRequest: statements.reduce((s, x) => s + x.msPerRequest, 0),
    statements,
    drivers: [...drivers].sort(),
    otherDrivers: [...others].sort(),
  };
}

/** Parses one file's text; undefined for a file cut short or not the hook's. */
export function parseHookFile(text: string): HookFile | undefined {
  try {
    const doc = JSON.parse(text) as Partial<HookFile>;
    if (!Array.isArray(doc.drivers) || !Array.isArray(doc.others) || typeof doc.statements !== 'object' || doc.statements === null) return undefined;
    return doc as HookFile;
  } catch {
    return undefined;
  }
}
