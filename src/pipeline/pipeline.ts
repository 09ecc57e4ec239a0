// The gate's one pipeline, shared by the action and the CLI:
// baseline (read first, so a bad file fails before anything starts) -> plan -> run ->
// compare -> verdict -> record. Returns a result; deciding to fail is the caller's job.
import os from 'node:os';
import { compare } from '../gate/compare.js';
import { rankTargets } from '../gate/shootout.js';
import { planTrials, seededRandom } from '../gate/plan.js';
import { executePlan, type RunEdges } from './executePlan.js';
import { formatCpuList, withGeneratorPlacement } from '../server/cpuPlacement.js';
import { appendRun, latestRun, readBaselineFile, SCHEMA_VERSION, type BaselineFile } from '../store/baselineFile.js';
import type { Config, RunMeta, RunResult, Sample } from '../types.js';
import { confirmComparison, needsConfirmation } from '../gate/confirm.js';
import { runTrial } from '../load/trial.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../server/server.js';
import { snapshotTree, waitForStableTree } from '../server/processTree.js';
import { explicitPort } from '../config/loopback.js';
import type { Target } from '../types.js';
import type { Logger } from './executePlan.js';
import path from 'node:path';
import { errorMessage, ServerError } from '../errors.js';
import { checkoutMergeBase, runBaseSetup, type BaseCheckout } from '../git/worktree.js';
import type { HistoryStore, PreparedHistory } from '../store/branchHistory.js';
import { summarizeSamples } from '../store/record.js';
import { estimateMeasuring, estimateMessages } from '../gate/estimate.js';

export const TOOL = { name: 'wsgi-perf-gate', version: '0.1.0' };

export interface GateOptions {
  /** Whether this run is recorded into the baseline file. */
  record: boolean;
  meta: Omit<RunMeta, 'createdAt' | 'tool' | 'runner'>;
  hooks: BootHooks;
  seed?: number;
  /** The pull request's base commit, for compare-to: base (config.baseRef wins) and the merge-base baseline. */
  baseSha?: string;
  /** History on the data branch; used when no baseline-file is set. */
  history?: HistoryStore;
}

/** compare-to: base: the base commit's checkout and its target, booted beside the head. */
interface PairedBase {
  checkout: BaseCheckout;
  target: Target;
}

export const BASE_TARGET = 'base';

/** Prepares the base checkout, or says why paired mode cannot run (the gate then falls back). */
function prepareBase(config: Config, baseRef: string | undefined, log: Logger): PairedBase | { fallback: string } {
  if (!baseRef) return { fallback: 'compare-to: base needs a pull request (or `base-ref`) to know the base commit' };
  const head = config.targets[0]!;
  let checkout: BaseCheckout;
  try {
    checkout = checkoutMergeBase(head.workingDirectory, baseRef);
  } catch (err) {
    return { fallback: `the base could not be checked out: ${errorMessage(err)}` };
  }
  const workingDirectory = path.join(checkout.dir, path.relative(checkout.repoRoot, head.workingDirectory));
  log.info(`Base commit ${checkout.commit.slice(0, 12)} checked out in ${checkout.dir}`);
  try {
    if (config.baseSetup) {
      log.info(`Running base-setup in the base checkout: ${config.baseSetup}`);
      runBaseSetup(config.baseSetup, workingDirectory);
    }
  } catch (err) {
    checkout.remove();
    return { fallback: errorMessage(err) };
  }
  return { checkout, target: { ...head, name: BASE_TARGET, workingDirectory } };
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
  /** Added to the server log names, e.g. "-confirmation" (so the second measurement keeps the first's logs). */
  logSuffix?: string;
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
        logFile: hooks.logDir ? `${hooks.logDir}/server-${target.name.replace(/[^\w.-]/g, '_')}${hooks.logSuffix ?? ''}.log` : undefined,
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
  const log = opts.hooks.log;
  const head = config.targets[0]!;

  // The data branch (when no baseline-file is set): baseline and trend are found before the
  // run; a branch that cannot be read leaves the run without a baseline, it does not stop it.
  let branch: PreparedHistory | undefined;
  let branchProblem: string | undefined;
  if (!config.baselineFile && opts.history && (config.compareTo !== 'none' || opts.record)) {
    try {
      branch = opts.history.prepare({ target: head, config, runner: runnerFingerprint(), baseSha: opts.baseSha ?? config.baseRef });
    } catch (err) {
      branchProblem = `history on the data branch ${opts.history.branch} could not be read: ${errorMessage(err)}`;
      log.warning(branchProblem);
    }
  }
  const storedSomewhere = !!config.baselineFile || !!branch?.baseline.record;

  // compare-to: base boots the base commit beside the head; whatever stops it falls back to
  // the stored baseline (or none): the PR is never failed for the base's fault.
  let paired = config.compareTo === 'base' ? prepareBase(config, config.baseRef ?? opts.baseSha, log) : undefined;
  let fallback = paired && 'fallback' in paired ? paired.fallback : undefined;
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);

  const measure = (targets: Target[], runSeed = seed, label?: string) =>
    withGeneratorPlacement(config.cpuPlacement, log.warning, async (placement) => {
      if (placement) log.info(`CPU placement: load generator on CPU ${formatCpuList(placement.generatorCpus)}, servers on CPU ${formatCpuList(placement.serverCpus)}`);
      const edges = realEdges({ ...opts.hooks, serverCpus: placement?.serverCpus, logSuffix: label && `-${label.toLowerCase()}` });
      const trials = planTrials(targets.map((t) => t.name), config.scenarios.map((s) => s.name), config.rounds, seededRandom(runSeed));
      return { samples: await executePlan({ targets, scenarios: config.scenarios, trials, warmupSeconds: config.warmupSeconds, label }, edges), placement };
    });

  const estimate = estimateMessages(
    estimateMeasuring({
      targets: paired && 'checkout' in paired ? 2 : config.targets.length,
      scenarios: config.scenarios,
      warmupSeconds: config.warmupSeconds,
      rounds: config.rounds,
      confirms: config.confirm && config.targets.length === 1,
    }),
    config.timeoutMinutes,
  );
  log.info(estimate.info);
  if (estimate.warning) log.warning(estimate.warning);

  // The base checkout lives until the last measurement (a confirmation run boots it again).
  try {
    let measured: Awaited<ReturnType<typeof measure>>;
    if (paired && 'checkout' in paired) {
      const base = paired;
      try {
        // The base boots first, so a base that cannot boot is known before the head is started.
        measured = await measure([base.target, head]);
      } catch (err) {
        if (!(err instanceof ServerError && err.target === BASE_TARGET)) throw err;
        fallback = `the base commit ${base.checkout.commit.slice(0, 12)} did not boot (${errorMessage(err).split('\n')[0]})`;
        paired = undefined;
        base.checkout.remove();
        measured = await measure([head]);
      }
    } else {
      measured = await measure(config.targets);
    }
    const { samples, placement } = measured;
    if (fallback) {
      // On a push there is no base to pair with: expected, so said quietly.
      const say = opts.meta.eventName === 'push' && !opts.baseSha && !config.baseRef ? log.info : log.warning;
      say(`Paired mode fell back to ${storedSomewhere ? 'the stored baseline' : 'no baseline'}: ${fallback}.`);
    }

    const pairedBase = paired && 'checkout' in paired ? paired : undefined;
    const baselineRun = !pairedBase && config.compareTo !== 'none' ? (config.baselineFile ? latestRun(stored) : branch?.baseline.record) : undefined;
    // Recorded runs comparable with this one: how far they move from run to run widens a stored baseline's intervals.
    const history = config.baselineFile ? stored?.runs.map((r) => ({ samples: r.samples, scenarios: r.settings?.scenarios })) : branch?.baseline.history;
    let noBaselineNote: string | undefined;
    if (config.compareTo === 'none') noBaselineNote = 'none (compare-to: none).';
    else if (!config.baselineFile && branch) noBaselineNote = branch.baseline.note;
    else if (!config.baselineFile && branchProblem) noBaselineNote = `none: ${branchProblem}.`;
    else if (!config.baselineFile) noBaselineNote = 'none found: set baseline-file to a file recorded with record: true.';
    else if (!baselineRun) noBaselineNote = `none yet: ${config.baselineFile} has no recorded run; run once with record: true to create it.`;
    if (fallback) noBaselineNote = `paired mode could not run: ${fallback}; ${baselineRun ? 'compared with the stored baseline instead' : `so there is ${noBaselineNote}`}`;

    const judge = (measuredSamples: Sample[]) => {
      const c = compare({
        scenarios: config.scenarios,
        target: head.name,
        candidate: measuredSamples.filter((s) => s.target !== BASE_TARGET || !pairedBase),
        baseline: pairedBase ? measuredSamples.filter((s) => s.target === BASE_TARGET).map((s) => ({ ...s, target: head.name })) : baselineRun?.samples,
        baselineScenarios: pairedBase ? undefined : baselineRun?.settings?.scenarios,
        history: baselineRun ? history : undefined,
        baselineInfo: pairedBase
          ? { source: 'the base commit, booted beside the head in this job (paired rounds)', commit: pairedBase.checkout.commit, headCommit: opts.meta.commit }
          : baselineRun && config.baselineFile
            ? { source: `baseline-file ${config.baselineFile}`, commit: baselineRun.meta.commit, createdAt: baselineRun.meta.createdAt }
            : baselineRun
              ? branch?.baseline.info
              : undefined,
        noBaselineNote,
        paired: !!pairedBase,
        baselineExpected: config.compareTo !== 'none',
        confidence: config.confidence,
      });
      if (fallback && c.baseline) c.note = noBaselineNote;
      return c;
    };
    let comparison = judge(samples);
    let confirmationSamples: Sample[] | undefined;
    // A shoot-out ranks setups; only a gate (one candidate) is confirmed before failing.
    if (config.confirm && config.targets.length === 1 && needsConfirmation(comparison)) {
      log.info('A regression was measured: measuring again with fresh servers to confirm it before failing (confirm: true).');
      confirmationSamples = (await measure(pairedBase ? [pairedBase.target, head] : [head], seed + 1, 'Confirmation')).samples;
      comparison = confirmComparison(comparison, judge(confirmationSamples));
      log.info(`Confirmation run: the regression was ${comparison.verdict === 'regressed' ? 'confirmed' : 'not confirmed'}.`);
    }
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
      confirmationSamples,
      comparison,
      ranking:
        config.targets.length > 1
          ? rankTargets(samples, config.scenarios, config.targets, config.confidence, placement ? placement.serverCpus.length : os.availableParallelism())
          : undefined,
      verdict: comparison.verdict,
    };
    if (branch) {
      result.history = branch.info;
      result.trend = [
        ...branch.baseline.trend,
        { commit: branch.head, createdAt: result.meta.createdAt, current: true, scenarios: summarizeSamples(samples.filter((s) => s.target !== BASE_TARGET), head.name) },
      ];
    }

    if (opts.record) await recordResult(result, { baselineFile: config.baselineFile, stored, branch, branchProblem, log });
    return result;
  } finally {
    if (paired && 'checkout' in paired) paired.checkout.remove();
  }
}

/** Records a run where history lives: the baseline file, else the data branch. A branch
 * that refuses the record leaves the measurement standing, with a warning that says why. */
async function recordResult(
  result: RunResult,
  where: { baselineFile?: string; stored?: BaselineFile; branch?: PreparedHistory; branchProblem?: string; log: Logger },
): Promise<void> {
  const { baselineFile, branch, log } = where;
  if (baselineFile) {
    appendRun(baselineFile, where.stored, result);
    log.info(`Recorded this run in ${baselineFile}`);
  } else if (branch) {
    const outcome = await branch.record(result);
    if (outcome.status === 'recorded') {
      result.history!.recordedAs = outcome.path;
      log.info(`Recorded this run on ${branch.info.branch} as ${outcome.path} (data branch commit ${outcome.commit.slice(0, 12)}${outcome.attempts > 1 ? `, attempt ${outcome.attempts}` : ''}).`);
    } else {
      log.warning(outcome.message);
    }
  } else if (where.branchProblem) {
    log.warning(`This run was not recorded: ${where.branchProblem}.`);
  }
}
