// Edge: the kernel's view of the slow connections: the TCP tables and, per worker process, its
// thread count and the socket inodes it holds (Linux /proc; a process that is gone or not ours
// to read counts as holding nothing).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseTcpTable, type ProcessSockets, type TcpEntry } from './slowCoverage.js';

export function readTcpTables(): TcpEntry[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    try {
      return parseTcpTable(readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  });
}

export function readProcessSockets(pid: number): ProcessSockets {
  const socketInodes = new Set<number>();
  let threads = 1;
  try {
    threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 1);
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) socketInodes.add(Number(m[1]));
      } catch {
        // closed while we looked
      }
    }
  } catch {
    // gone
  }
  return { pid, threads, socketInodes };
}
