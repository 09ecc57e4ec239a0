// Scans the process table for server processes, so every test can assert that nothing of
// what it started is left behind.
import { readdirSync, readFileSync } from 'node:fs';

const SERVER_PATTERN = /gunicorn|uwsgi|waitress|wsgiref|nginx|perfgate-test/;

export interface ProcessInfo {
  pid: number;
  args: string;
}

export function serverProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || !args) continue;
      if (SERVER_PATTERN.test(args)) out.push({ pid: Number(entry), args });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Server processes that appeared since `before` was taken. */
export function newServerProcesses(before: ProcessInfo[]): ProcessInfo[] {
  const known = new Set(before.map((p) => p.pid));
  return serverProcesses().filter((p) => !known.has(p.pid));
}
