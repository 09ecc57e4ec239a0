// History on a git branch (default `perf-data`): reads the baseline and the trend for a run,
// and records a run as one new file, with the derived index and dashboard, pushed without
// force. A push that loses to another writer is rebuilt on the new tip and retried (bounded
// count and time, backoff with jitter); nothing on the branch is ever overwritten.
import type { Logger } from '../pipeline/executePlan.js';
import type { BaselineInfo, Sample, Scenario, TrendPoint } from '../types.js';
import { describeFingerprintDifference, type Fingerprint } from './fingerprint.js';
import type { GitEdge, TreeEntry } from './git.js';
import { buildIndex, DASHBOARD_PATH, indexProblem, INDEX_PATH } from './historyIndex.js';
import { parseRecord, parseRecordPath, recordPath, RUNS_DIR, trendFigures, type HistoryRecord, type RecordPathInfo } from './record.js';
import { recordsToRemove } from './retention.js';
import { selectBaseline, trendRecords, type Skipped } from './selection.js';
import { dashboardMarks, renderDashboard } from '../report/dashboard.js';
import { indexChanges } from '../changes/fromIndex.js';

/** Commits walked back from the anchor when looking for a recorded ancestor. */
export const MAX_ANCESTRY = 1000;
export const TREND_POINTS = 20;
const MAX_SKIPPED_LINES = 5;

export interface DataBranchOptions {
  git: GitEdge;
  branch: string;
  log: Logger;
}

export interface Snapshot {
  tip?: string;
  entries: TreeEntry[];
  records: RecordPathInfo[];
}

export function readSnapshot(git: GitEdge, branch: string): Snapshot {
  const tip = git.fetchBranch(branch);
  const entries = tip ? git.listTree(tip) : [];
  const records = entries.map((e) => parseRecordPath(e.path)).filter((r): r is RecordPathInfo => !!r);
  return { tip, entries, records };
}

export interface BranchBaseline {
  record?: HistoryRecord;
  info?: BaselineInfo;
  /** Why there is no baseline, when there is none. */
  note?: string;
  /** Recorded runs for the trend, oldest first (this run is not among them). */
  trend: TrendPoint[];
  /** The same runs' samples: how far they move from run to run widens the comparison's intervals. */
  history: Array<{ samples: Sample[]; scenarios?: Scenario[]; commit?: string; createdAt?: string }>;
}

export interface FindOptions {
  fingerprint: Fingerprint;
  fingerprintHash: string;
  configHash: string;
  /** The pull request's base commit: the baseline is merge-base(HEAD, baseSha)'s record. */
  baseSha?: string;
  /** The measured commit (HEAD of the workspace). */
  head: string;
}

const short = (c: string) => c.slice(0, 12);

/** The anchor of the search: the merge-base on a pull request, the commit itself otherwise. */
function anchorOf(git: GitEdge, opts: FindOptions): { commit: string; label: string; note?: string } {
  if (opts.baseSha) {
    const mb = git.mergeBase(opts.head, opts.baseSha);
    if (mb) return { commit: mb, label: `the merge-base ${short(mb)} of this commit and the base ${short(opts.baseSha)}` };
    return {
      commit: opts.head,
      label: `this commit ${short(opts.head)}`,
      note: `the merge-base of this commit and the base ${short(opts.baseSha)} is not in the clone (check out with fetch-depth: 0); searched the ancestors of this commit instead`,
    };
  }
  return { commit: opts.head, label: `this commit ${short(opts.head)}` };
}

export function readRecords(git: GitEdge, snapshot: Snapshot, paths: string[]): Map<string, ReturnType<typeof parseRecord>> {
  const blobOf = new Map(snapshot.entries.map((e) => [e.path, e.blob]));
  const blobs = git.readBlobs(paths.map((p) => blobOf.get(p)!));
  return new Map(paths.map((p) => [p, parseRecord(blobs.get(blobOf.get(p)!)!.toString('utf8'))]));
}

function skippedLines(git: GitEdge, snapshot: Snapshot, skipped: Skipped[], opts: FindOptions): string[] {
  const shown = skipped.slice(0, MAX_SKIPPED_LINES);
  const parsed = readRecords(git, snapshot, shown.filter((s) => s.reason.kind === 'fingerprint').map((s) => s.record.path));
  const lines = shown.map(({ record, reason }) => {
    const what = `${record.path} (commit ${short(record.commit)})`;
    if (reason.kind === 'config') return `${what}: the scenario definitions or server command differ (config ${record.configHash} vs ${opts.configHash} here)`;
    if (reason.kind === 'unreadable') return `${what}: unreadable: ${reason.problem}`;
    const p = parsed.get(record.path);
    return `${what}: recorded on another runner (${p?.ok ? describeFingerprintDifference(opts.fingerprint, p.record.fingerprint) : `fingerprint ${record.fingerprintHash} vs ${opts.fingerprintHash} here`})`;
  });
  if (skipped.length > shown.length) lines.push(`and ${skipped.length - shown.length} more`);
  return lines;
}

/** The recorded run this run is compared with (or why none fits), and the trend so far. */
export function findBaseline(git: GitEdge, branch: string, snapshot: Snapshot, opts: FindOptions): BranchBaseline {
  if (!snapshot.tip) return { note: `none yet: the data branch ${branch} does not exist; pushes to the default branch create it (record: auto).`, trend: [], history: [] };
  const anchor = anchorOf(git, opts);
  const ancestry = git.ancestors(anchor.commit, MAX_ANCESTRY);
  const unreadable = new Map<string, string>();
  const input = { records: snapshot.records, ancestry, fingerprintHash: opts.fingerprintHash, configHash: opts.configHash, unreadable };

  let chosen: { info: RecordPathInfo; record: HistoryRecord; distance: number } | undefined;
  let selection = selectBaseline(input);
  while (selection.chosen) {
    const parsed = readRecords(git, snapshot, [selection.chosen.path]).get(selection.chosen.path)!;
    if (parsed.ok) {
      chosen = { info: selection.chosen, record: parsed.record, distance: selection.distance! };
      break;
    }
    unreadable.set(selection.chosen.path, parsed.problem);
    selection = selectBaseline(input);
  }
  const skipped = skippedLines(git, snapshot, selection.skipped, opts);

  // The trend: the newest readable record of each of the last recorded ancestors.
  const trendInfos = trendRecords(input, TREND_POINTS);
  const trendParsed = readRecords(git, snapshot, trendInfos.map((t) => t.path));
  const trend: TrendPoint[] = trendInfos.flatMap((t) => {
    const p = trendParsed.get(t.path)!;
    return p.ok ? [{ commit: p.record.commit, createdAt: p.record.createdAt, scenarios: trendFigures(p.record.samples, p.record.settings.targets?.[0]?.name, p.record.instructions, p.record.queries) }] : [];
  });
  const history = trendInfos.flatMap((t) => {
    const p = trendParsed.get(t.path)!;
    return p.ok ? [{ samples: p.record.samples, scenarios: p.record.settings.scenarios, commit: p.record.commit, createdAt: p.record.createdAt }] : [];
  });

  if (!chosen) {
    const why = [
      `none usable on the data branch ${branch}: no run recorded at ${anchor.label} or its ${ancestry.length - 1} ancestors searched was measured on this runner with these scenarios`,
      `(runner fingerprint ${opts.fingerprintHash}: ${opts.fingerprint.cpuModel} × ${opts.fingerprint.cpus}, ${opts.fingerprint.os}/${opts.fingerprint.arch}, Python ${opts.fingerprint.python}, ${opts.fingerprint.server}; config ${opts.configHash})`,
      skipped.length ? `; passed over: ${skipped.join('; ')}` : '',
      selection.unrelated ? `; ${selection.unrelated} recorded run(s) are on commits that are not ancestors` : '',
      anchor.note ? `; ${anchor.note}` : '',
      '. Comparing with an incomparable run would be noise, so there is no comparison.',
    ];
    return { note: why.join(''), trend, history };
  }
  const where =
    chosen.distance === 0
      ? `the record of ${anchor.label}`
      : `the nearest recorded ancestor, ${chosen.distance} commit(s) before ${anchor.label} (which has no usable record)`;
  return {
    record: chosen.record,
    info: {
      source: `data branch ${branch}`,
      commit: chosen.record.commit,
      createdAt: chosen.record.createdAt,
      run: chosen.info.path,
      selection: `${where}; same runner fingerprint ${opts.fingerprintHash} and config ${opts.configHash}${anchor.note ? `; ${anchor.note}` : ''}`,
      skipped: skipped.length ? skipped : undefined,
    },
    trend,
    history,
  };
}

export type RecordOutcome =
  | { status: 'recorded'; path: string; commit: string; attempts: number }
  | { status: 'refused'; message: string }
  | { status: 'failed'; message: string };

export interface RecordOptions extends DataBranchOptions {
  keepRuns: number;
  maxAttempts?: number;
  maxSeconds?: number;
  /** Waits between attempts (injectable so tests need not sleep). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Full-jitter exponential backoff: 0.25 s, 0.5 s, 1 s, ... capped at 8 s. */
export function backoffMs(attempt: number, random: () => number): number {
  return Math.round(random() * Math.min(8_000, 250 * 2 ** (attempt - 1)));
}

/** The files this version cannot read; any of them stops the write, so none is overwritten or dropped. */
function unreadableFiles(git: GitEdge, snapshot: Snapshot): { problems: string[]; records: Array<{ path: string; record: HistoryRecord }> } {
  const problems: string[] = [];
  const wanted = snapshot.entries.filter((e) => e.path === INDEX_PATH || parseRecordPath(e.path));
  const blobs = git.readBlobs(wanted.map((e) => e.blob));
  const records: Array<{ path: string; record: HistoryRecord }> = [];
  for (const e of wanted) {
    const text = blobs.get(e.blob)!.toString('utf8');
    if (e.path === INDEX_PATH) {
      const problem = indexProblem(text);
      if (problem) problems.push(`${e.path}: ${problem}`);
      continue;
    }
    const parsed = parseRecord(text);
    if (parsed.ok) records.push({ path: e.path, record: parsed.record });
    else problems.push(`${e.path}: ${parsed.problem}`);
  }
  // A file under runs/ whose name is not a record's is someone else's: left alone, but said.
  for (const e of snapshot.entries) {
    if (e.path.startsWith(`${RUNS_DIR}/`) && !parseRecordPath(e.path)) problems.push(`${e.path}: not a record file name this version writes`);
  }
  return { problems, records };
}

export async function recordRun(opts: RecordOptions, record: HistoryRecord): Promise<RecordOutcome> {
  const { git, branch, log } = opts;
  const maxAttempts = opts.maxAttempts ?? 8;
  const deadline = Date.now() + (opts.maxSeconds ?? 120) * 1000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const text = JSON.stringify(record, null, 1) + '\n';
  const newPath = recordPath(record);
  let lastRejection = '';
  let attempt = 0;
  while (++attempt <= maxAttempts) {
    let snapshot: Snapshot;
    try {
      snapshot = readSnapshot(git, branch);
    } catch (err) {
      return { status: 'failed', message: (err as Error).message };
    }
    const { problems, records } = unreadableFiles(git, snapshot);
    if (problems.length) {
      return {
        status: 'refused',
        message:
          `Not recording on the data branch ${branch}: it holds file(s) this version cannot read, and they are left exactly as they are: ` +
          `${problems.join('; ')}. Upgrade the action if a newer version wrote them; otherwise remove or fix the file(s) on ${branch}.`,
      };
    }
    const all = [...records, { path: newPath, record }];
    // This run's own file is never the one dropped (even when a skewed clock dates it older).
    const remove = recordsToRemove(all.map((r) => parseRecordPath(r.path)!), opts.keepRuns).filter((p) => p !== newPath);
    const kept = all.filter((r) => !remove.includes(r.path));
    const index = buildIndex(kept);
    const commit = git.commitTree(
      snapshot.tip,
      [
        { path: newPath, blob: git.writeBlob(text) },
        { path: INDEX_PATH, blob: git.writeBlob(JSON.stringify(index, null, 1) + '\n') },
        { path: DASHBOARD_PATH, blob: git.writeBlob(renderDashboard(index, dashboardMarks(indexChanges(index)))) },
      ],
      remove,
      `Record ${record.commit.slice(0, 12)} (${record.fingerprintHash})${remove.length ? `, drop ${remove.length} old run(s)` : ''}`,
    );
    const pushed = git.push(commit, branch);
    if (pushed.ok) {
      if (remove.length) log.info(`Retention: removed ${remove.length} old run(s) from ${branch} (history-keep-runs: ${opts.keepRuns} per runner).`);
      return { status: 'recorded', path: newPath, commit, attempts: attempt };
    }
    if (!pushed.race) {
      return { status: 'failed', message: `The push to ${branch} was refused: ${pushed.message}. Recording needs \`permissions: contents: write\` (and is not possible from a fork's pull request).` };
    }
    lastRejection = pushed.message;
    const wait = backoffMs(attempt, random);
    if (attempt === maxAttempts || Date.now() + wait > deadline) break;
    log.info(`Another run updated ${branch} first (attempt ${attempt}); rebuilding on its new tip in ${wait} ms.`);
    await sleep(wait);
  }
  return { status: 'failed', message: `Could not record on ${branch}: other runs kept updating it first (${lastRejection}); gave up after ${Math.min(attempt, maxAttempts)} attempt(s).` };
}
