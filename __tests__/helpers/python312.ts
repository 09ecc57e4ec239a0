// CPython 3.12 for the tests that name Python functions (the perf trampoline is 3.12+): pyenv's
// 3.12.1 with a venv holding gunicorn and Django, made once and kept in the temp folder, keyed
// by the version (pip installs from the machine's wheel mirror).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PY312_VERSION = '3.12.1';
const PACKAGES = ['gunicorn', 'django'];

function pyenvRoot(): string {
  if (process.env.PYENV_ROOT) return process.env.PYENV_ROOT;
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim();
  } catch {
    return path.join(os.homedir(), '.pyenv');
  }
}

/** The venv's python, made on first use; throws with the install line when pyenv has no 3.12.1. */
export function python312(): string {
  const base = path.join(pyenvRoot(), 'versions', PY312_VERSION, 'bin', 'python');
  if (!existsSync(base)) {
    throw new Error(`CPython ${PY312_VERSION} is not installed under pyenv (${base}); install it with: pyenv install ${PY312_VERSION}`);
  }
  const venv = path.join(os.tmpdir(), `wsgi-perf-gate-venv-${PY312_VERSION}-${PACKAGES.join('-')}`);
  const python = path.join(venv, 'bin', 'python');
  if (existsSync(path.join(venv, 'ready'))) return python;
  // Built beside and renamed into place: a half-made venv is never taken for a ready one.
  const building = mkdtempSync(`${venv}.building-`);
  try {
    execFileSync(base, ['-m', 'venv', building], { stdio: 'inherit' });
    execFileSync(path.join(building, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', ...PACKAGES], { stdio: 'inherit', timeout: 300_000 });
    writeFileSync(path.join(building, 'ready'), `${PACKAGES.join(' ')}\n`);
    rmSync(venv, { recursive: true, force: true });
    renameSync(building, venv);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    throw err;
  }
  return python;
}
