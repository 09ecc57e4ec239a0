// Executes a plan: boots every target, warms each up, runs the interleaved trials, and
// always tears every server down. Edges (server start, load, process sampling, log) are
// passed in so the scheduler itself holds no I/O of its own.
import { ServerError, errorMessage } from '../errors.js';
import type { LoadResult, TrialRequest } from '../load/trial.js';
import type { RunningServer } from '../server/server.js';
import type { TreeSnapshot } from '../server/processTree.js';
import { formatTail } from '../server/logTail.js';
import { describeExit } from '../server/server.js';
import type { Sample, Scenario, Target, Trial } from '../types.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface RunEdges {
  /** Boots a target and resolves once it answers on its ready path. */
  boot(target: Target): Promise<RunningServer>;
  runTrial(req: TrialRequest): Promise<LoadResult>;
  snapshot(pid: number): Promise<TreeSnapshot | undefined>;
  log: Logger;
}

export interface RunPlan {
  targets: Target[];
  scenarios: Scenario[];
  trials: Trial[];
  warmupSeconds: number;
}

function assertAlive(server: RunningServer, when: string): void {
  const exit = server.exitInfo();
  if (exit) {
    throw new ServerError(
      `Target "${server.target.name}": the server ${describeExit(exit)} ${when}; the measurement is void.\n` +
        `Command: ${server.command}\n${formatTail(server.logTail())}`,
    );
  }
}

/** Pure: why a trial cannot count when the server's process tree changed under load. */
export function describeTreeChange(before: number[], after: number[]): string | undefined {
  const was = new Set(before);
  const now = new Set(after);
  const gone = before.filter((p) => !now.has(p)).length;
  const added = after.filter((p) => !was.has(p)).length;
  if (!gone && !added) return undefined;
  return (
    `the server's processes changed during the trial (${gone} exited, ${added} started): a worker crashed or was ` +
    'recycled (e.g. gunicorn --max-requests, uWSGI --max-requests), so its memory and CPU figures are not comparable.'
  );
}

export async function executePlan(plan: RunPlan, edges: RunEdges): Promise<Sample[]> {
  const servers = new Map<string, RunningServer>();
  try {
    for (const target of plan.targets) {
      edges.log.info(`Starting target "${target.name}": ${target.command}${target.serverNote ? `\n  (${target.serverNote})` : ''}`);
      try {
        servers.set(target.name, await edges.boot(target));
      } catch (err) {
        if (err instanceof ServerError) err.target ??= target.name;
        throw err;
      }
    }
    if (plan.warmupSeconds > 0) {
      for (const [name, server] of servers) {
        for (const scenario of plan.scenarios) {
          edges.log.info(`Warming up "${name}" on ${scenario.name} for ${plan.warmupSeconds} s`);
          await edges.runTrial({ baseUrl: server.baseUrl, scenario, durationSeconds: plan.warmupSeconds });
          assertAlive(server, 'during warmup');
        }
      }
    }
    const samples: Sample[] = [];
    const scenarios = new Map(plan.scenarios.map((s) => [s.name, s]));
    for (const trial of plan.trials) {
      const server = servers.get(trial.target)!;
      const scenario = scenarios.get(trial.scenario)!;
      assertAlive(server, 'before a trial');
      const before = await edges.snapshot(server.pid);
      const startedAt = new Date().toISOString();
      const load = await edges.runTrial({ baseUrl: server.baseUrl, scenario, durationSeconds: scenario.durationSeconds });
      const after = await edges.snapshot(server.pid);
      assertAlive(server, `during round ${trial.round} of ${scenario.name}`);
      const sample: Sample = { ...trial, startedAt, ...load };
      if (before && after) {
        sample.server = { ...after.usage, cpuSeconds: Math.max(0, after.usage.cpuSeconds - before.usage.cpuSeconds) };
        const change = describeTreeChange(before.pids, after.pids);
        if (change) {
          sample.failure = change;
          edges.log.warning(`Round ${trial.round} ${trial.target} ${scenario.name} does not count: ${change}`);
        }
      }
      edges.log.info(
        `Round ${trial.round} ${trial.target} ${scenario.name}: ${load.rps.toFixed(0)} req/s, ` +
          `p50 ${(load.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(load.latencyUs.p99 / 1000).toFixed(2)} ms, errors ${load.errorRatePct.toFixed(2)}%`,
      );
      samples.push(sample);
    }
    return samples;
  } finally {
    for (const server of servers.values()) {
      try {
        const stopped = await server.stop();
        if (stopped.leftovers.length) {
          edges.log.warning(`Target "${server.target.name}": processes ${stopped.leftovers.join(', ')} survived SIGKILL.`);
        }
      } catch (err) {
        edges.log.warning(`Target "${server.target.name}": teardown failed: ${errorMessage(err)}`);
      }
    }
  }
}
