// The README's demo command, run in a fresh clone of this repository, as a new user would.
// (The README's test command is what CI itself runs in a fresh clone.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses } from './helpers/processes.js';

describe('README set-up commands', () => {
  it('the demo command works in a fresh clone and prints the report', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const demo = /```sh\n(npm run demo)\n```/.exec(readme)?.[1];
    const test = /```sh\n(npm test)\n```/.exec(readme)?.[1];
    assert.ok(demo && test, 'the README shows both commands');

    const procs = serverProcesses();
    const clone = path.join(mkdtempSync(path.join(os.tmpdir(), 'perf-gate-clone-')), 'repo');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    const r = spawnSync('bash', ['-c', demo], { cwd: clone, encoding: 'utf8', timeout: 600_000 });
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.match(r.stdout, /## wsgi-perf-gate: /);
    assert.match(r.stdout, /\| Requests\/s \| [\d,]+ \| [\d,]+ \|/);
    assert.match(r.stderr, /verdict = (pass|inconclusive)/);
    assert.deepEqual(newServerProcesses(procs), []);
  });
});
