// The server's whole process tree (master and every forked worker): who is in it, how much
// memory and CPU it uses, whether it is still alive. Linux /proc through pidtree/pidusage.
import { readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import pidusage from 'pidusage';
import type { ServerUsage } from '../types.js';

/** Root and all descendants. */
export async function treePids(rootPid: number): Promise<number[]> {
  try {
    return await pidtree(rootPid, { root: true });
  } catch {
    return isAlive(rootPid) ? [rootPid] : [];
  }
}

/**
 * The fields of /proc/PID/stat after the command name, which is parenthesised and may itself
 * hold spaces: [0] is the state, [19] the start time. Throws when the process is gone.
 */
export function procStatFields(pid: number, tid?: number): string[] {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Alive means running or sleeping: a zombie has already exited. */
/** Leaves of the process tree: the workers (a master or a shell wrapper is a parent). */
export async function leafPids(rootPid: number): Promise<number[]> {
  const pids = await treePids(rootPid);
  const parents = new Set<number>();
  for (const pid of pids) {
    try {
      parents.add(Number(procStatFields(pid)[1]));
    } catch {
      // exited meanwhile
    }
  }
  return pids.filter((p) => !parents.has(p));
}

export function isAlive(pid: number): boolean {
  try {
    const state = procStatFields(pid)[0];
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Waits until the tree stops changing (bounded): a server answers as soon as its first
 * worker is up, while the others may still be forking, and a trial during which workers
 * appear does not count. Resolves with the pids of the settled tree.
 */
export async function waitForStableTree(rootPid: number, timeoutMs = 5_000, intervalMs = 250): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let previous = (await treePids(rootPid)).sort((a, b) => a - b).join(',');
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const pids = (await treePids(rootPid)).sort((a, b) => a - b);
    const now = pids.join(',');
    if (now === previous || Date.now() >= deadline) return pids;
    previous = now;
  }
}

export interface TreeSnapshot {
  pids: number[];
  usage: ServerUsage;
}

/** Memory and cumulative CPU of the tree; workers are its leaves (processes with no children). */
export async function snapshotTree(rootPid: number): Promise<TreeSnapshot | undefined> {
  let nodes: Array<{ pid: number; ppid: number }>;
  try {
    nodes = await pidtree(rootPid, { root: true, advanced: true });
  } catch {
    return undefined;
  }
  const pids = nodes.map((n) => n.pid);
  if (pids.length === 0) return undefined;
  let stats: Record<string, { memory: number; ctime: number }>;
  try {
    stats = await pidusage(pids);
  } catch {
    return undefined;
  }
  const parents = new Set(nodes.map((n) => n.ppid));
  const leaves = pids.filter((p) => !parents.has(p));
  const rss = (p: number) => stats[p]?.memory ?? 0;
  const rssBytesTotal = pids.reduce((sum, p) => sum + rss(p), 0);
  return {
    pids,
    usage: {
      processes: pids.length,
      rssBytesTotal,
      rssBytesPerWorker: leaves.length ? leaves.reduce((sum, p) => sum + rss(p), 0) / leaves.length : rssBytesTotal,
      cpuSeconds: pids.reduce((sum, p) => sum + (stats[p]?.ctime ?? 0), 0) / 1000,
    },
  };
}
