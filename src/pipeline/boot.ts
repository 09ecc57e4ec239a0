// Edges of a measurement: booting a target on loopback (behind nginx when its config says so)
// and the real load generator and process sampling the scheduler runs trials with.
import { runTrial } from '../load/trial.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../server/server.js';
import { bootBehindNginx } from '../server/nginxProxy.js';
import { snapshotTree, waitForStableTree } from '../server/processTree.js';
import { explicitPort } from '../config/loopback.js';
import type { Logger, RunEdges } from './executePlan.js';
import type { Target } from '../types.js';

export interface BootHooks {
  log: Logger;
  /** CPUs for the servers, when the generator was pinned to others. */
  serverCpus?: number[];
  logDir?: string;
  /** Added to the server log names, e.g. "-confirmation" (so the second measurement keeps the first's logs). */
  logSuffix?: string;
  onSpawn?: (pid: number, signal: NodeJS.Signals) => void;
}

/** Boots one target and waits until it answers (behind nginx when its config says so). */
export async function bootTarget(target: Target, hooks: BootHooks): Promise<RunningServer> {
  const logFile = (name: string) => (hooks.logDir ? `${hooks.logDir}/server-${name.replace(/[^\w.-]/g, '_')}${hooks.logSuffix ?? ''}.log` : undefined);
  const bootDirect = async (t: Target, port: number): Promise<RunningServer> => {
    const server = await startServer(t, { port, cpus: hooks.serverCpus, onSpawn: hooks.onSpawn, logFile: logFile(t.name) });
    try {
      const { seconds } = await waitUntilReady(server);
      await waitForStableTree(server.pid);
      hooks.log.info(`Target "${t.name}" answered on ${server.baseUrl}${t.readyPath} after ${seconds.toFixed(1)} s (pid ${server.pid})`);
      return server;
    } catch (err) {
      await server.stop(5_000);
      throw err;
    }
  };
  const port = explicitPort(target.url) ?? (await freePort());
  if (!target.proxy) return bootDirect(target, port);
  const server = await bootBehindNginx(target, {
    frontPort: port,
    backendPort: await freePort(),
    dir: hooks.logDir ? `${hooks.logDir}/nginx-${target.name.replace(/[^\w.-]/g, '_')}-${port}` : undefined,
    cpus: hooks.serverCpus,
    onSpawn: hooks.onSpawn,
    bootBackend: bootDirect,
  });
  hooks.log.info(`Target "${target.name}" answers through nginx on ${server.baseUrl}`);
  return server;
}

/** The real edges: servers on loopback, autocannon, /proc sampling. */
export function realEdges(hooks: BootHooks): RunEdges {
  return {
    log: hooks.log,
    runTrial,
    snapshot: snapshotTree,
    boot: (target) => bootTarget(target, hooks),
  };
}
