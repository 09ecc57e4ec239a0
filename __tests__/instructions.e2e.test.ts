// Instructions per request under real Valgrind, end to end: dist/main.js in a real git
// repository, paired (base booted beside the head) and stored (counts recorded on the data
// branch of a bare origin), plus Django, uWSGI and waitress counted directly, and a PATH
// without valgrind. The head of the "slower" cases does ~1.3% more work per request in
// checksum() (zlib's crc32_z), which the report's function table must name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DJANGO_DIR, FLASK_DIR, PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction, type ActionRun } from './helpers/runner.js';
import { commitFile, git, newOrigin } from './helpers/gitRepo.js';
import { countInstructions } from '../src/instructions/measure.js';
import { singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { spreadPct } from '../src/gate/instructionsVerdict.js';
import { PROFILE_FUNCTIONS } from '../src/instructions/gate.js';
import type { InstructionsResult, RunResult, Scenario, Target } from '../src/types.js';

const FIXTURE = readFileSync(path.join(ROOT, '__tests__', 'fixtures', 'instr_app.py'), 'utf8');
/** 10 -> 14 checksum rounds: +1.3% instructions per request (measured: 12.30M -> 12.46M). */
const MORE_WORK = FIXTURE.replace('"INSTR_CHECKSUM_ROUNDS", "10"', '"INSTR_CHECKSUM_ROUNDS", "14"');
assert.notEqual(MORE_WORK, FIXTURE);

// Wall-clock figures are not the subject here: the smallest run the gate accepts.
const INPUTS = {
  command: `${PY} -m gunicorn instr_app:app --bind 127.0.0.1:$PORT --workers 1`,
  url: 'http://127.0.0.1:$PORT',
  'duration-seconds': '0.3',
  'warmup-seconds': '0',
  rounds: '5', // the fewest paired rounds that can reach 99% (config refuses fewer)
  connections: '1',
  confirm: 'false',
  instructions: 'on',
};

function instructionsOf(run: ActionRun): InstructionsResult {
  const result = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
  assert.ok(result.instructions, `no instructions in the results file:\n${run.stdout}`);
  assert.equal(result.instructions.status, 'measured', result.instructions.note);
  return result.instructions;
}

/** A workspace repository on main with the fixture, and a feature branch with `head` as app. */
function pairedRepo(head: string) {
  const dirs = newRunnerDirs();
  const ws = dirs.workspace;
  git(ws, 'init', '-q', '-b', 'main');
  const baseSha = commitFile(ws, 'instr_app.py', FIXTURE, 'base');
  git(ws, 'checkout', '-q', '-b', 'feature');
  const headSha = head === FIXTURE ? commitFile(ws, 'README', 'docs only\n', 'docs') : commitFile(ws, 'instr_app.py', head, 'more work');
  return { dirs, baseSha, headSha };
}

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});
after(() => assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running'));

describe('instructions per request (paired mode)', () => {
  it('a head with ~1% more work regresses, and the function table names the function', async () => {
    const r = pairedRepo(MORE_WORK);
    const run = await runAction('main', r.dirs, { inputs: { ...INPUTS, 'compare-to': 'base' }, sha: r.headSha, baseSha: r.baseSha, timeoutMs: 240_000 });
    const instr = instructionsOf(run);
    const c = instr.comparisons[0]!;
    assert.equal(c.verdict, 'regressed', `${c.reason}\n${run.stdout}`);
    assert.ok(c.changePct! > 0.8 && c.changePct! < 2, `change ${c.changePct}%`);
    assert.equal(run.outputs.verdict, 'regressed');
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.summary, /### Instructions per request \(Valgrind\) — ❌ regressed/);
    const details = /<details><summary>Where the instructions went[\s\S]*?<\/details>/.exec(run.summary);
    assert.ok(details, run.summary);
    assert.match(details[0], /<code>crc32\\_z<\/code>(?: <sub>[^<|]*<\/sub>)? \| libz\.so/, 'the changed work (checksum -> zlib crc32_z) is named (Markdown-escaped), its object without a path');
    assert.ok(c.functions!.slice(0, 3).some((f) => /crc32/.test(f.fn)), JSON.stringify(c.functions));
    assert.match(run.summary, /do not see time spent waiting for a database/);
    assert.match(run.summary, /Cost: \d+ s/);
    assert.ok(Math.abs(Number(run.outputs['instructions-change-pct']) - c.changePct!) < 0.001, run.outputs['instructions-change-pct']);
  });

  it('an unchanged head passes', async () => {
    const r = pairedRepo(FIXTURE);
    const run = await runAction('main', r.dirs, { inputs: { ...INPUTS, 'compare-to': 'base' }, sha: r.headSha, baseSha: r.baseSha, timeoutMs: 240_000 });
    const c = instructionsOf(run).comparisons[0]!;
    assert.equal(c.verdict, 'pass', `${c.reason}\n${run.stdout}`);
    assert.ok(Math.abs(c.changePct!) < 0.2, `change ${c.changePct}%`);
    assert.ok(c.ciLowPct! <= 0 && c.ciHighPct! >= 0, `interval ${c.ciLowPct} to ${c.ciHighPct} covers zero`);
    assert.match(run.summary, /### Instructions per request \(Valgrind\) — ✅ pass/);
    assert.doesNotMatch(run.summary, /Where the instructions went/);
    // Both sides were counted without the cyclic garbage collector, each request sent to an idle worker.
    assert.deepEqual(instructionsOf(run).measurements.map((m) => m.counting), [{ cyclicGc: false, idleFirst: true }, { cyclicGc: false, idleFirst: true }]);
  });
});

describe('instructions per request (stored mode, data branch)', () => {
  it('a push records the counts; a pull request with ~1% more work regresses against them', async () => {
    const origin = newOrigin();
    const dirs = newRunnerDirs();
    const ws = dirs.workspace;
    git(dirs.dir, 'clone', '--quiet', origin.bare, ws);
    const c1 = commitFile(ws, 'instr_app.py', FIXTURE, 'app');
    git(ws, 'push', '--quiet', 'origin', 'main');
    const push = await runAction('main', dirs, { eventName: 'push', sha: c1, inputs: INPUTS, timeoutMs: 240_000 });
    assert.equal(push.code, 0, push.stdout);
    assert.match(push.stdout, /Recorded this run on perf-data/);
    const recorded = instructionsOf(push).measurements[0]!;
    assert.equal(recorded.perRequest.length, 3);

    git(ws, 'checkout', '-q', '-b', 'feature');
    const c2 = commitFile(ws, 'instr_app.py', MORE_WORK, 'more work');
    const pr = await runAction('main', dirs, { sha: c2, baseSha: c1, inputs: INPUTS, timeoutMs: 240_000 });
    const c = instructionsOf(pr).comparisons[0]!;
    assert.equal(c.verdict, 'regressed', `${c.reason}\n${pr.stdout}`);
    assert.equal(c.baseline, [...recorded.perRequest].sort((a, b) => a - b)[1], 'the baseline is the recorded median');
    assert.match(pr.summary, new RegExp(`Baseline: the recorded run of ${c1.slice(0, 12)}`));
    assert.match(/<details><summary>Where the instructions went[\s\S]*?<\/details>/.exec(pr.summary)?.[0] ?? '', /crc32\\_z/);
    assert.match(pr.summary, /title "Instructions per request, \//, 'the trend charts the recorded and the new count');
    assert.equal(pr.code, 1, pr.stdout);
  });
});

describe('instructions per request (stored mode, baseline file)', () => {
  it('a count recorded the old way (collector on, back to back) is not compared, and the report says why', async () => {
    const dirs = newRunnerDirs();
    writeFileSync(path.join(dirs.workspace, 'instr_app.py'), FIXTURE);
    const record = await runAction('main', dirs, { inputs: { ...INPUTS, 'compare-to': 'none', record: 'true', 'baseline-file': 'base.json' }, timeoutMs: 240_000 });
    assert.equal(record.code, 0, record.stdout);
    // Make the record one from before `counting` was recorded.
    const file = path.join(dirs.workspace, 'base.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { runs: Array<{ instructions: InstructionsResult }> };
    const counts = stored.runs[0]!.instructions.measurements;
    assert.deepEqual(counts[0]!.counting, { cyclicGc: false, idleFirst: true });
    for (const m of counts) delete m.counting;
    writeFileSync(file, JSON.stringify(stored));

    writeFileSync(path.join(dirs.workspace, 'instr_app.py'), MORE_WORK);
    const pr = await runAction('main', dirs, { inputs: { ...INPUTS, 'baseline-file': 'base.json' }, timeoutMs: 240_000 });
    const c = instructionsOf(pr).comparisons[0]!;
    assert.equal(c.verdict, 'pass', `${c.reason}\n${pr.stdout}`);
    assert.equal(c.baseline, undefined);
    assert.match(c.reason, /^The baseline's count was made with the cyclic garbage collector, requests sent back to back; this one without/);
    assert.match(pr.summary, /Counts made differently are not compared/);
  });
});

describe('instructions without valgrind on PATH', () => {
  it('auto: no failure, one clear line with the install command', async () => {
    const dirs = newRunnerDirs();
    writeFileSync(path.join(dirs.workspace, 'instr_app.py'), FIXTURE);
    const bin = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-novalgrind-'));
    const run = await runAction('main', dirs, {
      inputs: { ...INPUTS, instructions: 'auto', 'compare-to': 'none', record: 'true', 'baseline-file': 'base.json', 'cpu-placement': 'off' },
      env: { PATH: bin },
    });
    assert.equal(run.code, 0, run.stdout);
    const lines = run.summary.split('\n').filter((l) => /valgrind/i.test(l));
    assert.deepEqual(lines, ['Instructions per request were not counted: valgrind is not on PATH (on ubuntu runners: sudo apt-get install -y valgrind).']);
  });
});

describe('instructions per request on each server', () => {
  const scenario: Scenario = {
    name: 'db',
    method: 'GET',
    path: '/db',
    headers: {},
    connections: 1,
    durationSeconds: 1,
    timeoutSeconds: 10,
    thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
  };
  const cases: Array<[string, PresetName, string, string]> = [
    ['Django under gunicorn', 'gunicorn', 'exampleproject.wsgi:application', DJANGO_DIR],
    ['Flask under uWSGI', 'uwsgi', 'app:app', FLASK_DIR],
    ['Flask under waitress', 'waitress', 'app:app', FLASK_DIR],
  ];
  for (const [label, server, app, dir] of cases) {
    it(`${label}: counted in the one worker that served the requests`, async (t) => {
      const preset = presetCommand({ server, app, python: PY, cores: 2 });
      const target: Target = { name: label, ...preset, workingDirectory: dir, url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 60, env: {} };
      const m = await countInstructions({ target, command: singleWorkerCommand(target), scenario, warmupRequests: 20, windows: 3, requestsPerWindow: 10, profileFunctions: PROFILE_FUNCTIONS });
      t.diagnostic(`${label}: ${m.perRequest.map((v) => (v / 1e6).toFixed(4)).join(' / ')}M per request, spread ${spreadPct(m.perRequest).toFixed(2)}%, ${m.seconds.toFixed(1)} s`);
      assert.equal(m.perRequest.length, 3);
      assert.ok(m.perRequest.every((v) => v > 200_000 && v < 50_000_000), `plausible counts: ${m.perRequest}`);
      // /db queries SQLite: only the process that served the requests ran libsqlite3 while counting.
      assert.ok(m.profile?.some((f) => /libsqlite3/.test(f.fn)), `the profile shows SQLite: ${m.profile?.slice(0, 10).map((f) => f.fn)}`);
    });
  }
});
