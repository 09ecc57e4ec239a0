// A server that serves a few connections and leaves the others waiting (as uWSGI's raw
// --http11-socket does) gets the starvation line in the report and no latency verdict; the same
// server with a worker per connection serves them evenly and gets neither. dist/main.js runs the
// way a runner runs it, in paired mode (the base commit booted beside the head).
// Cost: two paired runs of 5 rounds of 0.5 s, about 30 s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git } from './helpers/gitRepo.js';
import { PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, startedFor, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction, type ActionRun } from './helpers/runner.js';
import type { RunResult } from '../src/types.js';

const workspaces: string[] = [];

/** main has the starving server; the pull request changes only the README. */
function repo() {
  const dirs = newRunnerDirs();
  workspaces.push(dirs.workspace);
  const dir = dirs.workspace;
  git(dir, 'init', '-q', '-b', 'main');
  copyFileSync(path.join(ROOT, '__tests__', 'fixtures', 'starving_server.py'), path.join(dir, 'starving_server.py'));
  writeFileSync(path.join(dir, 'README.md'), 'A server.\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  const baseSha = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'feature');
  writeFileSync(path.join(dir, 'README.md'), 'A server that starves connections.\n');
  git(dir, 'commit', '-q', '-am', 'docs only');
  return { dirs, baseSha, headSha: git(dir, 'rev-parse', 'HEAD') };
}

async function pairedRun(workers: number): Promise<{ run: ActionRun; result: RunResult }> {
  const r = repo();
  const run = await runAction('main', r.dirs, {
    inputs: {
      // The label names the process, so the leak check below finds it.
      command: `${PY} starving_server.py perfgate-test-starving`,
      url: 'http://127.0.0.1:$PORT',
      'compare-to': 'base',
      rounds: '5',
      'duration-seconds': '0.5',
      'warmup-seconds': '0.5',
      connections: '16',
    },
    sha: r.headSha,
    baseSha: r.baseSha,
    env: { STARVE_WORKERS: String(workers), STARVE_IDLE_SECONDS: '0.1' },
  });
  return { run, result: JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult };
}

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});

describe('a server that starves connections', () => {
  after(() => assert.deepEqual(newServerProcesses(procs).filter(startedFor(workspaces)), [], 'a server process was left running'));

  it('2 workers for 16 connections: the report says how many got nothing, and latency decides nothing', async () => {
    const { run, result } = await pairedRun(2);
    assert.equal(run.code, 0, run.stdout);
    const sc = result.comparison.scenarios[0]!;
    // Each trial's counts are in the results: most connections got no response at all.
    for (const s of result.samples) assert.ok(s.responsesPerConnection!.filter((c) => c === 0).length >= 12, JSON.stringify(s.responsesPerConnection));
    assert.match(run.summary, /The head: 1[2-4] of 16 connections got no response in 0\.5 s \(\d of 5 trials served connections unevenly\): the server serves connections unevenly; latency figures cover only the served ones/);
    assert.match(run.summary, /The baseline: 1[2-4] of 16 connections got no response in 0\.5 s/);
    for (const name of ['p99', 'p50'] as const) {
      const m = sc.metrics.find((x) => x.metric === name)!;
      assert.match(m.reason, /latency does not decide: the server left connections without a response/);
      if (m.gating) assert.equal(m.verdict, 'inconclusive');
    }
    assert.equal(run.outputs.verdict, 'inconclusive');
  });

  it('a worker per connection: every connection served, no such line, latency decides', async () => {
    const { run, result } = await pairedRun(16);
    assert.equal(run.code, 0, run.stdout);
    for (const s of result.samples) assert.ok(Math.min(...s.responsesPerConnection!) > 0, JSON.stringify(s.responsesPerConnection));
    assert.doesNotMatch(run.summary, /connections got no response/);
    const p99 = result.comparison.scenarios[0]!.metrics.find((m) => m.metric === 'p99')!;
    assert.doesNotMatch(p99.reason, /does not decide/);
  });
});
