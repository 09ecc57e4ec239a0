// The gate's one pipeline, shared by the action and the CLI:
// baseline (read first, so a bad file fails before anything starts) -> plan -> run ->
// compare -> verdict -> record. Returns a result; deciding to fail is the caller's job.
import os from 'node:os';
import { compare } from './compare.js';
import { rankTargets } from './shootout.js';
import { planTrials, seededRandom } from './plan.js';
import { executePlan, type RunEdges } from './run.js';
import { formatCpuList, withGeneratorPlacement } from './cpuPlacement.js';
import { appendRun, latestRun, readBaselineFile, SCHEMA_VERSION, type BaselineFile } from './store/baselineFile.js';
import type { Config, RunMeta, RunResult } from './types.js';
import { runTrial } from './load/trial.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from './server/server.js';
import { snapshotTree, waitForStableTree } from './server/processTree.js';
import { explicitPort } from './net.js';
import type { Target } from './types.js';
import type { Logger } from './run.js';

export const TOOL = { name: 'wsgi-perf-gate', version: '0.1.0' };

export interface GateOptions {
  /** Whether this run is recorded into the baseline file. */
  record: boolean;
  meta: Omit<RunMeta, 'createdAt' | 'tool' | 'runner'>;
  hooks: BootHooks;
  seed?: number;
}

export function runnerFingerprint(): RunMeta['runner'] {
  const cpus = os.cpus();
  return { os: os.platform(), arch: os.arch(), cpus: os.availableParallelism(), cpuModel: cpus[0]?.model.trim() ?? 'unknown', node: process.versions.node };
}

export interface BootHooks {
  log: Logger;
  /** CPUs for the servers, when the generator was pinned to others. */
  serverCpus?: number[];
  logDir?: string;
  onSpawn?: (pid: number, signal: NodeJS.Signals) => void;
}

/** The real edges: servers on loopback, autocannon, /proc sampling. */
export function realEdges(hooks: BootHooks): RunEdges {
  return {
    log: hooks.log,
    runTrial,
    snapshot: snapshotTree,
    async boot(target: Target): Promise<RunningServer> {
      const port = explicitPort(target.url) ?? (await freePort());
      const server = await startServer(target, {
        port,
        cpus: hooks.serverCpus,
        onSpawn: hooks.onSpawn,
        logFile: hooks.logDir ? `${hooks.logDir}/server-${target.name.replace(/[^\w.-]/g, '_')}.log` : undefined,
      });
      try {
        const { seconds } = await waitUntilReady(server);
        await waitForStableTree(server.pid);
        hooks.log.info(`Target "${target.name}" answered on ${server.baseUrl}${target.readyPath} after ${seconds.toFixed(1)} s (pid ${server.pid})`);
        return server;
      } catch (err) {
        await server.stop(5_000);
        throw err;
      }
    },
  };
}

export async function runGate(config: Config, opts: GateOptions): Promise<RunResult> {
  const stored: BaselineFile | undefined = config.baselineFile ? readBaselineFile(config.baselineFile) : undefined;
  const baselineRun = config.compareTo === 'stored' ? latestRun(stored) : undefined;

  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const trials = planTrials(
    config.targets.map((t) => t.name),
    config.scenarios.map((s) => s.name),
    config.rounds,
    seededRandom(seed),
  );
  const log = opts.hooks.log;
  const { samples, placement } = await withGeneratorPlacement(config.cpuPlacement, log.warning, async (placement) => {
    if (placement) log.info(`CPU placement: load generator on CPU ${formatCpuList(placement.generatorCpus)}, servers on CPU ${formatCpuList(placement.serverCpus)}`);
    const edges = realEdges({ ...opts.hooks, serverCpus: placement?.serverCpus });
    const plan = { targets: config.targets, scenarios: config.scenarios, trials, warmupSeconds: config.warmupSeconds };
    return { samples: await executePlan(plan, edges), placement };
  });

  let noBaselineNote: string | undefined;
  if (config.compareTo === 'none') noBaselineNote = 'none (compare-to: none).';
  else if (!config.baselineFile) noBaselineNote = 'none found: set baseline-file to a file recorded with record: true (history on the data branch comes in a later version).';
  else if (!baselineRun) noBaselineNote = `none yet: ${config.baselineFile} has no recorded run; run once with record: true to create it.`;

  const comparison = compare({
    scenarios: config.scenarios,
    target: config.targets[0]!.name,
    candidate: samples,
    baseline: baselineRun?.samples,
    baselineScenarios: baselineRun?.settings?.scenarios,
    baselineInfo: baselineRun ? { source: `baseline-file ${config.baselineFile}`, commit: baselineRun.meta.commit, createdAt: baselineRun.meta.createdAt } : undefined,
    noBaselineNote,
    baselineExpected: config.compareTo === 'stored',
    confidence: config.confidence,
  });

  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    meta: { ...opts.meta, createdAt: new Date().toISOString(), tool: TOOL, runner: runnerFingerprint() },
    settings: {
      rounds: config.rounds,
      warmupSeconds: config.warmupSeconds,
      confidence: config.confidence,
      targets: config.targets.map(({ name, command, url, preset }) => ({ name, command, url, preset })),
      scenarios: config.scenarios,
      cpuPlacement: placement ?? 'off',
    },
    samples,
    comparison,
    ranking:
      config.targets.length > 1
        ? rankTargets(samples, config.scenarios, config.targets, config.confidence, placement ? placement.serverCpus.length : os.availableParallelism())
        : undefined,
    verdict: comparison.verdict,
  };

  if (opts.record && config.baselineFile) {
    appendRun(config.baselineFile, stored, result);
    log.info(`Recorded this run in ${config.baselineFile}`);
  }
  return result;
}
