// Teardown of a server's process group: the signal the server expects, escalation to SIGKILL
// after a grace period, then a check that nothing of the tree is left. Used by the main step
// and, from saved state, by the post step.
import { isAlive, treePids } from './processTree.js';

export interface StopResult {
  /** The signal that ended the tree. */
  stoppedBy: NodeJS.Signals | 'already-exited';
  /** Pids still alive after SIGKILL (should be empty). */
  leftovers: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(pgid: number, pids: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
  // Processes that left the group (setsid) but are still in the tree get it too.
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitGone(pgid: number, pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = [pgid, ...pids].filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return [...new Set(alive)];
    await sleep(50);
  }
}

/** Stops the process group led by `pgid` (the server was spawned detached, so pid = pgid). */
export async function stopProcessGroup(pgid: number, signal: NodeJS.Signals, graceMs = 10_000): Promise<StopResult> {
  const pids = await treePids(pgid);
  if (pids.length === 0 && !isAlive(pgid)) return { stoppedBy: 'already-exited', leftovers: [] };
  signalGroup(pgid, pids, signal);
  if ((await waitGone(pgid, pids, graceMs)).length === 0) return { stoppedBy: signal, leftovers: [] };
  signalGroup(pgid, pids, 'SIGKILL');
  return { stoppedBy: 'SIGKILL', leftovers: await waitGone(pgid, pids, 5_000) };
}
