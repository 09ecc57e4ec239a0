// Pure: bounded growth of the data branch. Each runner fingerprint keeps its newest
// `keepRuns` records; older record files leave the tree (git history keeps the small commits).
import type { RecordPathInfo } from './record.js';

export const DEFAULT_KEEP_RUNS = 100;

/** Paths of the records to remove so that every fingerprint keeps at most `keepRuns`, newest kept. */
export function recordsToRemove(records: RecordPathInfo[], keepRuns: number): string[] {
  const groups = new Map<string, RecordPathInfo[]>();
  for (const r of records) groups.set(r.fingerprintHash, [...(groups.get(r.fingerprintHash) ?? []), r]);
  const remove: string[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => (a.time === b.time ? a.path.localeCompare(b.path) : a.time.localeCompare(b.time)));
    remove.push(...list.slice(0, Math.max(0, list.length - keepRuns)).map((r) => r.path));
  }
  return remove.sort();
}
