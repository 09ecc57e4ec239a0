// What breaks counts against the head: a pull request whose workers exit every N requests is
// `regressed` and fails the step, in paired mode with real gunicorn, real git and the action.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses } from './helpers/processes.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';
import type { RunResult } from '../src/types.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/** The head's change: every worker calls os._exit(1) on its 40th request (and every 40th after). */
const EXIT_EVERY_40 = (app: string) =>
  `${app}\n\n_served = 0\n\n\n@app.before_request\ndef _pr_exit_every_40():\n    global _served\n    _served += 1\n    if _served % 40 == 0:\n        os._exit(1)\n`;

const procs = serverProcesses();

describe('a head whose workers exit every 40 requests (paired mode)', () => {
  after(() => assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running'));

  it('is regressed, fails the step, names the exits once, and counts the cut requests as errors', async () => {
    const dirs = newRunnerDirs();
    const dir = dirs.workspace;
    const app = readFileSync(path.join(FLASK_DIR, 'app.py'), 'utf8');
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(dir, 'app.py'), app);
    git(dir, 'add', 'app.py');
    git(dir, 'commit', '-q', '-m', 'base');
    const baseSha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFileSync(path.join(dir, 'app.py'), EXIT_EVERY_40(app));
    git(dir, 'commit', '-q', '-am', 'the pull request');
    const headSha = git(dir, 'rev-parse', 'HEAD');

    const run = await runAction('main', dirs, {
      inputs: {
        command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2`,
        url: 'http://127.0.0.1:$PORT',
        path: '/json',
        connections: '4',
        rounds: '6',
        'duration-seconds': '0.5',
        'warmup-seconds': '0.5',
        'compare-to': 'base',
      },
      sha: headSha,
      baseSha,
    });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regressed');
    assert.match(run.stdout, /::error::Performance regressed\..*Worker exits\/starts: the head: \d+ worker\(s\) exited/);

    const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
    const sc = result.comparison.scenarios[0]!;
    const workers = sc.metrics.find((m) => m.metric === 'workerChanges')!;
    assert.equal(workers.verdict, 'regressed', workers.reason);
    assert.equal(workers.baseline, 0, 'the base never lost a worker');
    assert.ok(workers.candidate >= 2, workers.reason);
    assert.deepEqual(sc.excludedTrials, [], 'no trial is left out');
    const exited = result.samples.filter((s) => s.target === 'app').reduce((n, s) => n + (s.processChange?.exited ?? 0), 0);
    assert.match(workers.reason, new RegExp(`the head: ${exited} worker\\(s\\) exited`));

    // The requests the exiting workers were serving are errors, not silently lost.
    const cut = result.samples.filter((s) => s.target === 'app').reduce((n, s) => n + (s.errors.connectionByCode?.['closed-before-response'] ?? 0), 0);
    assert.ok(cut > 0, 'cut requests are counted');
    const errorRate = sc.metrics.find((m) => m.metric === 'errorRate')!;
    assert.equal(errorRate.verdict, 'regressed', errorRate.reason);
    assert.equal(result.samples.filter((s) => s.target === 'base').reduce((n, s) => n + s.errors.connection, 0), 0, 'the base lost nothing');

    // Named once in the list of regressions, with the side, and the server log folded below.
    const regressions = run.summary.slice(run.summary.indexOf('Regressions:'), run.summary.indexOf('###'));
    assert.equal(regressions.match(/Worker exits\/starts/g)?.length, 1, regressions);
    assert.match(regressions, /none in 6 baseline trials/);
    assert.match(run.summary, /Server log of the head at its first worker exit\/start/);
    assert.doesNotMatch(run.summary, /left out \(round/);
  });
});
