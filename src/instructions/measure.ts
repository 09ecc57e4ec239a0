// Counts the instructions a server executes per request: boots the target under Callgrind with
// instrumentation off (boot runs ~3x faster so), sends uncounted warm-up requests, switches
// instrumentation on in the worker processes only and zeroes them, then for each window sends N
// requests one at a time and dumps (a dump also zeroes). Each dump holds exactly its window's
// requests: no boot, no shutdown, no master process. Python's cyclic garbage collector is off in
// the counted server (pythonStartup.ts), and each counted request waits until the workers are
// idle (idleWorkers.ts). Measured spread: docs/instructions.md.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GateError } from '../errors.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../server/server.js';
import { leafPids, treePids, waitForStableTree } from '../server/processTree.js';
import { explicitPort } from '../config/loopback.js';
import { formatTail } from '../server/logTail.js';
import { dumpTotal } from './callgrindOutput.js';
import { parseCallgrind } from './callgrindGraph.js';
import { buildProfile } from './profile.js';
import { readPerfMaps, removePerfMaps } from './perfMapFiles.js';
import { pythonVersionOf } from './pythonVersion.js';
import { NO_CYCLIC_GC_SITECUSTOMIZE } from './pythonStartup.js';
import { pythonPathWithStartup } from '../server/pythonSitecustomize.js';
import { IDLE_TIMEOUT_MS, waitUntilIdle } from './idleWorkers.js';
import { PY312_WARMUP_FACTOR, warmupRequestsFor } from './warmup.js';
import type { InstructionsMeasurement, Scenario, Target } from '../types.js';

const run = promisify(execFile);

/** Counting failed: the server could not run under Valgrind, or answered badly. */
export class InstructionsError extends GateError {}

export interface CountOptions {
  target: Target;
  /** The command to run under Valgrind (one worker; see singleWorker.ts). */
  command: string;
  scenario: Scenario;
  warmupRequests: number;
  windows: number;
  /** A number, or 'auto': as many as fit in windowSeconds, judged by the time of one counted request (5-50). */
  requestsPerWindow: number | 'auto';
  /** Keep this many functions of the first window's profile (0: no profile). */
  profileFunctions: number;
  /** Run Python with its perf trampoline (PYTHONPERFSUPPORT=1, CPython 3.12+), so that the profile names Python functions. It changes the count itself: a profiling pass, not a counting one. */
  perfTrampoline?: boolean;
  /** The server's repository and working directory: their Python files are the app's own. */
  appRoots?: string[];
  /** The line of an app function's definition (see definitionLine.ts). */
  lineOf?: (file: string, qualname: string) => number | undefined;
  /** Leave Python's cyclic garbage collector on in the counted server (default off: pythonStartup.ts). */
  cyclicGc?: boolean;
  /** Raise the warm-up on CPython 3.12+ (default true: warmup.ts); false sends exactly warmupRequests (the bench's "before"). */
  pythonWarmup?: boolean;
  /** Start each counted request only when the workers are idle (default true: idleWorkers.ts). */
  awaitIdle?: boolean;
  /** PATH to find valgrind, callgrind_control and callgrind_annotate on. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;


function request(baseUrl: string, scenario: Scenario, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(scenario.path, baseUrl),
      { method: scenario.method, headers: { ...scenario.headers, ...(scenario.body ? { 'content-length': Buffer.byteLength(scenario.body) } : {}) }, agent, timeout: 120_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 120 s under Valgrind')));
    req.on('error', reject);
    req.end(scenario.body);
  });
}

/** Seconds one window may take with requests-per-window: auto (3 windows: ~18 s of counting). */
export const WINDOW_SECONDS = 6;

/** Requests per window that fit in WINDOW_SECONDS, in coarse steps so that two runs of the same code choose alike. */
export function autoRequestsPerWindow(secondsPerRequest: number): number {
  const fit = WINDOW_SECONDS / Math.max(secondsPerRequest, 1e-3);
  return [50, 20, 10].find((n) => n <= fit) ?? 5;
}

function ok(scenario: Scenario, status: number): boolean {
  return scenario.expectStatus !== undefined ? status === scenario.expectStatus : status >= 200 && status < 400;
}

export async function countInstructions(opts: CountOptions): Promise<InstructionsMeasurement> {
  const started = Date.now();
  const { target, scenario } = opts;
  const env = opts.env ?? process.env;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-callgrind-'));
  const valgrind =
    `valgrind --tool=callgrind --instr-atstart=no --trace-children=yes ` +
    `--callgrind-out-file=${dir}/callgrind.%p --log-file=${dir}/valgrind.%p.log /bin/sh -c ${shellQuote(opts.command)}`;
  const cyclicGc = opts.cyclicGc ?? false;
  const startupDir = path.join(dir, 'python-startup');
  if (!cyclicGc) {
    mkdirSync(startupDir);
    writeFileSync(path.join(startupDir, 'sitecustomize.py'), NO_CYCLIC_GC_SITECUSTOMIZE);
  }
  const pythonPath = target.env.PYTHONPATH ?? process.env.PYTHONPATH;
  const counted: Target = {
    ...target,
    name: `${target.name} (under Valgrind)`,
    command: valgrind,
    env: {
      ...target.env,
      PATH: env.PATH ?? '',
      PYTHONHASHSEED: '0',
      ...(opts.perfTrampoline ? { PYTHONPERFSUPPORT: '1' } : {}),
      ...(cyclicGc ? {} : { PYTHONPATH: pythonPathWithStartup(startupDir, pythonPath) }),
    },
    // Booting is 2-5x slower under Valgrind even uninstrumented.
    readyTimeoutSeconds: Math.max(120, target.readyTimeoutSeconds * 3),
  };
  const port = explicitPort(target.url) ?? (await freePort());
  let server: RunningServer | undefined;
  let workers: number[] = [];
  const control = (args: string[]) => run('callgrind_control', args, { env, timeout: 60_000 });
  try {
    server = await startServer(counted, { port, logFile: path.join(dir, 'server.log') });
    await waitUntilReady(server);
    await waitForStableTree(server.pid);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // Counted requests start only when the workers wait for one (idleWorkers.ts). Workers that
    // never all sleep (a busy background thread) are not waited for again: 2 s per request would add up.
    let idleFor: number[] = [];
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        if (idleFor.length && !(await waitUntilIdle(idleFor))) {
          idleFor = [];
          opts.log?.(`Target "${target.name}": the workers were not idle within ${IDLE_TIMEOUT_MS / 1000} s of the last answer; the rest of the requests are sent back to back, and their counts may spread more.`);
        }
        const status = await request(server!.baseUrl, scenario, agent);
        if (!ok(scenario, status)) {
          throw new InstructionsError(`Scenario "${scenario.name}": ${scenario.method} ${scenario.path} answered ${status} under Valgrind; instructions of failing requests are not counted.`);
        }
      }
    };
    await send(opts.warmupRequests);
    workers = await leafPids(server.pid);
    if (!workers.length) throw new InstructionsError(`Target "${target.name}": no worker process found under Valgrind.`);
    const python = pythonVersionOf(workers[0]!);
    const warmupRequests = (opts.pythonWarmup ?? true) ? warmupRequestsFor(opts.warmupRequests, python) : opts.warmupRequests;
    if (warmupRequests > opts.warmupRequests) {
      opts.log?.(`Target "${target.name}": CPython ${python}: ${warmupRequests} warm-up requests (${PY312_WARMUP_FACTOR} x ${opts.warmupRequests}); its specialising interpreter changes the count of a request for ~90 requests.`);
      await send(warmupRequests - opts.warmupRequests);
    }
    if (workers.length > 1) {
      opts.log?.(
        `Target "${target.name}": ${workers.length} worker processes under Valgrind, counted together; every idle worker a new connection wakes adds to the count and its spread. ` +
          'Give a one-worker command in the config file (instructions: command) if this server is not gunicorn, uWSGI or waitress.',
      );
    }
    for (const pid of workers) {
      try {
        await control(['-i', 'on', String(pid)]);
      } catch (err) {
        throw new InstructionsError(
          `Target "${target.name}": Callgrind could not be switched on in worker ${pid} (${(err as Error).message.split('\n')[0]}); ` +
            'the server may run a program Valgrind does not trace. Give a single-worker Python command in the config file (instructions: command).',
        );
      }
    }
    if (opts.awaitIdle ?? true) idleFor = workers;
    // One request with instrumentation on settles Callgrind's own state (and times one counted
    // request for requests-per-window: auto), then counting starts.
    const t0 = Date.now();
    await send(1);
    const requestsPerWindow = opts.requestsPerWindow === 'auto' ? autoRequestsPerWindow((Date.now() - t0) / 1000) : opts.requestsPerWindow;
    for (const pid of workers) await control(['-z', String(pid)]);
    const perRequest: number[] = [];
    let profileFile: { file: string; pid: number } | undefined;
    for (let w = 1; w <= opts.windows; w++) {
      await send(requestsPerWindow);
      let total = 0;
      let largest = -1;
      for (const pid of workers) {
        await control(['-d', String(pid)]);
        const file = path.join(dir, `callgrind.${pid}.${w}`);
        const count = dumpTotal(readFileSync(file, 'utf8'));
        if (count === undefined) throw new InstructionsError(`Callgrind dump ${file} has no total.`);
        total += count;
        if (w === 1 && count > largest) {
          largest = count;
          profileFile = { file, pid };
        }
      }
      perRequest.push(total / requestsPerWindow);
      opts.log?.(`Instructions per request, ${target.name} / ${scenario.name}, window ${w}: ${(total / requestsPerWindow / 1e6).toFixed(4)}M`);
    }
    let profile: ReturnType<typeof buildProfile> | undefined;
    if (opts.profileFunctions > 0 && profileFile) {
      // The worker's map last: it names what the worker ran; its parents' name what they ran before the fork.
      const perfMap = opts.perfTrampoline ? readPerfMaps([...(await treePids(server.pid)).filter((p) => p !== profileFile!.pid), profileFile.pid]) : undefined;
      profile = buildProfile(parseCallgrind(readFileSync(profileFile.file, 'utf8')), {
        requests: requestsPerWindow,
        perfMap,
        appRoots: opts.appRoots ?? [target.workingDirectory],
        limit: opts.profileFunctions,
        lineOf: opts.lineOf,
      });
      if (opts.perfTrampoline && profile.names !== 'python') {
        opts.log?.(`Target "${target.name}": no Python function was named (the perf map /tmp/perf-${profileFile.pid}.map ${perfMap?.size ? 'names none of the code Callgrind saw' : 'is missing or empty'}); the profile lists native functions.`);
      }
    }
    agent.destroy();
    const peakRssMiB = Math.max(0, ...(await treePids(server.pid)).map(peakRssKiB)) / 1024;
    return {
      target: target.name,
      scenario: scenario.name,
      perRequest,
      requestsPerWindow,
      warmupRequests,
      counting: { cyclicGc, idleFirst: idleFor.length > 0 },
      seconds: (Date.now() - started) / 1000,
      peakRssMiB: Math.round(peakRssMiB),
      profile: profile?.rows,
      profileNames: profile?.names,
      python,
    };
  } catch (err) {
    if (err instanceof InstructionsError || !server) throw err;
    throw new InstructionsError(`Target "${target.name}" under Valgrind: ${(err as Error).message.split('\n')[0]}\n${formatTail(server.logTail())}${valgrindLogTail(dir)}`);
  } finally {
    await server?.stop(10_000);
    // Python wrote /tmp/perf-<pid>.map for each process it ran in (the trampoline pass only): every
    // process Callgrind traced left its callgrind.<pid> file here.
    if (opts.perfTrampoline) removePerfMaps([...workers, ...tracedPids(dir)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pids of the processes Callgrind traced (callgrind.<pid>[.<dump>] files). */
function tracedPids(dir: string): number[] {
  try {
    return [...new Set(readdirSync(dir).flatMap((f) => /^callgrind\.(\d+)/.exec(f)?.[1] ?? []).map(Number))];
  } catch {
    return [];
  }
}

/** VmHWM of a process in KiB (0 when it is gone). */
function peakRssKiB(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function valgrindLogTail(dir: string): string {
  try {
    const logs = readdirSync(dir).filter((f) => f.startsWith('valgrind.'));
    return logs.map((f) => `\n${f}:\n${readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-8).join('\n')}`).join('');
  } catch {
    return '';
  }
}
