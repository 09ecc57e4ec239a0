// Edge: CPython's perf maps on disk. CPython 3.12 writes them to /tmp/perf-<pid>.map, a path it
// does not let us choose; the counted server's are read after the profiling window and removed
// when it stops.
import { readFileSync, rmSync } from 'node:fs';
import { PerfMap } from './perfMap.js';

export const perfMapPath = (pid: number) => `/tmp/perf-${pid}.map`;

/** The maps of these processes as one map; a later pid's lines win over an earlier's. */
export function readPerfMaps(pids: number[]): PerfMap {
  const texts = pids.map((pid) => {
    try {
      return readFileSync(perfMapPath(pid), 'utf8');
    } catch {
      return '';
    }
  });
  return new PerfMap(texts.join('\n'));
}

export function removePerfMaps(pids: number[]): void {
  for (const pid of new Set(pids)) rmSync(perfMapPath(pid), { force: true });
}
