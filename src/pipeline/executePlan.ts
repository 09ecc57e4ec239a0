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
import { formatDuration } from '../plan/estimate.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  /** Runs one phase under a heading (a foldable ::group:: on GitHub); groups do not nest. */
  group?<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** The logger's group, or the phase run under a plain heading line. */
export function inGroup<T>(log: Logger, name: string, fn: () => Promise<T>): Promise<T> {
  if (log.group) return log.group(name, fn);
  log.info(`== ${name} ==`);
  return fn();
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
  /** The trials of a fixed design; ignored when `schedule` is given. */
  trials: Trial[];
  /** A sequential design: asked for the next trials after each batch, given every sample so
   * far; an empty batch ends the measuring (gate/sequential.ts). */
  schedule?: { next(samples: Sample[]): Trial[] };
  /** The most rounds the schedule may run, for the progress lines. */
  maxRounds?: number;
  warmupSeconds: number;
  /** Names the phases' groups, e.g. "Confirmation" for the second measurement. */
  label?: string;
}

/** "about 1 min 20 s left", from the pace of the trials so far. */
function timeLeft(startedMs: number, done: number, total: number): string {
  const left = ((Date.now() - startedMs) / done) * (total - done);
  return total === done ? 'done' : `about ${formatDuration(left / 1000)} left`;
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

/** Pure: how many of the server's processes exited and started between two snapshots. */
export function treeChange(before: number[], after: number[]): { exited: number; started: number } | undefined {
  const was = new Set(before);
  const now = new Set(after);
  const exited = before.filter((p) => !now.has(p)).length;
  const started = after.filter((p) => !was.has(p)).length;
  return exited || started ? { exited, started } : undefined;
}

/** Log lines kept with the first trial of a target in which workers changed. */
const WORKER_LOG_LINES = 20;

export async function executePlan(plan: RunPlan, edges: RunEdges): Promise<Sample[]> {
  const servers = new Map<string, RunningServer>();
  const phase = (name: string) => (plan.label ? `${plan.label}: ${name}` : name);
  const rounds = plan.maxRounds ?? Math.max(0, ...plan.trials.map((t) => t.round));
  try {
    await inGroup(edges.log, phase(`boot ${plan.targets.length === 1 ? 'the server' : `${plan.targets.length} servers`}`), async () => {
      for (const target of plan.targets) {
        edges.log.info(`Starting target "${target.name}": ${target.command}${target.serverNote ? `\n  (${target.serverNote})` : ''}`);
        try {
          servers.set(target.name, await edges.boot(target));
        } catch (err) {
          if (err instanceof ServerError) err.target ??= target.name;
          throw err;
        }
      }
    });
    if (plan.warmupSeconds > 0) {
      await inGroup(edges.log, phase(`warmup (${formatDuration(plan.warmupSeconds * servers.size * plan.scenarios.length)})`), async () => {
        for (const [name, server] of servers) {
          for (const scenario of plan.scenarios) {
            edges.log.info(`Warming up "${name}" on ${scenario.name} for ${plan.warmupSeconds} s`);
            await edges.runTrial({ baseUrl: server.baseUrl, scenario, durationSeconds: plan.warmupSeconds });
            assertAlive(server, 'during warmup');
          }
        }
      });
    }
    const scenarios = new Map(plan.scenarios.map((s) => [s.name, s]));
    const seconds = (trials: Trial[]) => trials.reduce((sum, t) => sum + scenarios.get(t.scenario)!.durationSeconds, 0);
    const heading = plan.schedule
      ? `up to ${rounds} rounds, looking at the results along the way`
      : `${rounds} rounds, ${plan.trials.length} trials (${formatDuration(seconds(plan.trials))})`;
    return await inGroup(edges.log, phase(heading), async () => {
      const samples: Sample[] = [];
      const loggedChange = new Set<string>();
      let batch = plan.schedule ? plan.schedule.next([]) : plan.trials;
      while (batch.length) {
        const startedMs = Date.now();
        for (const [done, trial] of batch.entries()) {
          const server = servers.get(trial.target)!;
          const scenario = scenarios.get(trial.scenario)!;
          assertAlive(server, 'before a trial');
          const before = await edges.snapshot(server.pid);
          const startedAt = new Date().toISOString();
          const load = await edges.runTrial({ baseUrl: server.baseUrl, scenario, durationSeconds: scenario.durationSeconds });
          const after = await edges.snapshot(server.pid);
          assertAlive(server, `during round ${trial.round} of ${scenario.name}`);
          const sample: Sample = { ...trial, startedAt, ...load };
          const change = before && after ? treeChange(before.pids, after.pids) : undefined;
          if (change) {
            // The trial counts (its errors and throughput are what the server did), but a tree
            // that lost or gained workers has no comparable memory or CPU figure.
            sample.processChange = loggedChange.has(trial.target) ? change : { ...change, logTail: server.logTail(WORKER_LOG_LINES) };
            loggedChange.add(trial.target);
          } else if (before && after) {
            sample.server = { ...after.usage, cpuSeconds: Math.max(0, after.usage.cpuSeconds - before.usage.cpuSeconds) };
          }
          samples.push(sample);
          // One line per trial.
          edges.log.info(
            `Round ${trial.round}/${rounds} ${trial.target} ${scenario.name}: ${load.rps.toFixed(0)} req/s, ` +
              `p50 ${(load.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(load.latencyUs.p99 / 1000).toFixed(2)} ms, errors ${load.errorRatePct.toFixed(2)}%` +
              (sample.processChange ? `, workers: ${sample.processChange.exited} exited, ${sample.processChange.started} started` : '') +
              ` (${timeLeft(startedMs, done + 1, batch.length)}${plan.schedule ? ' to the next look' : ''})`,
          );
        }
        batch = plan.schedule ? plan.schedule.next(samples) : [];
      }
      return samples;
    });
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
