// `wsgi-perf-gate history --changes`: the watch's findings over a data branch's index.json (or a
// saved index.json, or a baseline-file), per runner and config, as plain text.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { BASELINE_KIND, type BaselineFile } from '../store/baselineFile.js';
import { INDEX_KIND, INDEX_PATH, indexProblem, type HistoryIndex } from '../store/historyIndex.js';
import { watchRunOf } from './fromRecords.js';
import { indexChanges, type GroupChanges } from './fromIndex.js';
import { WATCH_DEFAULTS } from './settings.js';
import { watchMain } from './watch.js';
import { DEFAULTS } from '../config/config.js';

function git(repo: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 }).trim();
  } catch {
    return undefined;
  }
}

/** index.json of a data branch: the local branch, else origin's. */
export function readBranchIndex(repo: string, branch: string): HistoryIndex {
  const ref = [branch, `origin/${branch}`].find((r) => git(repo, ['rev-parse', '--verify', '--quiet', `${r}^{commit}`]));
  if (!ref) throw new ConfigError(`--branch ${branch}: no branch ${branch} or origin/${branch} in ${repo}; fetch it first (git fetch origin ${branch}) or give --file.`);
  const text = git(repo, ['show', `${ref}:${INDEX_PATH}`]);
  if (text === undefined) throw new ConfigError(`--branch ${branch}: ${ref} has no ${INDEX_PATH}; is it a wsgi-perf-gate data branch?`);
  const problem = indexProblem(text);
  if (problem) throw new ConfigError(`--branch ${branch}: ${INDEX_PATH} is ${problem}.`);
  return JSON.parse(text) as HistoryIndex;
}

/** The findings of a saved index.json or a baseline-file. */
export function changesOfFile(file: string): GroupChanges[] {
  if (!existsSync(file)) throw new ConfigError(`--file ${file}: no such file; expected index.json of a data branch or a baseline-file.`);
  let doc: { kind?: string };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string };
  } catch (err) {
    throw new ConfigError(`--file ${file}: not valid JSON (${(err as Error).message}); expected index.json of a data branch or a baseline-file.`);
  }
  if (doc.kind === INDEX_KIND) return indexChanges(doc as HistoryIndex);
  if (doc.kind === BASELINE_KIND) {
    const runs = (doc as BaselineFile).runs.map((r) =>
      watchRunOf({ commit: r.meta.commit ?? 'unknown', createdAt: r.meta.createdAt, samples: r.samples, target: r.settings?.targets?.[0]?.name, instructions: r.instructions }),
    );
    const settings = { mode: 'report' as const, anchor: { kind: 'pushes' as const, pushes: WATCH_DEFAULTS.anchor }, creepPct: WATCH_DEFAULTS.creepPct, bisect: false };
    const scenarios = (doc as BaselineFile).runs.at(-1)?.settings?.scenarios ?? [];
    const report = watchMain(runs, settings, { instructions: DEFAULTS.instructions, scenarios });
    return [{ fingerprintHash: 'baseline-file', configHash: '-', runs: runs.length, changePoints: report.changePoints, creep: report.creep, needsMore: report.series.filter((s) => s.needsMore > 0).map((s) => ({ scenario: s.scenario, series: s.series, runs: s.runs, needsMore: s.needsMore })) }];
  }
  throw new ConfigError(`--file ${file}: kind ${JSON.stringify(doc.kind)} is not ${INDEX_KIND} or ${BASELINE_KIND}; expected index.json of a data branch or a baseline-file.`);
}

const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`;

export function formatChanges(groups: GroupChanges[]): string {
  const out: string[] = [];
  for (const g of groups) {
    out.push(`runner ${g.fingerprintHash}, config ${g.configHash}: ${g.runs} run(s)`);
    for (const c of g.creep) {
      out.push(
        `  creep    ${c.scenario} ${c.label}: ${pct(c.creepPct)} since ${c.anchorLabel} (${c.anchorCommit.slice(0, 12)}), ${c.worseSteps} step(s) over ${c.pushes} push(es)` +
          (c.largest.length ? `; largest ${c.largest.map((s) => `${pct(s.changePct)} at ${s.commit.slice(0, 12)}`).join(', ')}` : ''),
      );
    }
    for (const c of g.changePoints) {
      out.push(
        `  change   ${c.scenario} ${c.label}: ${pct(c.changePct)} (${c.worse ? 'worse' : 'better'}) between ${c.previousCommit.slice(0, 12)} and ${c.commit.slice(0, 12)}, p = ${c.pValue < 1e-4 ? '< 0.0001' : c.pValue.toFixed(4)}${c.kind === 'wall-clock' ? ' (wall clock: likely, not certain)' : ''}${c.isNew ? '' : ' [reported]'}`,
      );
    }
    for (const n of g.needsMore) out.push(`  waiting  ${n.scenario} ${n.series}: ${n.runs} run(s), ${n.needsMore} more needed`);
    if (!g.creep.length && !g.changePoints.length) out.push('  no change point, no creep');
  }
  return out.join('\n') + '\n';
}
