// The command line as a published package: packed with `npm pack`, installed in an empty
// directory outside the repository (no network: dist/ bundles every dependency), and run
// with `npx wsgi-perf-gate run ...` against a tiny app of its own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';

const TINY_APP = `def app(environ, start_response):
    body = b"tiny\\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`;

describe('the npm package', () => {
  let dir: string;
  let procs: ProcessInfo[];
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-package-'));
    procs = serverProcesses();
  });
  after(() => {
    assert.deepEqual(newServerProcesses(procs), []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs from its tarball and runs outside the repository with npx', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path).sort();
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/')), ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
    assert.ok(files.includes('dist/cli.js') && files.includes('dist/licenses.txt'), files.join(', '));

    const project = path.join(dir, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(path.join(project, 'package.json'), '{"name":"tiny","private":true}\n');
    writeFileSync(path.join(project, 'tiny.py'), TINY_APP);
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(dir, packed[0]!.filename)], { cwd: project, timeout: 120_000 });

    const out = path.join(project, 'out.json');
    const r = spawnSync(
      'npx',
      ['--no-install', 'wsgi-perf-gate', 'run', '--command', `${PY} -m gunicorn tiny:app --bind 127.0.0.1:$PORT --workers 2`, '--url', 'http://127.0.0.1:$PORT',
        '--rounds', '2', '--duration-seconds', '0.5', '--warmup-seconds', '0', '--connections', '2', '--compare-to', 'none', '--json', out],
      { cwd: project, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` } },
    );
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.match(r.stdout, /## wsgi-perf-gate: /);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { samples: unknown[]; verdict: string };
    assert.equal(doc.samples.length, 2);
    assert.equal(doc.verdict, 'pass'); // nothing to compare with (compare-to none): the run itself was clean
  });
});
