// Edge: HTTP/1.1 over a raw loopback socket, so a probe can send what a normal client will not
// (oversized headers, bodies that stop, headers one byte at a time) and see exactly how the
// server answered: a status, a closed or reset connection, or nothing before the deadline.
// Every socket is destroyed when the exchange ends; every exchange has a deadline.
import net from 'node:net';
import type { Exchange } from './types.js';

/** The body kept for inspection: enough for a debug page's tell-tale lines. */
const BODY_LIMIT = 256 * 1024;

export interface Endpoint {
  host: string;
  port: number;
}

export interface ExchangeOptions {
  timeoutMs: number;
  /** Body bytes to stream after the head (zeros), written as the socket drains. */
  bodyBytes?: number;
  /** Called with the count of body bytes written so far, when the exchange ends. */
  onSent?: (bytes: number) => void;
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseHead(buf: Buffer): Parsed | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

/** Sends `head` (the request line and headers, ending in an empty line) and reads one response. */
export function exchange(to: Endpoint, head: string, opts: ExchangeOptions): Promise<Exchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: to.host, port: to.port });
    let received = Buffer.alloc(0);
    let parsed: Parsed | undefined;
    let sent = 0;
    let done = false;
    const finish = (outcome: Exchange['outcome']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      opts.onSent?.(sent);
      const body = parsed ? received.subarray(parsed.bodyStart, parsed.bodyStart + BODY_LIMIT).toString('utf8') : '';
      resolve({
        status: parsed && Number.isFinite(parsed.status) ? parsed.status : undefined,
        headers: parsed?.headers ?? {},
        body,
        outcome: parsed ? 'response' : outcome,
        ms: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed'));
    socket.on('close', () => finish('closed'));
    socket.on('data', (chunk) => {
      if (received.length < BODY_LIMIT * 2) received = Buffer.concat([received, chunk]);
      parsed ??= parseHead(received);
      if (!parsed) return;
      const length = Number(parsed.headers['content-length']);
      const bodyBytes = received.length - parsed.bodyStart;
      const chunkedEnd = /chunked/i.test(parsed.headers['transfer-encoding'] ?? '') && received.subarray(-5).toString() === '0\r\n\r\n';
      if ((Number.isFinite(length) && bodyBytes >= length) || bodyBytes >= BODY_LIMIT || chunkedEnd) finish('response');
    });
    socket.on('connect', () => {
      socket.write(head);
      const total = opts.bodyBytes ?? 0;
      if (!total) return;
      // Zeros in 64 KiB slices, each written when the socket has room: stops as soon as the
      // server answers or closes, so a refusal is seen at the size where it happened.
      const slice = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (!done && !parsed && sent < total) {
          const n = Math.min(slice.length, total - sent);
          sent += n;
          if (!socket.write(n === slice.length ? slice : slice.subarray(0, n))) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

export function requestHead(method: string, path: string, host: string, extra: Record<string, string | number> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'User-Agent: wsgi-perf-gate-hardening', 'Connection: close'];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * Connections that send a request's headers one byte every `intervalMs` and never finish
 * (the headers are longer than the time allows): slowloris, opened in batches, bounded by `close()`.
 */
export function openSlowClients(to: Endpoint, intervalMs = 100): { open(n: number): void; count(): number; localPorts(): number[]; close(): void } {
  const head = requestHead('GET', '/', `${to.host}:${to.port}`, { 'X-Slow': 'x'.repeat(4096) }).slice(0, -2);
  const sockets: net.Socket[] = [];
  /** Bytes of the head each connection has sent. */
  const sent = new Map<net.Socket, number>();
  let closed = false;
  // One timer for all: each tick sends every connected socket its next byte.
  const timer = setInterval(() => {
    for (const s of sockets) {
      const at = sent.get(s) ?? 0;
      if (s.readyState === 'open' && at < head.length) {
        s.write(head[at]!);
        sent.set(s, at + 1);
      }
    }
  }, intervalMs);
  return {
    open(n) {
      for (let i = 0; i < n && !closed; i++) {
        const socket = net.connect({ host: to.host, port: to.port });
        socket.on('error', () => socket.destroy());
        sockets.push(socket);
      }
    },
    count: () => sockets.length,
    localPorts: () => sockets.map((s) => s.localPort).filter((p): p is number => p !== undefined),
    close() {
      closed = true;
      clearInterval(timer);
      for (const s of sockets) s.destroy();
    },
  };
}
