// The action end to end, run as a GitHub runner runs it: dist/main.js and dist/post.js with
// INPUT_* variables and the runner's command files, against the Flask example under real
// gunicorn on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, parseCommandFile, runAction, type RunnerDirs } from './helpers/runner.js';

const GUNICORN = `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 4`;
// Short trials keep the suite fast; 4 connections on 4 workers keep queueing (and noise) low.
const FAST = { 'duration-seconds': '1', 'warmup-seconds': '0.5', rounds: '5', connections: '4' };
const SERVE_FLASK = { command: GUNICORN, url: 'http://127.0.0.1:$PORT', 'working-directory': FLASK_DIR, ...FAST };
// The gate tests compare runs: a 40 ms sleep per request keeps hiccups small next to the
// latency. 12 rounds of 2 s pool about 2,300 requests a side for p99 (an interval of about
// ±7%, so unchanged code is `pass` or, now and then, `inconclusive`; never `regressed`), and
// a server twice as slow is far beyond every threshold.
const GATE = { ...SERVE_FLASK, 'duration-seconds': '2', rounds: '12' };
const NORMAL = { EXAMPLE_DELAY_MS: '40' };
const TWICE_AS_SLOW = { EXAMPLE_DELAY_MS: '80' };

let baseline: ProcessInfo[];
before(() => {
  baseline = serverProcesses();
});

function assertNoServerLeft(): void {
  assert.deepEqual(newServerProcesses(baseline), [], 'a server process was left running');
}

describe('gate against a recorded baseline file', () => {
  let dirs: RunnerDirs;
  let baselineFile: string;
  before(() => {
    dirs = newRunnerDirs();
    baselineFile = path.join(dirs.dir, 'baseline.json');
  });
  after(assertNoServerLeft);

  it('records on a push to the default branch (record: auto)', async () => {
    const run = await runAction('main', dirs, {
      eventName: 'push',
      sha: '1'.repeat(40),
      inputs: { ...GATE, 'baseline-file': baselineFile },
      env: NORMAL,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verdict, 'inconclusive', 'nothing to compare with yet');
    const recorded = JSON.parse(readFileSync(baselineFile, 'utf8'));
    assert.equal(recorded.runs.length, 1);
    assert.equal(recorded.runs[0].meta.commit, '1'.repeat(40));
    assert.equal(recorded.runs[0].samples.length, 12);
    // Every sample is a real measurement: 4 workers sleeping 40 ms serve at most 100 req/s.
    for (const s of recorded.runs[0].samples) {
      assert.ok(s.rps > 60 && s.rps <= 100, `rps ${s.rps}`);
      assert.ok(s.latencyUs.p50 >= 40_000 && s.latencyUs.p50 < 60_000, `p50 ${s.latencyUs.p50} us`);
      assert.ok(s.server.rssBytesPerWorker > 5 * 1024 * 1024, 'memory per worker measured');
    }
    assertNoServerLeft();
  });

  it('the same code again on a pull request: no regression, every interval covers no change or stays within its threshold', async () => {
    const run = await runAction('main', dirs, { inputs: { ...GATE, 'baseline-file': baselineFile }, env: NORMAL });
    assert.equal(run.code, 0, run.stdout);
    // The promise on unchanged code: never `regressed`. p99 rests on some 2,300 requests a side
    // (about 23 beyond it), so its interval (about ±7%) can reach past its 10% threshold now and
    // then: `inconclusive` is then the honest verdict (a CI run saw +4.6%, -3.4% to +10.5%).
    assert.ok(['pass', 'inconclusive'].includes(run.outputs.verdict!), run.summary);
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    assert.equal(results.verdict, run.outputs.verdict);
    const gating = results.comparison.scenarios[0].metrics.filter((m: { gating: boolean; ciLowPct?: number }) => m.gating && m.ciLowPct !== undefined);
    assert.deepEqual(gating.map((m: { metric: string }) => m.metric).sort(), ['memory', 'p99', 'rps']);
    for (const m of gating) {
      const coversZero = m.ciLowPct <= 0 && m.ciHighPct >= 0;
      const withinThreshold = Math.max(Math.abs(m.ciLowPct), Math.abs(m.ciHighPct)) <= m.thresholdPct;
      assert.ok(coversZero || withinThreshold, `${m.metric}: ${m.reason}`);
      assert.notEqual(m.verdict, 'regressed', m.reason);
    }
    // 4 workers sleeping 40 ms serve about 94 req/s on both runs: Requests/s resolves to about ±1%.
    assert.ok(Math.abs(Number(run.outputs['rps-change-pct'])) < 5, `rps change ${run.outputs['rps-change-pct']}`);
    assert.match(run.outputs['p99-change-pct']!, /^-?\d+\.\d\d$/);
    assert.ok(Number(run.outputs.rps) > 60);
    assert.ok(Number(run.outputs['p99-ms']) >= 40);
    // The summary is a table a person reads at a glance.
    assert.match(run.summary, /## wsgi-perf-gate: (✅ pass|⚠️ inconclusive)/);
    assert.match(run.summary, /\| Metric \| Baseline \| Candidate \| Change \| Interval \| Verdict \|/);
    assert.match(run.summary, /\| Requests\/s \| [\d,]+ \| [\d,]+ \| [+-]\d+\.\d% \| [+-]\d+\.\d% … [+-]\d+\.\d% \| ✅ pass \|/);
    assert.match(run.summary, /at commit <code>111111111111<\/code>/);
    assert.equal(results.samples.length, 12);
    // A pull request is not recorded.
    assert.equal(JSON.parse(readFileSync(baselineFile, 'utf8')).runs.length, 1);
    assertNoServerLeft();
  });

  it('a second push records a second run: a regression can then be confirmed against a run of its own', async () => {
    const run = await runAction('main', dirs, { eventName: 'push', sha: '2'.repeat(40), inputs: { ...GATE, rounds: '5', 'baseline-file': baselineFile }, env: NORMAL });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(JSON.parse(readFileSync(baselineFile, 'utf8')).runs.length, 2);
  });

  it('fails the step when the server is clearly slower, saying which metric and by how much', async () => {
    const run = await runAction('main', dirs, { inputs: { ...GATE, 'baseline-file': baselineFile }, env: TWICE_AS_SLOW });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verdict, 'regressed');
    // Judged against the newest recorded run, confirmed against the other one: independent on both sides.
    assert.match(run.summary, /at commit <code>222222222222<\/code>/);
    assert.match(run.summary, /Confirmed: .*measured twice, each time with fresh servers \(the second judged against another recorded run, of commit 111111111111 recorded /);
    assert.ok(Number(run.outputs['rps-change-pct']) < -30, `rps change ${run.outputs['rps-change-pct']}`);
    assert.ok(Number(run.outputs['p99-change-pct']) > 50, `p99 change ${run.outputs['p99-change-pct']}`);
    assert.match(run.summary, /## wsgi-perf-gate: ❌ regressed/);
    assert.match(run.summary, /Regressions:\n- \*\*\/\*\*: Requests\/s -\d\d\.\d% \(interval/);
    assert.match(run.summary, /p99 latency \+\d+\.\d%/);
    assert.match(run.stdout, /::error::Performance regressed\. \/: Requests\/s -\d\d\.\d%/);
    assertNoServerLeft();
  });

  it('reports but does not fail with fail-on-regression: false', async () => {
    const run = await runAction('main', dirs, {
      inputs: { ...GATE, rounds: '5', 'baseline-file': baselineFile, 'fail-on-regression': 'false' },
      env: TWICE_AS_SLOW,
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verdict, 'regressed');
    assert.match(run.stdout, /::warning::Performance regressed/);
  });
});

describe('scenarios from the config file', () => {
  after(assertNoServerLeft);

  it('runs every scenario with its own method, body, expected status and results', async () => {
    const dirs = newRunnerDirs();
    mkdirSync(path.join(dirs.workspace, '.github'));
    writeFileSync(
      path.join(dirs.workspace, '.github', 'perf-gate.yml'),
      [
        'scenarios:',
        '  - name: read-json',
        '    path: /json',
        '  - name: create-item',
        '    method: POST',
        '    path: /items',
        '    body: { name: widget }',
        '    expect-status: 201',
        '    connections: 2',
        '    duration-seconds: 0.5',
      ].join('\n'),
    );
    const run = await runAction('main', dirs, { inputs: { ...SERVE_FLASK, rounds: '2', 'compare-to': 'none' } });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verdict, 'pass');
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    const byScenario = (name: string) => results.samples.filter((s: { scenario: string }) => s.scenario === name);
    assert.equal(byScenario('read-json').length, 2);
    assert.equal(byScenario('create-item').length, 2);
    for (const s of byScenario('create-item')) {
      assert.ok(s.requests > 20 && s.errorRatePct === 0, `create-item: ${s.requests} requests, ${s.errorRatePct}% errors`);
      assert.ok(s.elapsedSeconds <= 0.5);
    }
    assert.match(run.summary, /### read\\-json|### read-json \(GET \/json\)/);
    assert.match(run.summary, /### create-item \(POST \/items\) — ✅ pass/);
    // Outputs describe the first scenario.
    assert.equal(Number(run.outputs.rps).toFixed(0), Math.round(Number(run.outputs.rps)).toString());
  });
});

describe('bad input fails before any process starts', () => {
  let dirs: RunnerDirs;
  let marker: string;
  before(() => {
    dirs = newRunnerDirs();
    marker = path.join(dirs.dir, 'server-was-started');
  });
  after(assertNoServerLeft);

  // A command that would leave a marker file if it were ever run.
  const tracedCommand = () => `touch ${marker} && ${GUNICORN}`;

  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ['missing command', () => ({ ...FAST, url: 'http://127.0.0.1:8000' }), /Input `command` is missing: expected the shell command/],
    [
      'non-numeric duration',
      () => ({ ...SERVE_FLASK, command: tracedCommand(), 'duration-seconds': 'ten' }),
      /Input `duration-seconds` is "ten": expected a positive number of seconds/,
    ],
    [
      'non-loopback url',
      () => ({ ...SERVE_FLASK, command: tracedCommand(), url: 'http://10.20.30.40:8000' }),
      /Input `url` is "http:\/\/10\.20\.30\.40:8000": expected a loopback address/,
    ],
    [
      'malformed baseline file',
      () => {
        const file = path.join(dirs.dir, 'broken.json');
        writeFileSync(file, '{"schemaVersion": 1, "runs": [');
        return { ...SERVE_FLASK, command: tracedCommand(), 'baseline-file': file };
      },
      /Input `baseline-file` is ".*broken\.json": it is not valid JSON/,
    ],
  ];
  for (const [name, inputs, message] of cases) {
    it(name, async () => {
      const run = await runAction('main', dirs, { inputs: inputs() });
      assert.equal(run.code, 1, run.stdout);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0]!, message);
      assert.equal(existsSync(marker), false, 'the server command was run');
      assertNoServerLeft();
    });
  }
});

describe('a server that does not come up', () => {
  let dirs: RunnerDirs;
  before(() => {
    dirs = newRunnerDirs();
  });
  after(assertNoServerLeft);

  it('exits at once: fails with the tail of its output', async () => {
    const run = await runAction('main', dirs, {
      inputs: { ...FAST, url: 'http://127.0.0.1:$PORT', command: `${PY} -c "import sys; print('perfgate-test: cannot import settings'); sys.exit(3)"` },
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::Target "app": the server exited with code 3 before it answered/);
    assert.match(run.stdout, /perfgate-test: cannot import settings/);
    assertNoServerLeft();
  });

  it('never becomes ready: fails after ready-timeout-seconds with its output, and is stopped', async () => {
    const run = await runAction('main', dirs, {
      inputs: {
        ...FAST,
        url: 'http://127.0.0.1:$PORT',
        'ready-timeout-seconds': '2',
        command: `${PY} -c "import time; print('perfgate-test: still booting', flush=True); time.sleep(300)"`,
      },
    });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /did not answer http:\/\/127\.0\.0\.1:\d+\/ below 500 within ready-timeout-seconds \(2 s\)/);
    assert.match(run.stdout, /perfgate-test: still booting/);
    assertNoServerLeft();
  });
});

describe('post step', () => {
  after(assertNoServerLeft);

  it('stops a server that the main step left behind when it was killed', async () => {
    const dirs = newRunnerDirs();
    const stateFile = path.join(dirs.dir, 'state-main');
    let mainPid = 0;
    const main = runAction('main', dirs, {
      inputs: { ...SERVE_FLASK, 'duration-seconds': '30', rounds: '5' },
      onStart: (pid) => (mainPid = pid),
    });
    // Wait until main has saved the server's pid and the server is serving load.
    const deadline = Date.now() + 30_000;
    let saved: Array<{ pid: number }> = [];
    while (Date.now() < deadline) {
      const state = parseCommandFile(stateFile).servers;
      saved = state ? JSON.parse(state) : [];
      if (saved.length && newServerProcesses(baseline).length >= 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(saved.length, 1, 'main saved the server in GITHUB_STATE');
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(mainPid, 'SIGKILL');
    const killed = await main;
    assert.equal(killed.signal, 'SIGKILL');
    const orphans = newServerProcesses(baseline);
    assert.ok(orphans.length >= 5, `master and 4 workers still running after main died: ${JSON.stringify(orphans)}`);

    const post = await runAction('post', dirs, { inputs: {}, state: { servers: parseCommandFile(stateFile).servers! } });
    assert.equal(post.code, 0, post.stdout);
    assert.match(post.stdout, /::warning::Post step stopped a server the main step left running \(pid \d+, SIGTERM\)/);
    assertNoServerLeft();
  });

  it('does nothing after a clean main step', async () => {
    const post = await runAction('post', newRunnerDirs(), { inputs: {}, state: { servers: '[]' } });
    assert.equal(post.code, 0);
    assert.doesNotMatch(post.stdout, /::warning::/);
  });
});
