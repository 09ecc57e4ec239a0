// Finds the server processes this test file started, so every test can assert that nothing of
// what it started is left behind, and nothing that another job on the machine runs (a helper's
// test, a developer's server) can make it fail.
//
// Ownership is inherited: importing this module gives this test process an environment
// variable with a value of its own, and every process it starts inherits it (the action, the
// CLI, the gate's `sh -c`, the server and its workers: the gate passes its environment on).
// A server started with a cleaned environment is still found by its working directory when
// the test names the directories it started servers in.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

const SERVER_PATTERN = /gunicorn|uwsgi|waitress|wsgiref|nginx|perfgate-test/;

export const OWNER_VARIABLE = 'PERFGATE_TEST_OWNER';
const OWNER = `${process.pid}-${randomUUID()}`;
process.env[OWNER_VARIABLE] = OWNER;

export interface ProcessInfo {
  pid: number;
  args: string;
}

/** True when the process was started by this test process (inherited marker) or runs in one of `dirs`. */
export function isOwned(pid: number | string, dirs: string[] = []): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    if (environ.includes(`${OWNER_VARIABLE}=${OWNER}`)) return true;
  } catch {
    // another user's process, or gone: not ours by environment
  }
  if (dirs.length === 0) return false;
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return dirs.some((d) => cwd === d || cwd.startsWith(path.resolve(d) + path.sep));
  } catch {
    return false;
  }
}

/** Live server processes this test started (see the top of this file). */
export function serverProcesses(dirs: string[] = []): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || !args) continue;
      if (SERVER_PATTERN.test(args) && isOwned(entry, dirs)) out.push({ pid: Number(entry), args });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Server processes of this test that appeared since `before` was taken. */
export function newServerProcesses(before: ProcessInfo[], dirs: string[] = []): ProcessInfo[] {
  const known = new Set(before.map((p) => p.pid));
  return serverProcesses(dirs).filter((p) => !known.has(p.pid));
}

/** Whether a process belongs to a run whose workspace is one of `workspaces`: its working
 * directory is inside one, or it inherited GITHUB_WORKSPACE from the action (a paired base
 * runs in a checkout elsewhere). Lets a leak check ignore other suites' servers. */
export function startedFor(workspaces: string[]): (p: ProcessInfo) => boolean {
  return (p) => {
    try {
      const cwd = readlinkSync(`/proc/${p.pid}/cwd`);
      const env = readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0');
      return workspaces.some((w) => cwd.startsWith(w) || env.includes(`GITHUB_WORKSPACE=${w}`));
    } catch {
      return false; // exited while we looked
    }
  };
}
