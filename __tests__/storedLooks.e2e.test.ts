// Stored mode's sequential looks end to end: dist/main.js as a runner runs it, the Flask example
// under real gunicorn, a baseline file recorded by real pushes. A push of unchanged code is
// judged against the recorded run at 10, 20 and 40 rounds, stops before the last look
// (clearly inside the recorded runs' spread, or that spread alone beyond a threshold: more
// rounds cannot help), is never `regressed`, and the report says at which look and why.
// Kept lean: 1 s trials, 4 recorded runs of 8 rounds (4 runs are the fewest from which the
// spread between runs is estimated), Valgrind counts, query counts and hardening checks off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';
import type { RunResult } from '../src/types.js';

// 8 workers sleeping 20 ms on 8 connections: about 380 req/s, so a 1 s trial holds about 380
// requests, a recorded run some 3,000 and the first look some 3,800: p99 rests on 30-40 beyond it.
const INPUTS = {
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 8`,
  url: 'http://127.0.0.1:$PORT',
  'working-directory': FLASK_DIR,
  'duration-seconds': '1',
  'warmup-seconds': '0.5',
  connections: '8',
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
  it('a push of unchanged code stops before the last of three looks, never regressed, and the report says why', async (t) => {
    const dirs = newRunnerDirs();
    const baselineFile = path.join(dirs.dir, 'baseline.json');
    for (let i = 1; i <= RECORDED_RUNS; i++) {
      // 8 rounds look once (fixed design): 5 trials against 8 cannot reach the first look's share.
      const rec = await runAction('main', dirs, { eventName: 'push', sha: String(i).repeat(40), inputs: { ...INPUTS, rounds: '8', 'baseline-file': baselineFile }, env: ENV });
      assert.equal(rec.code, 0, rec.stdout);
      assert.doesNotMatch(rec.summary, /Stopped at look/, 'the recording runs are fixed designs');
    }
    assert.equal(JSON.parse(readFileSync(baselineFile, 'utf8')).runs.length, RECORDED_RUNS);

    const run = await runAction('main', dirs, { eventName: 'push', sha: '9'.repeat(40), inputs: { ...INPUTS, rounds: '40', 'baseline-file': baselineFile }, env: ENV });
    const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
    const seq = result.comparison.sequential!;
    const metrics = result.comparison.scenarios[0]!.metrics.filter((m) => m.gating && m.changePct !== undefined);
    t.diagnostic(`looks ${JSON.stringify(seq.looks.map((l) => [l.rounds, l.decided.length]))}; verdict ${run.outputs.verdict}; ${run.summary.match(/Stopped at [^\n]*/)?.[0]}; ${metrics.map((m) => `${m.metric} ${m.changePct!.toFixed(1)}% (${m.ciLowPct?.toFixed(1)} … ${m.ciHighPct?.toFixed(1)}) ${m.verdict}`).join(', ')}`);
    assert.equal(run.code, 0, run.stdout);
    assert.notEqual(run.outputs.verdict, 'regressed', run.summary);
    assert.ok(seq, 'stored mode with 40 rounds looks along the way');
    assert.equal(seq.mode, 'stored');
    assert.deepEqual(seq.plannedRounds, [10, 20, 40]);
    // Stopped before the last look, and nothing was measured past the look that stopped it.
    assert.ok(seq.stoppedAtLook < 3, run.summary);
    assert.equal(Math.max(...result.samples.map((s) => s.round)), seq.rounds);
    assert.equal(result.samples.length, seq.rounds);
    assert.ok(['decided', 'only-paired'].includes(seq.stoppedBecause));
    const at = `Stopped at look ${seq.stoppedAtLook} of 3 \\(${seq.rounds} rounds, against the stored baseline\\)`;
    if (seq.stoppedBecause === 'decided') {
      assert.equal(run.outputs.verdict, 'pass');
      assert.match(run.summary, new RegExp(`${at}: every scenario was decided, so the remaining rounds were not needed\\.`));
    } else {
      assert.equal(run.outputs.verdict, 'inconclusive');
      assert.match(
        run.summary,
        new RegExp(`${at}: what is still open is as narrow as how far recorded runs move from one to the next, and that alone is beyond its threshold, so more rounds cannot decide it; only paired mode \\(compare-to: base\\) can`),
      );
      const open = metrics.filter((m) => m.verdict === 'inconclusive');
      assert.ok(open.length > 0 && open.every((m) => m.onlyPairedDecides && /only paired mode \(compare-to: base\) can/.test(m.reason)), JSON.stringify(open));
    }
    // The widening by how far the recorded runs moved is applied and said.
    assert.match(run.summary, /widened to how far \d recorded runs moved from one to the next/);
    // The push is recorded with the rounds it measured.
    const runs = JSON.parse(readFileSync(baselineFile, 'utf8')).runs;
    assert.equal(runs.length, RECORDED_RUNS + 1);
    assert.equal(runs.at(-1).samples.length, seq.rounds);
  });
});
