// Shared by the benches that drive a server with autocannon directly (not through the product's
// pipeline): the load generator pinned to CPU 0 as the product places it, one trial on loopback,
// and the two summary figures they print.
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
/** Sample standard deviation. */
export const sd = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1));

/** This process (the load generator) on CPU 0; the server is started on CPU 1 with `taskset -c 1`. */
export function pinGeneratorToCpu0(): void {
  execFileSync('taskset', ['-c', '-p', '0', String(process.pid)]);
}

/** One trial against 127.0.0.1. autocannon runs whole seconds, so rates divide by `r.duration`. */
export function loopbackTrial(port: number, urlPath: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ url: `http://127.0.0.1:${port}${urlPath}`, connections, duration: seconds }, (e, r) => (e ? reject(e) : resolve(r))),
  );
}
