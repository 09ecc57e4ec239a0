// Server shoot-out: several setups of the Flask example measured in the same interleaved
// rounds and ranked with intervals; the same server twice is called tied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/types.js';
import { DIST, FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-shootout-'));
const QUICK = ['--python', PY, '--path', '/json', '--rounds', '5', '--duration-seconds', '1', '--warmup-seconds', '0.5', '--connections', '8', '--hardening', 'off'];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), ...args], { cwd: FLASK_DIR, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('server shoot-out', () => {
  let procs: ProcessInfo[];
  before(() => {
    procs = serverProcesses();
  });
  after(() => assert.deepEqual(newServerProcesses(procs), []));

  it('ranks gunicorn sync, gunicorn gthread, uWSGI and waitress with intervals against the fastest', () => {
    const json = path.join(dir, 'four.json');
    const r = cli(['shootout', '--app', 'app:app', '--servers', 'gunicorn,gunicorn-gthread,uwsgi,waitress', '--workers', '2', '--json', json, ...QUICK]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
    const standings = result.ranking![0]!.standings;
    assert.deepEqual(standings.map((s) => s.target).sort(), ['gunicorn', 'gunicorn-gthread', 'uwsgi', 'waitress']);
    assert.deepEqual(standings.map((s) => s.rank), [1, 2, 3, 4]);
    for (let i = 1; i < standings.length; i++) {
      const s = standings[i]!;
      assert.ok(s.rps <= standings[i - 1]!.rps, 'sorted by requests/s');
      assert.ok(s.vsFastest!.low <= s.vsFastest!.ratio && s.vsFastest!.ratio <= s.vsFastest!.high, JSON.stringify(s.vsFastest));
      assert.ok(s.memoryMiB! > 8 && s.p99Ms > 0);
    }
    // Every setup was measured in every round.
    for (const t of standings) assert.equal(result.samples.filter((x) => x.target === t.target).length, 5);
    assert.match(r.stdout, /## Server shoot-out/);
    assert.match(r.stdout, /\| # \| Setup \| Requests\/s \| vs fastest \| p99 \| Memory\/worker \| Errors \| Standing \|/);
    assert.match(r.stdout, new RegExp(`\\| 1 \\| ${standings[0]!.target} \\| [\\d,]+ \\| fastest \\|`));
    assert.match(r.stdout, /\| 2 \| [\w-]+ \| [\d,]+ \| 0\.\d\dx \(\d\.\d\d … \d\.\d\d\) \|/);
    assert.match(r.stdout, new RegExp(`On /json, ${standings[0]!.target} served the most requests/s`));
  });

  it('sweeps worker counts: a table, where throughput stops rising, the 2 x cores + 1 finding and a chart', () => {
    const json = path.join(dir, 'sweep.json');
    const r = cli(['shootout', '--app', 'app:app', '--server', 'gunicorn', '--sweep-workers', '1,3', '--json', json, ...QUICK]);
    assert.equal(r.code, 0, r.stderr);
    const sweep = (JSON.parse(readFileSync(json, 'utf8')) as RunResult).ranking![0]!.sweep!;
    assert.deepEqual(sweep.points.map((p) => p.workers), [1, 3]);
    assert.ok([1, 3].includes(sweep.plateauWorkers));
    assert.match(r.stdout, /\| gunicorn x1 \|/);
    assert.match(r.stdout, /Throughput stops rising at [13] workers?\. 2 x cores \+ 1 = \d+ workers/);
    assert.match(r.stdout, /```mermaid\nxychart-beta\n {2}title "Requests\/s by workers, gunicorn, \/json"\n {2}x-axis "workers" \[1, 3\]\n {2}y-axis "requests\/s"\n {2}bar \[\d+, \d+\]\n```/);
  });

  it('calls the same server twice tied', () => {
    const config = path.join(dir, 'twins.yml');
    writeFileSync(
      config,
      ['targets:', '  - { name: twin-a, server: gunicorn-gthread, app: "app:app", workers: 2 }', '  - { name: twin-b, server: gunicorn-gthread, app: "app:app", workers: 2 }'].join('\n'),
    );
    const json = path.join(dir, 'twins.json');
    const r = cli(['run', '--config', config, '--compare-to', 'none', '--json', json, ...QUICK]);
    assert.equal(r.code, 0, r.stderr);
    const [first, second] = (JSON.parse(readFileSync(json, 'utf8')) as RunResult).ranking![0]!.standings;
    assert.equal(second!.tiedWithFastest, true, JSON.stringify(second));
    assert.match(r.stdout, new RegExp(`\\| 2 \\| ${second!.target} \\| .* \\| tied \\(within noise\\) \\|`));
    assert.match(r.stdout, new RegExp(`On /json, ${first!.target} served the most requests/s \\([\\d,]+\\); ${second!.target} is tied with it`));
  });
});
