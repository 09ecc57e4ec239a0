// The gate's one pipeline, shared by the action and the CLI:
// baseline (read first, so a bad file fails before anything starts) -> plan -> run ->
// compare -> verdict -> record. Returns a result; deciding to fail is the caller's job.
import os from 'node:os';
import { compare } from '../gate/compare.js';
import { rankTargets } from '../gate/shootout.js';
import { planTrials, seededRandom } from '../gate/plan.js';
import { executePlan, type RunEdges } from './executePlan.js';
import { formatCpuList, withGeneratorPlacement } from '../server/cpuPlacement.js';
import { appendRun, readBaselineFile, SCHEMA_VERSION, type BaselineFile } from '../store/baselineFile.js';
import type { Config, RunMeta, RunResult, Sample, Scenario } from '../types.js';
import { confirmationBaseline, confirmComparison, needsConfirmation, withoutConfirmation } from '../gate/confirm.js';
import { runTrial } from '../load/trial.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../server/server.js';
import { bootBehindNginx } from '../server/nginxProxy.js';
import { snapshotTree, waitForStableTree } from '../server/processTree.js';
import { explicitPort } from '../config/loopback.js';
import type { Target } from '../types.js';
import type { Logger } from './executePlan.js';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { errorMessage, ServerError } from '../errors.js';
import { checkoutMergeBase, runBaseSetup, type BaseCheckout } from '../git/worktree.js';
import type { HistoryStore, PreparedHistory } from '../store/branchHistory.js';
import { comparableRuns, measuredAsOf, type MeasuredAs } from '../gate/comparability.js';
import { trendFigures } from '../store/record.js';
import { runInstructionsGate } from '../instructions/gate.js';
import { combineVerdicts } from '../gate/verdict.js';
import { hardenTargets } from '../hardening/hardenTargets.js';
import { hardeningBaseline, judgeHardening } from '../hardening/gate.js';
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
    const pairedForHardening = paired && 'checkout' in paired ? paired : undefined;
    const hardeningTargets = pairedForHardening ? [pairedForHardening.target, head] : fallback ? [head] : config.targets;
    // The checks boot each server again; their logs go beside the measured servers' logs, not over them.
    const hardeningHooks = opts.hooks.logDir ? { ...opts.hooks, logDir: path.join(opts.hooks.logDir, 'hardening') } : opts.hooks;
    if (hardeningHooks.logDir && config.hardening.mode !== 'off') mkdirSync(hardeningHooks.logDir, { recursive: true });
    const hardened = config.hardening.mode === 'off' ? undefined : await hardenTargets(hardeningTargets, config.hardening, { boot: (t) => bootTarget(t, hardeningHooks), log });
    if (fallback) {
      // On a push there is no base to pair with: expected, so said quietly.
      const say = opts.meta.eventName === 'push' && !opts.baseSha && !config.baseRef ? log.info : log.warning;
      say(`Paired mode fell back to ${storedSomewhere ? 'the stored baseline' : 'no baseline'}: ${fallback}.`);
    }

    const pairedBase = paired && 'checkout' in paired ? paired : undefined;
    // The baseline file keeps runs of any setup: only those measured the same way count (the
    // one rule of gate/comparability.ts; the data branch files runs by the same rule's hash).
    const runner = runnerFingerprint();
    const here: MeasuredAs = { command: head.command, warmupSeconds: config.warmupSeconds, scenarios: config.scenarios, runner: { cpuModel: runner.cpuModel, cpus: runner.cpus, os: runner.os, arch: runner.arch } };
    const storedRuns = stored ? comparableRuns(stored.runs, here, measuredAsOf) : undefined;
    const baselineRun = !pairedBase && config.compareTo !== 'none' ? (config.baselineFile ? storedRuns?.comparable.at(-1) : branch?.baseline.record) : undefined;
    // Recorded runs comparable with this one: how far they move from run to run widens a stored baseline's intervals.
    const history = config.baselineFile ? storedRuns?.comparable.map((r) => ({ samples: r.samples, scenarios: r.settings?.scenarios })) : branch?.baseline.history;
    let noBaselineNote: string | undefined;
    if (config.compareTo === 'none') noBaselineNote = 'none (compare-to: none).';
    else if (!config.baselineFile && branch) noBaselineNote = branch.baseline.note;
    else if (!config.baselineFile && branchProblem) noBaselineNote = `none: ${branchProblem}.`;
    else if (!config.baselineFile) noBaselineNote = 'none found: set baseline-file to a file recorded with record: true.';
    else if (!baselineRun && storedRuns?.passedOver.length) {
      noBaselineNote = `none comparable in ${config.baselineFile}: its latest run was measured differently (${storedRuns.passedOver.at(-1)!.differences.join(', ')}), so it is not compared; record a run with these settings first.`;
    } else if (!baselineRun) noBaselineNote = `none yet: ${config.baselineFile} has no recorded run; run once with record: true to create it.`;
    if (fallback) noBaselineNote = `paired mode could not run: ${fallback}; ${baselineRun ? 'compared with the stored baseline instead' : `so there is ${noBaselineNote}`}`;

    // `other`: a confirmation judged against another recorded run than the first baseline.
    const judge = (measuredSamples: Sample[], other?: { samples: Sample[]; scenarios?: Scenario[] }) => {
      const c = compare({
        scenarios: config.scenarios,
        target: head.name,
        candidate: measuredSamples.filter((s) => s.target !== BASE_TARGET || !pairedBase),
        baseline: pairedBase ? measuredSamples.filter((s) => s.target === BASE_TARGET).map((s) => ({ ...s, target: head.name })) : (other?.samples ?? baselineRun?.samples),
        baselineScenarios: pairedBase ? undefined : other ? other.scenarios : baselineRun?.settings?.scenarios,
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
    const hardening =
      hardened && config.hardening.mode !== 'off'
        ? judgeHardening(
            config.hardening.mode,
            hardened.filter((t) => !pairedBase || t.target !== BASE_TARGET),
            ...hardeningBaseline(pairedBase ? hardened.filter((t) => t.target === BASE_TARGET) : undefined, baselineRun, comparison.baseline?.source),
          )
        : undefined;
    let confirmationSamples: Sample[] | undefined;
    // A shoot-out ranks setups; only a gate (one candidate) is confirmed before failing.
    if (config.confirm && config.targets.length === 1 && needsConfirmation(comparison)) {
      const plan = confirmationBaseline({ paired: !!pairedBase, others: otherRecordedRuns(baselineRun, config.baselineFile ? storedRuns?.comparable : branch?.baseline.history) });
      if (plan.kind === 'none') {
        log.info(`A regression was measured but cannot be confirmed independently: ${plan.reason}.`);
        comparison = withoutConfirmation(comparison, plan.reason);
      } else {
        log.info(`A regression was measured: measuring again with fresh servers, judged against ${plan.against}, to confirm it before failing (confirm: true).`);
        confirmationSamples = (await measure(pairedBase ? [pairedBase.target, head] : [head], seed + 1, 'Confirmation')).samples;
        comparison = confirmComparison(comparison, judge(confirmationSamples, plan.kind === 'other-run' ? plan.run : undefined), plan.against);
        log.info(`Confirmation run: the regression was ${comparison.verdict === 'regressed' ? 'confirmed' : 'not confirmed'}.`);
      }
    }
    // Instructions per request: counted after the wall-clock trials, so Valgrind never shares the CPUs with them.
    const instructions = await runInstructionsGate({
      settings: config.instructions,
      scenarios: config.scenarios,
      head,
      base: pairedBase?.target,
      recorded: pairedBase ? undefined : baselineRun?.instructions,
      recordedSource: baselineRun?.meta.commit ? `the recorded run of ${baselineRun.meta.commit.slice(0, 12)}` : undefined,
      wanted: !!pairedBase || !!baselineRun?.instructions || opts.record,
      log,
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
      confirmationSamples,
      comparison,
      ranking:
        config.targets.length > 1
          ? rankTargets(samples, config.scenarios, config.targets, config.confidence, placement ? placement.serverCpus.length : os.availableParallelism())
          : undefined,
      instructions,
      hardening,
      verdict: combineVerdicts([comparison.verdict, instructions?.verdict ?? 'pass']),
    };
    if (branch) {
      result.history = branch.info;
      result.trend = [
        ...branch.baseline.trend,
        { commit: branch.head, createdAt: result.meta.createdAt, current: true, scenarios: trendFigures(samples.filter((s) => s.target !== BASE_TARGET), head.name, instructions) },
      ];
    }

    if (opts.record) await recordResult(result, { baselineFile: config.baselineFile, stored, branch, branchProblem, log });
    return result;
  } finally {
    if (paired && 'checkout' in paired) paired.checkout.remove();
  }
}

interface RecordedRun {
  samples: Sample[];
  settings?: { scenarios?: Scenario[] };
  scenarios?: Scenario[];
  meta?: { commit?: string; createdAt?: string };
  commit?: string;
  createdAt?: string;
}

/** Comparable recorded runs other than the baseline (oldest first), for an independent confirmation. */
function otherRecordedRuns(baseline: RecordedRun | undefined, runs: RecordedRun[] | undefined) {
  if (!baseline || !runs) return [];
  const key = (r: RecordedRun) => `${r.meta?.commit ?? r.commit ?? ''}@${r.meta?.createdAt ?? r.createdAt ?? ''}`;
  return runs
    .filter((r) => r !== baseline && key(r) !== key(baseline))
    .map((r) => ({
      run: { samples: r.samples, scenarios: r.settings?.scenarios ?? r.scenarios },
      label: `of commit ${(r.meta?.commit ?? r.commit ?? 'unknown').slice(0, 12)} recorded ${r.meta?.createdAt ?? r.createdAt ?? 'at an unknown time'}`,
    }));
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
