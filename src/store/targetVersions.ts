// Edge: which Python and which server version a target's command runs, asked of the programs
// themselves in the target's working directory (with its env), so the answer is the one the
// server will really use (a virtualenv on PATH, a pinned interpreter, a gunicorn script's shebang).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { Target } from '../types.js';

const PY_VERSION = 'import sys; print(".".join(map(str, sys.version_info[:3])))';

// Only servers known to print their version and exit are asked: `--version` given to an
// unknown program (a start script, the team's own module) might start the server itself.
const KNOWN_PROGRAMS = /^(gunicorn|uwsgi|waitress-serve|uvicorn|hypercorn|granian|daphne|mod_wsgi-express)$/;
const KNOWN_MODULES = /^(gunicorn|uvicorn|hypercorn|granian|daphne)$/;

function ask(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    const out = execFileSync(file, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
    return firstLine(out);
  } catch (err) {
    // Some servers print their version on stderr or exit non-zero after printing it.
    const e = err as { stdout?: string; stderr?: string };
    return firstLine(`${e.stdout ?? ''}`) ?? firstLine(`${e.stderr ?? ''}`);
  }
}

function firstLine(s: string): string | undefined {
  const line = s.split('\n').map((l) => l.trim()).find(Boolean);
  return line ? line.slice(0, 120) : undefined;
}

function which(name: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (name.includes('/')) return path.resolve(cwd, name);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const full = path.join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The interpreter named on a script's `#!` line, when it is a Python. */
function shebangPython(file: string): string[] | undefined {
  try {
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, 256, 0);
    closeSync(fd);
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(buf.subarray(0, n).toString('utf8').split('\n')[0]!);
    if (!m) return undefined;
    // "#!/usr/bin/env python3" names the interpreter in its second word.
    const words = path.basename(m[1]!) === 'env' && m[2] ? [m[2]] : [m[1]!];
    return /python/.test(path.basename(words[0]!)) ? words : undefined;
  } catch {
    return undefined;
  }
}

/** The command's words, skipping leading VAR=value assignments and `exec`. */
function commandWords(command: string): string[] {
  const words = command.trim().split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, ''));
  while (words.length && (/^\w+=/.test(words[0]!) || words[0] === 'exec')) words.shift();
  return words;
}

export interface TargetVersions {
  python: string;
  server: string;
}

export function probeTargetVersions(target: Pick<Target, 'command' | 'workingDirectory' | 'env'>): TargetVersions {
  const env = { ...process.env, ...target.env };
  const cwd = target.workingDirectory;
  const words = commandWords(target.command);
  const program = words[0];
  if (!program) return { python: 'unknown', server: 'unknown' };
  const resolved = which(program, env, cwd);
  if (/^python[\d.]*$/.test(path.basename(program))) {
    // `python -m gunicorn ...`: the interpreter is the program; the server is the module.
    const python = ask(program, ['-c', PY_VERSION], cwd, env) ?? 'unknown';
    const m = words.indexOf('-m');
    const module = m >= 0 ? words[m + 1] : undefined;
    const server = !module
      ? 'python script'
      : KNOWN_MODULES.test(module)
        ? `${module} ${ask(program, ['-m', module, '--version'], cwd, env) ?? 'unknown'}`
        : `python -m ${module} (version not asked)`;
    return { python, server };
  }
  const name = path.basename(program);
  const server = !resolved ? 'unknown' : KNOWN_PROGRAMS.test(name) ? (ask(resolved, ['--version'], cwd, env) ?? 'unknown') : `${name} (version not asked)`;
  // A console script (gunicorn, waitress-serve) names its interpreter on the #! line;
  // otherwise the python3 on the target's PATH is the best guess.
  const interpreter = (resolved && shebangPython(resolved)) ?? ['python3'];
  const python = ask(interpreter[0]!, ['-c', PY_VERSION], cwd, env) ?? 'unknown';
  return { python, server };
}
