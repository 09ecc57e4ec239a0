// The command line (src/cli/cli.ts) over the same pipeline: run, compare and their exit codes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';

const CLI = path.join(DIST, 'cli.js');
function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: FLASK_DIR, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RUN = ['run', '--command', `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 4`, '--url', 'http://127.0.0.1:$PORT', '--connections', '4', '--duration-seconds', '1', '--warmup-seconds', '0.5', '--rounds', '5', '--hardening', 'off'];

describe('wsgi-perf-gate CLI', () => {
  let dir: string;
  let procs: ProcessInfo[];
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-cli-'));
    procs = serverProcesses();
  });
  after(() => assert.deepEqual(newServerProcesses(procs), []));

  it('run measures, prints the report and writes --json; compare gives 0 for the same code and 1 for a 2x slowdown', () => {
    const base = cli([...RUN, '--json', path.join(dir, 'base.json'), '--compare-to', 'none'], { EXAMPLE_DELAY_MS: '40' });
    assert.equal(base.code, 0, base.stderr);
    assert.match(base.stdout, /## wsgi-perf-gate: ✅ pass/);
    assert.match(base.stderr, /Round 5\/5 app \/: \d+ req\/s/);
    const doc = JSON.parse(readFileSync(path.join(dir, 'base.json'), 'utf8'));
    assert.equal(doc.samples.length, 5);

    const slow = cli([...RUN, '--json', path.join(dir, 'slow.json'), '--compare-to', 'none'], { EXAMPLE_DELAY_MS: '80' });
    assert.equal(slow.code, 0, slow.stderr);

    const regressed = cli(['compare', path.join(dir, 'base.json'), path.join(dir, 'slow.json')]);
    assert.equal(regressed.code, 1, regressed.stdout + regressed.stderr);
    assert.match(regressed.stdout, /## wsgi-perf-gate: ❌ regressed/);
    assert.match(regressed.stdout, /Requests\/s -[45]\d\.\d%/);

    // A run against itself: no change at all. Whether p99 can be called "within 10%" depends
    // on the spread of 5 one-second trials (pass or inconclusive); it is never a regression.
    const same = cli(['compare', path.join(dir, 'base.json'), path.join(dir, 'base.json')]);
    assert.equal(same.code, 0, same.stdout);
    assert.match(same.stdout, /## wsgi-perf-gate: (✅ pass|⚠️ inconclusive)/);
    assert.match(same.stdout, /\| Requests\/s \| [\d,]+ \| [\d,]+ \| \+0\.0% \|/);
  });

  it('compare applies the same comparability rule as the baseline file and the data branch', () => {
    const base = JSON.parse(readFileSync(path.join(dir, 'base.json'), 'utf8'));
    const other = path.join(dir, 'other-warmup.json');
    writeFileSync(other, JSON.stringify({ ...base, settings: { ...base.settings, warmupSeconds: 9 } }));
    const r = cli(['compare', other, path.join(dir, 'slow.json')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /the baseline was measured differently \(warmup 9 s -> 0\.5 s\), so it is not compared/);
    assert.match(r.stdout, /## wsgi-perf-gate: ⚠️ inconclusive/);
    assert.doesNotMatch(r.stdout, /Requests\/s -/, 'no change is computed against it');
  });

  it('exit 2 for bad input, naming it', () => {
    const r = cli(['run', '--command', 'true', '--rounds', 'many']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Input `rounds` is "many": expected a whole number of rounds/);
    const unknown = cli(['run', '--comand', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--comand'/);
    const notResults = cli(['compare', path.join(FLASK_DIR, 'app.py'), path.join(FLASK_DIR, 'app.py')]);
    assert.equal(notResults.code, 2);
    assert.match(notResults.stderr, /app\.py: cannot read a results file/);
  });

  it('rounds: 3 at 0.99 in stored mode: exit 2 before any process starts, naming the minimum', () => {
    const marker = path.join(dir, 'server-started');
    const r = cli(['run', '--command', `touch ${marker} && ${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT`, '--url', 'http://127.0.0.1:$PORT', '--rounds', '3', '--confidence', '0.99']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /Input `rounds` is 3: with compare-to stored at confidence 0\.99, .*expected at least 5 rounds \(the minimum\)/);
    assert.doesNotMatch(r.stderr, /Starting target/, 'nothing was booted');
    assert.throws(() => readFileSync(marker), 'the server command never ran');
    assert.deepEqual(newServerProcesses(procs), []);
  });

  it('exit 2 when the server cannot be measured, with its output', () => {
    const r = cli(['run', '--command', `${PY} -c "import sys; sys.exit('perfgate-test: no module named shop')"`, '--url', 'http://127.0.0.1:$PORT']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exited with code 1 before it answered/);
    assert.match(r.stderr, /perfgate-test: no module named shop/);
  });
});
