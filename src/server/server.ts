// Boots one target's server: free-port check, spawn in its own process group, readiness
// probe, liveness while measuring, teardown. The only place that spawns server processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { ServerError } from '../errors.js';
import { substitutePort } from '../config/loopback.js';
import type { Target } from '../types.js';
import { formatTail, readTail } from './logTail.js';
import { stopProcessGroup, type StopResult } from './stop.js';

export interface RunningServer {
  target: Target;
  pid: number;
  port: number;
  baseUrl: string;
  command: string;
  logFile: string;
  /** The last lines the server printed. */
  logTail(lines?: number): string;
  exitInfo(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(graceMs?: number): Promise<StopResult>;
}

export interface StartOptions {
  port: number;
  /** Where the server's stdout and stderr go; a temporary file when not given. */
  logFile?: string;
  /** CPUs to pin the server's whole process tree to (Linux taskset). */
  cpus?: number[];
  /** Called with the pid as soon as the process exists, so it can be saved for the post step. */
  onSpawn?: (pid: number, signal: NodeJS.Signals) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when something already accepts connections on host:port. */
export function isPortTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (taken: boolean) => {
      socket.destroy();
      resolve(taken);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port nothing listens on now, chosen by the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(target: Target, opts: StartOptions): Promise<RunningServer> {
  const baseUrl = substitutePort(target.url, opts.port);
  const { hostname } = new URL(baseUrl);
  const host = hostname.replace(/^\[|\]$/g, '');
  if (await isPortTaken(host, opts.port)) {
    throw new ServerError(
      `Target "${target.name}": port ${opts.port} on ${host} is already in use by another process, so the gate would measure ` +
        'that process instead of your server. Stop it, or use $PORT in `command` and `url` to get a free port.',
    );
  }
  const command = substitutePort(target.command, opts.port);
  const logFile = opts.logFile ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'perf-gate-')), 'server.log');
  const logFd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    // taskset execs the shell, so the pid is still the group leader; forked workers inherit the mask.
    const [file, args] = opts.cpus?.length
      ? ['taskset', ['-c', opts.cpus.join(','), '/bin/sh', '-c', command]]
      : ['/bin/sh', ['-c', command]];
    child = spawn(file, args as string[], {
      cwd: target.workingDirectory,
      env: { ...process.env, ...target.env, PORT: String(opts.port), PYTHONUNBUFFERED: '1' },
      // Own process group: teardown signals the group, which reaches every forked worker.
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } catch (err) {
    throw new ServerError(`Target "${target.name}": could not start \`${command}\`: ${(err as Error).message}`);
  } finally {
    closeSync(logFd);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  if (spawnError || child.pid === undefined) {
    throw new ServerError(`Target "${target.name}": could not start \`${command}\`: ${spawnError?.message ?? 'no pid'}`);
  }
  const pid = child.pid;
  opts.onSpawn?.(pid, target.stopSignal);
  return {
    target,
    pid,
    port: opts.port,
    baseUrl,
    command,
    logFile,
    logTail: (lines) => readTail(logFile, lines),
    exitInfo: () => exit,
    stop: (graceMs) => stopProcessGroup(pid, target.stopSignal, graceMs),
  };
}

function probe(url: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Polls the ready path until it answers below 500; fails early when the process exits. */
export async function waitUntilReady(server: RunningServer): Promise<{ seconds: number }> {
  const { target } = server;
  const url = new URL(target.readyPath, server.baseUrl).toString();
  const started = Date.now();
  const deadline = started + target.readyTimeoutSeconds * 1000;
  let lastStatus: number | undefined;
  while (Date.now() < deadline) {
    const exit = server.exitInfo();
    if (exit) {
      throw new ServerError(
        `Target "${target.name}": the server ${describeExit(exit)} before it answered on ${url}.\n` +
          `Command: ${server.command}\n${formatTail(server.logTail())}`,
      );
    }
    lastStatus = await probe(url, Math.min(2000, Math.max(1, deadline - Date.now())));
    if (lastStatus !== undefined && lastStatus < 500) return { seconds: (Date.now() - started) / 1000 };
    await sleep(100);
  }
  throw new ServerError(
    `Target "${target.name}": the server did not answer ${url} below 500 within ready-timeout-seconds (${target.readyTimeoutSeconds} s)` +
      `${lastStatus ? `; the last answer was ${lastStatus}` : '; nothing answered'}. Check that \`url\` matches the address it listens on.\n` +
      `Command: ${server.command}\n${formatTail(server.logTail())}`,
  );
}
