// The Python and server versions in the runner fingerprint, asked of the real programs a
// target's command runs (Debian's gunicorn, uWSGI and /usr/bin/python3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeTargetVersions } from '../src/store/targetVersions.js';
import { FLASK_DIR, PY } from './helpers/paths.js';

const pyVersion = execFileSync(PY, ['-c', 'import sys; print(".".join(map(str, sys.version_info[:3])))'], { encoding: 'utf8' }).trim();
const gunicornVersion = execFileSync('/usr/bin/gunicorn', ['--version'], { encoding: 'utf8' }).trim();
const target = (command: string, env: Record<string, string> = {}) => ({ command, workingDirectory: FLASK_DIR, env });

describe('target versions', () => {
  it('python -m gunicorn: the interpreter and the module', () => {
    const v = probeTargetVersions(target(`${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT`));
    assert.equal(v.python, pyVersion);
    assert.match(v.server, /^gunicorn .*\(version \d+\.\d+\.\d+\)$/);
  });

  it("a console script: its own --version, and the Python on its #! line", () => {
    const v = probeTargetVersions(target('FOO=1 exec gunicorn app:app -b 127.0.0.1:$PORT'));
    assert.deepEqual(v, { python: pyVersion, server: gunicornVersion });
  });

  it('uWSGI: its version line', () => {
    const v = probeTargetVersions(target('uwsgi --plugin python3 --http11-socket 127.0.0.1:$PORT --module app:app'));
    assert.equal(v.server, execFileSync('uwsgi', ['--version'], { encoding: 'utf8' }).trim());
  });

  it('a start script of its own is never run (it might start the server): named, its #! Python asked', () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-bin-'));
    const marker = path.join(bin, 'was-run');
    writeFileSync(path.join(bin, 'start-server'), `#!/usr/bin/env python3\nopen(${JSON.stringify(marker)}, "w").write("ran")\n`);
    chmodSync(path.join(bin, 'start-server'), 0o755);
    const v = probeTargetVersions(target('start-server --port $PORT', { PATH: `${bin}:${process.env.PATH}` }));
    assert.equal(v.server, 'start-server (version not asked)');
    assert.match(v.python, /^\d+\.\d+\.\d+$/);
    assert.equal(existsSync(marker), false, 'the script was not run');
    const m = probeTargetVersions(target(`${PY} -m myapp.serve --port $PORT`));
    assert.deepEqual(m, { python: pyVersion, server: 'python -m myapp.serve (version not asked)' });
  });

  it('a program that does not exist: unknown, not an error', () => {
    assert.equal(probeTargetVersions(target('no-such-server-xyz --bind x')).server, 'unknown');
  });
});
