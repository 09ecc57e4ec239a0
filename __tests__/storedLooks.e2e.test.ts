// Stored mode's sequential looks end to end: dist/main.js as a runner runs it, the Flask example
// under real gunicorn, a baseline file recorded by real pushes. A push of unchanged code is
// judged against the recorded run at 10 of at most 20 rounds, stops there (clearly inside the
// recorded runs' spread, or that spread alone beyond a threshold: more rounds cannot help),
// is never `regressed`, and the report says at which look it stopped and why.
// Kept lean: 1 s trials, 4 recorded runs of 6 rounds (the fewest from which the spread between
// runs is estimated), Valgrind counts, query counts and hardening checks off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';
import type { RunResult } from '../src/types.js';

// 4 workers sleeping 20 ms on 4 connections: about 190 req/s, so a 1 s trial holds about 190
// requests and 6 recorded rounds the 1,000 a side p99 needs.
const INPUTS = {
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 4`,
  url: 'http://127.0.0.1:$PORT',
  'working-directory': FLASK_DIR,
  'duration-seconds': '1',
  'warmup-seconds': '0.5',
  connections: '4',
  instructions: 'off',
  queries: 'off',
  hardening: 'off',
  'fail-on-regression': 'false',
};
const ENV = { EXAMPLE_DELAY_MS: '20' };
const RECORDED_RUNS = 4;

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});
after(() => assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running'));

describe('stored mode looks along the way (Flask example, baseline file)', () => {
  it('a push of unchanged code stops at the first of two looks, never regressed, and the report says why', async (t) => {
    const dirs = newRunnerDirs();
    const baselineFile = path.join(dirs.dir, 'baseline.json');
    for (let i = 1; i <= RECORDED_RUNS; i++) {
      // 6 rounds look once (fixed design): 5 trials against 6 cannot reach the first look's share.
      const rec = await runAction('main', dirs, { eventName: 'push', sha: String(i).repeat(40), inputs: { ...INPUTS, rounds: '6', 'baseline-file': baselineFile }, env: ENV });
      assert.equal(rec.code, 0, rec.stdout);
      assert.doesNotMatch(rec.summary, /Stopped at look/, 'the recording runs are fixed designs');
    }
    assert.equal(JSON.parse(readFileSync(baselineFile, 'utf8')).runs.length, RECORDED_RUNS);

    const run = await runAction('main', dirs, { eventName: 'push', sha: '9'.repeat(40), inputs: { ...INPUTS, rounds: '20', 'baseline-file': baselineFile }, env: ENV });
    const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
    const seq = result.comparison.sequential!;
    const metrics = result.comparison.scenarios[0]!.metrics.filter((m) => m.gating && m.changePct !== undefined);
    t.diagnostic(`verdict ${run.outputs.verdict}; ${run.summary.match(/Stopped at [^\n]*/)?.[0]}; ${metrics.map((m) => `${m.metric} ${m.changePct!.toFixed(1)}% (${m.ciLowPct?.toFixed(1)} … ${m.ciHighPct?.toFixed(1)}) ${m.verdict}`).join(', ')}`);
    assert.equal(run.code, 0, run.stdout);
    assert.notEqual(run.outputs.verdict, 'regressed', run.summary);
    assert.ok(seq, 'stored mode with 20 rounds looks along the way');
    assert.equal(seq.mode, 'stored');
    assert.deepEqual(seq.plannedRounds, [10, 20]);
    // Stopped at the first look, and nothing was measured past it.
    assert.equal(seq.stoppedAtLook, 1, run.summary);
    assert.equal(Math.max(...result.samples.map((s) => s.round)), 10);
    assert.equal(result.samples.length, 10);
    assert.ok(['decided', 'only-paired'].includes(seq.stoppedBecause));
    if (seq.stoppedBecause === 'decided') {
      assert.equal(run.outputs.verdict, 'pass');
      assert.match(run.summary, /Stopped at look 1 of 2 \(10 rounds, against the stored baseline\): every scenario was decided, so the remaining rounds were not needed\./);
    } else {
      assert.equal(run.outputs.verdict, 'inconclusive');
      assert.match(run.summary, /Stopped at look 1 of 2 \(10 rounds, against the stored baseline\): what is still open is as narrow as how far recorded runs move from one to the next, and that alone is beyond its threshold, so more rounds cannot decide it; only paired mode \(compare-to: base\) can/);
      const open = metrics.filter((m) => m.verdict === 'inconclusive');
      assert.ok(open.length > 0 && open.every((m) => m.onlyPairedDecides && /only paired mode \(compare-to: base\) can/.test(m.reason)), JSON.stringify(open));
    }
    // The widening by how far the recorded runs moved is applied and said.
    assert.match(run.summary, /widened to how far \d recorded runs moved from one to the next/);
    // The push is recorded with the rounds it measured.
    const runs = JSON.parse(readFileSync(baselineFile, 'utf8')).runs;
    assert.equal(runs.length, RECORDED_RUNS + 1);
    assert.equal(runs.at(-1).samples.length, 10);
  });
});
