// Off Linux the action refuses in its first second with one line that names the supported
// runners and what to use; the post step does nothing; the CLI's measuring commands refuse too.
// The platform is stubbed: the pure check directly, and dist/ run as a runner runs it with
// process.platform replaced before the bundle loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { platformRefusal } from '../src/action/platform.js';
import { DIST } from './helpers/paths.js';

const stubbed = (platform: string) => `data:text/javascript,Object.defineProperty(process,'platform',{value:'${platform}'})`;

function runAs(platform: string, file: string, args: string[] = []) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wpg-platform-'));
  const summary = path.join(tmp, 'summary.md');
  writeFileSync(summary, '');
  const outputs = path.join(tmp, 'outputs.txt');
  writeFileSync(outputs, '');
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', stubbed(platform), path.join(DIST, file), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: process.env.PATH,
      RUNNER_TEMP: tmp,
      GITHUB_WORKSPACE: tmp,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      // A server the main step could have started: the refusal must come before it.
      INPUT_COMMAND: 'python3 -m http.server $PORT',
      INPUT_URL: 'http://127.0.0.1:$PORT',
      'INPUT_COMPARE-TO': 'none',
      STATE_servers: JSON.stringify([{ pid: 999999, signal: 'SIGTERM', startTime: 1 }]),
    },
  });
  return { ...r, ms: performance.now() - started, tmp, outputs: readFileSync(outputs, 'utf8') };
}

describe('platformRefusal', () => {
  it('Linux runs', () => assert.equal(platformRefusal('linux'), undefined));
  for (const [platform, name] of [['darwin', 'macOS'], ['win32', 'Windows'], ['freebsd', 'freebsd']] as const) {
    it(`${name} is refused in one line naming the supported runners and what to use`, () => {
      const line = platformRefusal(platform)!;
      assert.doesNotMatch(line, /\n/);
      assert.match(line, new RegExp(`not on ${name}`));
      assert.match(line, /ubuntu-latest, ubuntu-24\.04, ubuntu-22\.04/);
      assert.match(line, /Run this job on ubuntu-latest/);
      assert.match(platformRefusal(platform, 'cli')!, /Run it on Linux.*`compare` works here/);
    });
  }
});

describe('dist on a stubbed platform', () => {
  for (const platform of ['darwin', 'win32']) {
    it(`main.js on ${platform} fails the step at once, before anything starts`, () => {
      const r = runAs(platform, 'main.js');
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, r.stdout);
      assert.match(lines[0]!, /^::error::wsgi-perf-gate runs on Linux runners .*Run this job on ubuntu-latest/);
      assert.ok(r.ms < 5_000, `${Math.round(r.ms)} ms`);
      assert.deepEqual(readdirSync(r.tmp).sort(), ['outputs.txt', 'summary.md'], 'no artifacts folder, no server');
      assert.match(r.outputs, /^verdict<<.*\r?\nerror\r?\n/, 'verdict is error');
    });
    it(`post.js on ${platform} does nothing and succeeds`, () => {
      const r = runAs(platform, 'post.js');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.outputs, '');
    });
  }
  it('the CLI refuses run but still compares on Windows', () => {
    const run = runAs('win32', 'cli.js', ['run', '--command', 'python3 -m http.server 8000']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^wsgi-perf-gate: measuring runs on Linux runners .*not on Windows/);
    const compare = runAs('win32', 'cli.js', ['compare', 'a.json', 'b.json']);
    assert.equal(compare.status, 2);
    assert.match(compare.stderr, /a\.json: cannot read a results file/, 'compare got past the platform check');
  });
});
