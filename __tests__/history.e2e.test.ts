// History on the data branch end to end: dist/main.js run as a runner runs it, in a clone of a
// bare `origin` on disk, against the Flask example under real gunicorn. Pushes to main record;
// a pull request is compared with its merge-base's record; the dashboard written to the
// branch is opened in headless Chromium and its chart checked point by point.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction, type RunnerDirs } from './helpers/runner.js';
import { branchFiles, commitFile, git, newOrigin, remoteRef, showFile, type Origin } from './helpers/gitRepo.js';

// Tiny runs: this test is about which baseline is used and what is recorded, not the figures.
const INPUTS = {
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2`,
  url: 'http://127.0.0.1:$PORT',
  'working-directory': FLASK_DIR,
  'duration-seconds': '0.5',
  'warmup-seconds': '0',
  rounds: '2',
  // 2 rounds against 2 can reach at most 83% (1 - 1/6); 99% would be refused as undecidable.
  confidence: '0.8',
  connections: '2',
  'fail-on-regression': 'false',
};

let servers: ProcessInfo[];
before(() => {
  servers = serverProcesses();
});

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

interface Point {
  commit: string;
  value: number;
}

/** The points of one chart in the DOM Chromium produced after running the page's script. */
function chartPoints(dom: string, scenario: string, metric: string): Point[] {
  const svg = new RegExp(`<svg [^>]*data-scenario="${scenario}" data-metric="${metric}"[^>]*>([\\s\\S]*?)</svg>`).exec(dom);
  assert.ok(svg, `no ${metric} chart for ${scenario} in the rendered page`);
  return [...svg[1]!.matchAll(/<circle class="point"[^>]*data-commit="([0-9a-f]+)"[^>]*data-value="([\d.e+-]+)"/g)].map((m) => ({ commit: m[1]!, value: Number(m[2]) }));
}

describe('history on the data branch (perf-data)', () => {
  let origin: Origin;
  let dirs: RunnerDirs;
  let ws: string;
  const commits = { c1: '', c2: '', c3: '' };
  before(() => {
    origin = newOrigin();
    dirs = newRunnerDirs();
    ws = dirs.workspace;
    git(dirs.dir, 'clone', '--quiet', origin.bare, ws);
    commits.c1 = git(ws, 'rev-parse', 'HEAD');
  });
  // Other test suites may run servers on this machine at the same time: only servers started
  // in this checkout's example directory are ours.
  after(() => assert.deepEqual(newServerProcesses(servers).filter((p) => cwdOf(p.pid) === FLASK_DIR), [], 'a server process was left running'));

  it('records a push to main as one file on a new branch, leaving the checkout alone', async () => {
    const run = await runAction('main', dirs, { eventName: 'push', sha: commits.c1, inputs: INPUTS });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /Runner fingerprint [0-9a-f]{12}: .* Python 3\.\d+\.\d+, gunicorn .*\(version [\d.]+\); config [0-9a-f]{12}/);
    assert.match(run.stdout, new RegExp(`Recorded this run on perf-data as runs/[0-9a-f]{12}/${commits.c1}-\\d{8}T\\d{6}Z-[0-9a-f]{12}-[0-9a-f]{6}\\.json`));
    assert.equal(run.outputs.verdict, 'inconclusive', 'nothing to compare with yet');
    assert.match(run.summary, /Baseline: none yet: the data branch perf-data does not exist/);
    const runs = branchFiles(origin, 'perf-data').filter((f) => f.startsWith('runs/'));
    assert.equal(runs.length, 1);
    const record = JSON.parse(showFile(origin, 'perf-data', runs[0]!));
    assert.equal(record.commit, commits.c1);
    assert.equal(record.samples.length, 2);
    assert.match(record.fingerprint.server, /^gunicorn .*\(version [\d.]+\)$/);
    assert.equal(git(ws, 'status', '--porcelain'), '');
    assert.equal(git(ws, 'rev-parse', 'HEAD'), commits.c1);
  });

  it('a second push is compared with the nearest recorded ancestor and shows the trend', async () => {
    commits.c2 = commitFile(ws, 'NOTES.md', 'two\n', 'second');
    git(ws, 'push', '--quiet', 'origin', 'HEAD:main');
    const run = await runAction('main', dirs, { eventName: 'push', sha: commits.c2, inputs: INPUTS });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.outputs['rps-change-pct']!, /^-?\d+\.\d\d$/, `compared with a baseline:\n${run.summary}`);
    assert.match(run.summary, new RegExp(`Baseline: data branch perf-data at commit <code>${commits.c1.slice(0, 12)}</code>`));
    assert.match(run.summary, new RegExp(`the nearest recorded ancestor, 1 commit\\(s\\) before this commit ${commits.c2.slice(0, 12)}`));
    assert.match(run.summary, /<details><summary>Trend: the last 1 recorded commit\(s\) on this runner and this run<\/summary>/);
    assert.ok(run.summary.includes(`x-axis ["${commits.c1.slice(0, 7)}", "this run"]`), run.summary);
    assert.equal(branchFiles(origin, 'perf-data').filter((f) => f.startsWith('runs/')).length, 2);
  });

  it('the dashboard on the branch, rendered by headless Chromium, charts every recorded run', () => {
    const page = path.join(mkdtempSync(path.join(os.tmpdir(), 'perf-gate-dash-')), 'index.html');
    writeFileSync(page, showFile(origin, 'perf-data', 'index.html'));
    const index = JSON.parse(showFile(origin, 'perf-data', 'index.json'));
    const dom = execFileSync(
      'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        `--user-data-dir=${mkdtempSync(path.join(os.tmpdir(), 'perf-gate-chromium-'))}`, '--dump-dom', `file://${page}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    assert.match(dom, /<div id="charts" data-rendered="2">/, 'the script ran over both runs');
    for (const [metric, key] of [['rps', 'rps'], ['p99Ms', 'p99Ms']] as const) {
      const points = chartPoints(dom, '/', metric);
      assert.deepEqual(points.map((p) => p.commit), [commits.c1, commits.c2]);
      const expected = index.runs.map((r: { scenarios: Record<string, Record<string, number>> }) => r.scenarios['/']![key]);
      assert.deepEqual(points.map((p) => p.value), expected);
      for (const v of expected) assert.ok(v > 0, `${metric} ${v}`);
    }
  });

  it('a pull request uses the merge-base record, not the newest, and is not recorded', async () => {
    commits.c3 = commitFile(ws, 'NOTES.md', 'three\n', 'third, not recorded');
    git(ws, 'push', '--quiet', 'origin', 'HEAD:main');
    git(ws, 'checkout', '--quiet', '-b', 'feature', commits.c1);
    const head = commitFile(ws, 'FEATURE.md', 'pr\n', 'feature');
    const before = remoteRef(origin, 'perf-data');
    const run = await runAction('main', dirs, { eventName: 'pull_request', sha: head, baseSha: commits.c3, inputs: INPUTS });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.summary, new RegExp(`Baseline: data branch perf-data at commit <code>${commits.c1.slice(0, 12)}</code>`));
    assert.match(run.summary, new RegExp(`the record of the merge-base ${commits.c1.slice(0, 12)} of this commit and the base ${commits.c3.slice(0, 12)}; same runner fingerprint`));
    assert.equal(remoteRef(origin, 'perf-data'), before, 'a pull request is not recorded');
  });

  it('changed scenario definitions: no comparison against an incomparable run, inconclusive with the reason', async () => {
    const run = await runAction('main', dirs, { eventName: 'pull_request', sha: git(ws, 'rev-parse', 'HEAD'), baseSha: commits.c3, inputs: { ...INPUTS, connections: '3' } });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verdict, 'inconclusive');
    assert.match(run.summary, /Baseline: none usable on the data branch perf-data: no run recorded at the merge-base/);
    assert.match(run.summary, /the scenario definitions or server command differ \(config [0-9a-f]{12} vs [0-9a-f]{12} here\)/);
    assert.equal(run.outputs['rps-change-pct'], '');
  });

  it('baseline-file still wins when given: the branch is not read or written', async () => {
    const before = remoteRef(origin, 'perf-data');
    const file = path.join(dirs.dir, 'baseline.json');
    const run = await runAction('main', dirs, { eventName: 'push', sha: git(ws, 'rev-parse', 'HEAD'), inputs: { ...INPUTS, 'baseline-file': file, record: 'true' } });
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /Runner fingerprint/);
    assert.equal(remoteRef(origin, 'perf-data'), before);
    assert.equal(JSON.parse(showFile(origin, 'perf-data', 'index.json')).runs.length, 2);
    assert.match(run.summary, /Baseline: none yet: .*baseline\.json has no recorded run/);
  });

  it('a corrupt file on the branch: the push run warns, names it, succeeds, and the branch is unchanged', async () => {
    const editor = path.join(dirs.dir, 'editor');
    git(dirs.dir, 'clone', '--quiet', '--branch', 'perf-data', origin.bare, editor);
    const runs = git(editor, 'ls-files', 'runs').split('\n');
    const bad = runs[0]!.replace(/-[0-9a-f]{6}\.json$/, '-0bad00.json');
    writeFileSync(path.join(editor, bad), '{"schemaVersion": 2, "kind": "wsgi-perf-gate/run", "commit": ');
    git(editor, 'add', bad);
    git(editor, 'commit', '--quiet', '-m', 'a broken upload');
    git(editor, 'push', '--quiet', 'origin', 'perf-data');
    const before = remoteRef(origin, 'perf-data');
    git(ws, 'checkout', '--quiet', 'main');
    const run = await runAction('main', dirs, { eventName: 'push', sha: git(ws, 'rev-parse', 'HEAD'), inputs: INPUTS });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, new RegExp(`::warning::Not recording on the data branch perf-data: it holds file\\(s\\) this version cannot read, and they are left exactly as they are: ${bad.replace(/\./g, '\\.')}: not valid JSON`));
    assert.equal(remoteRef(origin, 'perf-data'), before, 'branch unchanged');
  });
});
