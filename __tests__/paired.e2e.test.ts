// compare-to: base with real git: the PR's base commit is checked out in a worktree, booted
// beside the head on its own port, and interleaved with it round by round.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, startedFor, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';
import type { RunResult } from '../src/types.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/** A repository whose main branch serves the Flask example; `change` edits app.py on a PR branch. */
/** The workspaces of this file's runs: the leak checks look at their servers only. */
const workspaces: string[] = [];

function repo(baseApp: (app: string) => string, change: (app: string) => string) {
  const dirs = newRunnerDirs();
  workspaces.push(dirs.workspace);
  const dir = dirs.workspace;
  const app = readFileSync(path.join(FLASK_DIR, 'app.py'), 'utf8');
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'app.py'), baseApp(app));
  git(dir, 'add', 'app.py');
  git(dir, 'commit', '-q', '-m', 'base');
  const baseSha = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'feature');
  writeFileSync(path.join(dir, 'app.py'), change(app));
  git(dir, 'commit', '-q', '-am', 'the pull request');
  return { dirs, dir, baseSha, headSha: git(dir, 'rev-parse', 'HEAD') };
}

const PAIRED = {
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 4`,
  url: 'http://127.0.0.1:$PORT',
  path: '/delay?ms=40',
  connections: '4',
  rounds: '8',
  'duration-seconds': '1',
  'warmup-seconds': '0.5',
  'compare-to': 'base',
};
const SLOWER = (app: string) => `${app}\n\n@app.before_request\ndef _pr_slowdown():\n    time.sleep(0.02)\n`;
const SAME = (app: string) => `${app}\n# a comment only\n`;

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});
function assertClean(dir: string): void {
  assert.deepEqual(newServerProcesses(procs).filter(startedFor(workspaces)), [], 'a server process was left running');
  assert.equal(git(dir, 'worktree', 'list').split('\n').length, 1, 'the base worktree was removed');
  assert.equal(git(dir, 'status', '--porcelain'), '', 'the workspace checkout is untouched');
}

describe('compare-to: base', () => {
  after(() => assert.deepEqual(newServerProcesses(procs).filter(startedFor(workspaces)), []));

  it('a head that adds a slowdown regresses, and the report names both commits', async () => {
    const r = repo((a) => a, SLOWER);
    const run = await runAction('main', r.dirs, { inputs: PAIRED, sha: r.headSha, baseSha: r.baseSha });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regressed');
    assert.ok(Number(run.outputs['rps-change-pct']) < -20, run.outputs['rps-change-pct']);
    assert.match(run.summary, new RegExp(`Baseline: the base commit, booted beside the head in this job \\(paired rounds\\) at commit <code>${r.baseSha.slice(0, 12)}</code>; head: commit <code>${r.headSha.slice(0, 12)}</code>`));
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    assert.equal(results.samples.filter((s: { target: string }) => s.target === 'base').length, 8);
    assert.equal(results.samples.filter((s: { target: string }) => s.target === 'app').length, 8);
    assertClean(r.dir);
  });

  it('the same code on both sides: no regression, every interval covers no change or stays within its threshold', async () => {
    const r = repo((a) => a, SAME);
    // 16 paired rounds: the signed-rank bound then ignores the 16 Walsh averages of one round a
    // runner hiccup spoiled (k = 24); with 8 rounds one such round decides the bound. At about
    // 100 req/s each side pools some 1,600 requests, 16 of them beyond p99.
    const run = await runAction('main', r.dirs, { inputs: { ...PAIRED, rounds: '16' }, sha: r.headSha, baseSha: r.baseSha });
    assert.equal(run.code, 0, run.stdout);
    // The promise on unchanged code: never `regressed`; an interval may be wide, but then it
    // covers zero; one that excludes zero still lies within the threshold.
    assert.notEqual(run.outputs.verdict, 'regressed', run.summary);
    const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
    const metrics = result.comparison.scenarios[0]!.metrics.filter((m) => m.gating && m.ciLowPct !== undefined);
    assert.deepEqual(metrics.map((m) => m.metric).sort(), ['memory', 'p99', 'rps']);
    for (const m of metrics) {
      const coversZero = m.ciLowPct! <= 0 && m.ciHighPct! >= 0;
      const withinThreshold = Math.max(Math.abs(m.ciLowPct!), Math.abs(m.ciHighPct!)) <= m.thresholdPct!;
      assert.ok(coversZero || withinThreshold, `${m.metric}: ${m.reason}`);
      assert.notEqual(m.verdict, 'regressed', m.reason);
    }
    assert.ok(metrics.find((m) => m.metric === 'p99')!.tail!.enough, 'p99 rests on enough requests');
    assertClean(r.dir);
  });

  it('a base whose app cannot import: a clear message, the fallback, nothing left behind', async () => {
    const r = repo((a) => `import perfgate_no_such_module  # broken on main\n${a}`, (a) => a);
    const run = await runAction('main', r.dirs, { inputs: PAIRED, sha: r.headSha, baseSha: r.baseSha });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verdict, 'inconclusive');
    assert.match(run.stdout, new RegExp(`::warning::Paired mode fell back to no baseline: the base commit ${r.baseSha.slice(0, 12)} did not boot`));
    assert.match(run.summary, /Baseline: paired mode could not run: the base commit \w+ did not boot/);
    // The head was still measured.
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    assert.equal(results.samples.length, 8);
    assertClean(r.dir);
  });

  it('on a push there is no base: the stored baseline (or none) is used, without a warning', async () => {
    const r = repo((a) => a, SAME);
    const run = await runAction('main', r.dirs, { eventName: 'push', inputs: { ...PAIRED, rounds: '5' }, sha: r.headSha });
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /::warning::Paired mode/);
    assert.match(run.stdout, /Paired mode fell back to no baseline: compare-to: base needs a pull request/);
    assertClean(r.dir);
  });

  it('a base ref that does not exist falls back to the stored baseline', async () => {
    const r = repo((a) => a, SAME);
    const baselineFile = path.join(r.dirs.dir, 'baseline.json');
    const record = await runAction('main', r.dirs, { inputs: { ...PAIRED, 'compare-to': 'stored', record: 'true', 'baseline-file': baselineFile }, sha: r.baseSha });
    assert.equal(record.code, 0, record.stdout);
    const run = await runAction('main', r.dirs, { inputs: { ...PAIRED, 'baseline-file': baselineFile }, sha: r.headSha, baseSha: 'f'.repeat(40) });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /::warning::Paired mode fell back to the stored baseline: the base could not be checked out: cannot find the merge-base/);
    assert.match(run.summary, /Baseline: baseline-file .* at commit/);
    assert.match(run.summary, /Note: paired mode could not run: .*compared with the stored baseline instead/);
    assertClean(r.dir);
  });
});
