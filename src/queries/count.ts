// The queries pass's edge: boots the target with the hook (pythonHook.ts) first on PYTHONPATH, one
// worker serving one request at a time (singleWorker.ts: a worker's first-request setup lands in
// the warm-up, not in the count), sends uncounted warm-up requests one at a time, reads the hook's
// files, sends the counted requests one at a time, waits until the worker is idle (work after the
// answer, e.g. Django's request_finished, belongs to the request), reads the files again and counts
// the difference (counts.ts). Its own short boot after the wall-clock trials: those never carry the hook.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { GateError } from '../errors.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../server/server.js';
import { leafPids, waitForStableTree } from '../server/processTree.js';
import { explicitPort } from '../config/loopback.js';
import { formatTail } from '../server/logTail.js';
import { waitUntilIdle } from '../instructions/idleWorkers.js';
import { countsBetween, parseHookFile, type HookFile } from './counts.js';
import { QUERIES_DIR_ENV, QUERIES_SITECUSTOMIZE } from './pythonHook.js';
import { pythonPathWithStartup } from '../server/pythonSitecustomize.js';
import type { QueriesMeasurement, Scenario, Target } from '../types.js';

/** Counting failed: the server did not boot, or a request failed. */
export class QueriesError extends GateError {}

export interface CountQueriesOptions {
  target: Target;
  /** The command to count (one worker: see instructions/singleWorker.ts). */
  command: string;
  scenario: Scenario;
  warmupRequests: number;
  requests: number;
}

/** Seconds one request may take while counting. */
const REQUEST_TIMEOUT_MS = 60_000;

function send(baseUrl: string, scenario: Scenario, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(scenario.path, baseUrl),
      { method: scenario.method, headers: { ...scenario.headers, ...(scenario.body ? { 'content-length': Buffer.byteLength(scenario.body) } : {}) }, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(scenario.body);
  });
}

function ok(scenario: Scenario, status: number): boolean {
  return scenario.expectStatus !== undefined ? status === scenario.expectStatus : status >= 200 && status < 400;
}

/** Every worker's file, by pid (a file being replaced is read on the next try). */
function readFiles(dir: string): Map<number, HookFile> {
  const out = new Map<number, HookFile>();
  for (const name of readdirSync(dir)) {
    const m = /^queries\.(\d+)\.json$/.exec(name);
    if (!m) continue;
    const file = parseHookFile(readFileSync(path.join(dir, name), 'utf8'));
    if (file) out.set(Number(m[1]), file);
  }
  return out;
}


export async function countQueries(opts: CountQueriesOptions): Promise<QueriesMeasurement> {
  const started = Date.now();
  const { target, scenario } = opts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-queries-'));
  const startupDir = path.join(dir, 'python-startup');
  const countsDir = path.join(dir, 'counts');
  mkdirSync(startupDir);
  mkdirSync(countsDir, { mode: 0o700 });
  writeFileSync(path.join(startupDir, 'sitecustomize.py'), QUERIES_SITECUSTOMIZE);
  const counted: Target = {
    ...target,
    name: `${target.name} (counting queries)`,
    command: opts.command,
    env: { ...target.env, [QUERIES_DIR_ENV]: countsDir, PYTHONPATH: pythonPathWithStartup(startupDir, target.env.PYTHONPATH ?? process.env.PYTHONPATH) },
  };
  const port = explicitPort(target.url) ?? (await freePort());
  let server: RunningServer | undefined;
  try {
    server = await startServer(counted, { port, logFile: path.join(dir, 'server.log') });
    await waitUntilReady(server);
    await waitForStableTree(server.pid);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const run = async (n: number, what: string) => {
      for (let i = 0; i < n; i++) {
        const status = await send(server!.baseUrl, scenario, agent);
        if (!ok(scenario, status)) {
          throw new QueriesError(
            `Scenario "${scenario.name}": ${scenario.method} ${scenario.path} answered ${status} to ${what} request ${i + 1} while counting queries; queries of failing requests are not counted.`,
          );
        }
      }
    };
    await run(opts.warmupRequests, 'warm-up');
    const workers = await leafPids(server.pid);
    await waitUntilIdle(workers);
    const before = readFiles(countsDir);
    await run(opts.requests, 'counted');
    await waitUntilIdle(workers);
    const after = readFiles(countsDir);
    agent.destroy();
    if (!after.size) {
      throw new QueriesError(`Target "${target.name}": the query counter did not start in the server (no count file): is it a Python server that reads PYTHONPATH?`);
    }
    return { target: target.name, scenario: scenario.name, warmupRequests: opts.warmupRequests, requests: opts.requests, ...countsBetween(before, after, opts.requests), seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    if (err instanceof QueriesError || !server) throw err;
    throw new QueriesError(`Target "${target.name}" while counting queries: ${(err as Error).message.split('\n')[0]}\n${formatTail(server.logTail())}`);
  } finally {
    await server?.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}
