// Edge: the hardening checks of several targets, each on a freshly booted server (the slow
// clients and oversized requests must not touch the servers that were measured), torn down
// before the next. A target that cannot be booted gets a row that says so instead of checks.
import { errorMessage } from '../errors.js';
import { isLoopbackHost, substitutePort } from '../config/loopback.js';
import type { Target } from '../types.js';
import type { RunningServer } from '../server/server.js';
import { runChecks } from './runChecks.js';
import type { HardeningSettings, TargetHardening } from './types.js';

export interface HardenEdges {
  boot(target: Target): Promise<RunningServer>;
  log: { info(m: string): void; warning(m: string): void };
}

export async function hardenTargets(targets: Target[], settings: HardeningSettings, edges: HardenEdges): Promise<TargetHardening[]> {
  const ci = !!(process.env.GITHUB_ACTIONS || process.env.CI);
  const out: TargetHardening[] = [];
  for (const target of targets) {
    const topology = target.proxy ? 'nginx' : 'direct';
    // allow-remote lets load go elsewhere; slow clients and oversized requests never do.
    if (!isLoopbackHost(new URL(substitutePort(target.url, 1)).hostname)) {
      out.push({ target: target.name, topology, checks: [], sent: [`Nothing: ${target.url} is not a loopback address, and the hardening checks only run on loopback.`], seconds: 0 });
      continue;
    }
    let server: RunningServer;
    try {
      server = await edges.boot(target);
    } catch (err) {
      edges.log.warning(`Hardening checks of "${target.name}" did not run: its server did not boot (${errorMessage(err).split('\n')[0]}).`);
      out.push({ target: target.name, topology, checks: [], sent: [`Nothing: the server did not boot (${errorMessage(err).split('\n')[0]}).`], seconds: 0 });
      continue;
    }
    try {
      const result = await runChecks(
        { target: target.name, baseUrl: server.baseUrl, readyPath: target.readyPath, serverPid: server.pid, workers: target.preset?.workers, topology },
        settings,
        { ci },
      );
      edges.log.info(`Hardening checks of "${target.name}" took ${result.seconds.toFixed(1)} s: ${result.checks.map((c) => `${c.id} ${c.status}`).join(', ')}.`);
      out.push(result);
    } finally {
      await server.stop(5_000);
    }
  }
  return out;
}
