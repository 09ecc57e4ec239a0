// The watch's edge on the data branch: the recorded pushes on the ancestry of this commit, on
// this runner and config, oldest first (at most `max`), with their tags and the findings each
// already reported.
import type { GitEdge } from '../store/git.js';
import { MAX_ANCESTRY, readRecords, type Snapshot } from '../store/dataBranch.js';
import { trendRecords } from '../store/selection.js';
import { watchRunOf } from './fromRecords.js';
import type { WatchRun } from './series.js';

export function readWatchRuns(git: GitEdge, snapshot: Snapshot, opts: { head: string; fingerprintHash: string; configHash: string; max: number }): WatchRun[] {
  if (!snapshot.tip) return [];
  // This commit's own earlier records (a re-run) are left out: this run stands for it.
  const ancestry = git.ancestors(opts.head, MAX_ANCESTRY).filter((c) => c !== opts.head);
  const infos = trendRecords({ records: snapshot.records, ancestry, fingerprintHash: opts.fingerprintHash, configHash: opts.configHash }, opts.max);
  const parsed = readRecords(git, snapshot, infos.map((i) => i.path));
  const tags = git.tags?.() ?? new Map<string, string[]>();
  return infos.flatMap((info) => {
    const p = parsed.get(info.path)!;
    if (!p.ok) return [];
    const r = p.record;
    return [watchRunOf({ commit: r.commit, createdAt: r.createdAt, samples: r.samples, target: r.settings.targets?.[0]?.name, instructions: r.instructions, reported: r.watch?.reported, tags: tags.get(r.commit) })];
  });
}
