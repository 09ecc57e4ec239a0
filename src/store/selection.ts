// Pure: which recorded run a comparison uses, and which runs draw the trend. Only runs on the
// same runner fingerprint and config hash count; among them, the anchor's own record (the
// merge-base of a pull request, the commit itself on a push), else the nearest recorded ancestor.
import type { RecordPathInfo } from './record.js';

export interface SelectionInput {
  /** Every record on the branch (from its listing). */
  records: RecordPathInfo[];
  /** The anchor commit and its ancestors, newest first (the anchor first). */
  ancestry: string[];
  fingerprintHash: string;
  configHash: string;
  /** Records that turned out unreadable: passed over with their reason. */
  unreadable?: Map<string, string>;
}

export type SkipReason = { kind: 'fingerprint' } | { kind: 'config' } | { kind: 'unreadable'; problem: string };

export interface Skipped {
  record: RecordPathInfo;
  reason: SkipReason;
}

export interface Selection {
  chosen?: RecordPathInfo;
  /** How many commits before the anchor the chosen record's commit is (0 = the anchor itself). */
  distance?: number;
  /** Records on the anchor or on closer ancestors than the chosen one that could not be used. */
  skipped: Skipped[];
  /** Records on commits outside the ancestry that was walked (other branches, older history). */
  unrelated: number;
  /** Records on this runner and config, anywhere on the branch. */
  comparable: number;
}

const newestFirst = (a: RecordPathInfo, b: RecordPathInfo) => (a.time === b.time ? (a.path < b.path ? 1 : -1) : a.time < b.time ? 1 : -1);

function byCommit(records: RecordPathInfo[]): Map<string, RecordPathInfo[]> {
  const map = new Map<string, RecordPathInfo[]>();
  for (const r of records) map.set(r.commit, [...(map.get(r.commit) ?? []), r]);
  for (const list of map.values()) list.sort(newestFirst);
  return map;
}

export function selectBaseline(input: SelectionInput): Selection {
  const map = byCommit(input.records);
  const inAncestry = new Set(input.ancestry);
  const skipped: Skipped[] = [];
  const comparable = input.records.filter((r) => r.fingerprintHash === input.fingerprintHash && r.configHash === input.configHash).length;
  const unrelated = input.records.filter((r) => !inAncestry.has(r.commit)).length;
  for (const [distance, commit] of input.ancestry.entries()) {
    for (const r of map.get(commit) ?? []) {
      const problem = input.unreadable?.get(r.path);
      if (r.fingerprintHash !== input.fingerprintHash) skipped.push({ record: r, reason: { kind: 'fingerprint' } });
      else if (r.configHash !== input.configHash) skipped.push({ record: r, reason: { kind: 'config' } });
      else if (problem !== undefined) skipped.push({ record: r, reason: { kind: 'unreadable', problem } });
      else return { chosen: r, distance, skipped, unrelated, comparable };
    }
  }
  return { skipped, unrelated, comparable };
}

/** The newest comparable record of each of the last `max` recorded ancestors, oldest first. */
export function trendRecords(input: SelectionInput, max: number): RecordPathInfo[] {
  const map = byCommit(input.records.filter((r) => r.fingerprintHash === input.fingerprintHash && r.configHash === input.configHash && !input.unreadable?.has(r.path)));
  const out: RecordPathInfo[] = [];
  for (const commit of input.ancestry) {
    const newest = map.get(commit)?.[0];
    if (newest) out.push(newest);
    if (out.length >= max) break;
  }
  return out.reverse();
}
