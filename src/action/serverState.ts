// Servers the main step started, handed to the post step through GITHUB_STATE so that a
// main step that dies (cancelled, killed, crashed) never leaves a server running.
import { procStatFields } from '../server/processTree.js';

export interface SavedServer {
  pid: number;
  signal: NodeJS.Signals;
  /** Kernel start time of the process (/proc/PID/stat field 22): guards against pid reuse. */
  startTime?: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    return procStatFields(pid)[19];
  } catch {
    return undefined;
  }
}

export function parseSavedServers(text: string): SavedServer[] {
  if (!text.trim()) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((s): s is SavedServer => typeof s?.pid === 'number' && typeof s?.signal === 'string') : [];
  } catch {
    return [];
  }
}

/** True when pid still names the process that was saved, not a stranger that reused it. */
export function isSameProcess(saved: SavedServer): boolean {
  const now = processStartTime(saved.pid);
  return now !== undefined && (saved.startTime === undefined || saved.startTime === now);
}
