// Each counted request must find the server in the same state. A worker that has not yet gone
// back to waiting when the next connection arrives takes a shorter path (accept at once) than one
// that waits (accept fails, the worker sleeps in select, wakes, accepts). Which path a request
// takes depends on timing, and it changed the count per request of Flask's small endpoints by
// about 2% between windows (docs/instructions.md). Waiting until every thread of the worker
// processes sleeps before each counted request makes it the waiting path every time.
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../server/processTree.js';

/** States of every thread of a process ([] when it is gone). */
function threadStates(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => procStatFields(pid, Number(tid))[0]!);
  } catch {
    return [];
  }
}

/** Polls in a row that must all find every thread sleeping: one poll can land in a short blocking call mid-request. */
const QUIET_POLLS = 3;
const POLL_MS = 2;
/** How long to wait for the workers to sleep before giving up. */
export const IDLE_TIMEOUT_MS = 2_000;

/**
 * Resolves true once every thread of the processes has been sleeping (S) in QUIET_POLLS polls in
 * a row, or false after timeoutMs (the caller goes on: a server that never sleeps is counted as it is).
 */
export async function waitUntilIdle(pids: number[], timeoutMs = IDLE_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline) {
    const states = pids.flatMap(threadStates);
    quiet = states.length > 0 && states.every((s) => s === 'S') ? quiet + 1 : 0;
    if (quiet >= QUIET_POLLS) return true;
    await sleep(POLL_MS);
  }
  return false;
}
