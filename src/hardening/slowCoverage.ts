// Pure: do the slow clients cover every thread of every process that accepts connections?
// The slow-client verdict must not depend on which worker the kernel hands a connection to, so
// the check keeps opening slow connections until each accepting process holds at least as many
// of them as it has threads (read from the kernel, not guessed), and only then sends the normal
// request. A thread-per-connection server is then saturated by construction, whatever the
// kernel's choices; a server that reads headers asynchronously, or a proxy in front, is not.

/** One socket of the kernel's TCP tables (/proc/net/tcp, /proc/net/tcp6). */
export interface TcpEntry {
  localPort: number;
  remotePort: number;
  /** 0A listening, 01 established, ... (the kernel's hex state). */
  state: string;
  /** 0 for a connection still in the accept queue: no process holds it yet. */
  inode: number;
}

/** The entries of /proc/net/tcp or /proc/net/tcp6 text (the header line is skipped). */
export function parseTcpTable(text: string): TcpEntry[] {
  const out: TcpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const port = (addr: string) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16);
    out.push({ localPort: port(f[1]!), remotePort: port(f[2]!), state: f[3]!, inode: Number(f[9]) });
  }
  return out;
}

export interface ProcessSockets {
  pid: number;
  /** Threads of the process now (/proc/PID/status): a gthread pool grows as it takes connections. */
  threads: number;
  /** Inodes of the sockets it holds open (/proc/PID/fd). */
  socketInodes: Set<number>;
}

export interface AcceptorHolding {
  pid: number;
  threads: number;
  /** Slow connections this process has accepted. */
  held: number;
}

export interface SlowCoverage {
  /** Worker processes holding the listening socket: the ones the kernel may hand a connection to. */
  acceptors: AcceptorHolding[];
  /** Slow connections some process has accepted. */
  accepted: number;
  /** Every acceptor holds at least as many slow connections as it has threads. */
  covered: boolean;
  /** No worker holds the listening socket: something in front (nginx, a router) accepts. */
  fronted: boolean;
}

/**
 * How the slow connections (`clientPorts`, to `serverPort`) are spread over the worker processes.
 * A worker holding the listening socket accepts; the server's master holds it too but is not a
 * worker (only leaves of the process tree are passed in).
 */
export function slowCoverage(table: TcpEntry[], serverPort: number, clientPorts: number[], workers: ProcessSockets[]): SlowCoverage {
  const listening = new Set(table.filter((e) => e.localPort === serverPort && e.state === '0A').map((e) => e.inode));
  const ports = new Set(clientPorts);
  const slow = table.filter((e) => e.localPort === serverPort && ports.has(e.remotePort) && e.inode !== 0);
  const acceptors = workers
    .filter((w) => [...listening].some((i) => w.socketInodes.has(i)))
    .map((w) => ({ pid: w.pid, threads: w.threads, held: slow.filter((e) => w.socketInodes.has(e.inode)).length }));
  return {
    acceptors,
    accepted: slow.length,
    covered: acceptors.length > 0 && acceptors.every((a) => a.held >= a.threads),
    fronted: acceptors.length === 0,
  };
}

/** The coverage in words, for the row's evidence. */
export function describeCoverage(c: SlowCoverage, opened: number): string {
  if (c.fronted) return `${opened} slow connections; no worker of the WSGI server holds the listening socket, so what is in front of it (a proxy or router) took them`;
  const each = c.acceptors.map((a) => `${a.held}/${a.threads}`).join(', ');
  return (
    `${opened} slow connections; held per accepting process (slow connections/threads): ${each}` +
    (c.covered ? ': every thread could be holding one' : ': not every thread was reached within the bound')
  );
}
