// The gate's one pipeline, shared by the action and the CLI:
// baseline (read first, so a bad file fails before anything starts) -> plan -> run ->
// compare -> confirm -> instructions and hardening -> verdict -> record. Returns a result;
// deciding to fail is the caller's job.
import os from 'node:os';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { BASE_TARGET, compare, pairedSides } from '../gate/compare.js';
import { rankTargets } from '../gate/shootout.js';
import { planTrials } from '../plan/plan.js';
import { seededRandom } from '../stats/random.js';
import { executePlan, type Logger } from './executePlan.js';
import { bootTarget, realEdges, type BootHooks } from './boot.js';
import { prepareBase, type PairedBase } from './pairedBase.js';
import { chooseStoredBaseline, type StoredBaseline } from './storedBaseline.js';
import { recordResult } from './recordResult.js';
import { formatCpuList, withGeneratorPlacement, type Placement } from '../server/cpuPlacement.js';
import { presetWarning } from '../server/presets.js';
import { readBaselineFile, SCHEMA_VERSION, type BaselineFile } from '../store/baselineFile.js';
import type { Comparison, Config, RunMeta, RunResult, Sample, Scenario, Target } from '../types.js';
import { describeStop } from '../report/sequential.js';
import { confirmationBaseline, confirmComparison, needsConfirmation, withoutConfirmation } from '../gate/confirm.js';
import { errorMessage, ServerError } from '../errors.js';
import type { HistoryStore, PreparedHistory } from '../store/branchHistory.js';
import { trendFigures } from '../store/record.js';
import { runInstructionsGate } from '../instructions/gate.js';
import { runQueriesGate } from '../queries/gate.js';
import { combineVerdicts } from '../gate/verdict.js';
import { hardenTargets } from '../hardening/hardenTargets.js';
import { hardeningBaseline, judgeHardening } from '../hardening/gate.js';
import { estimateMeasuring, estimateMessages } from '../plan/estimate.js';
import packageJson from '../../package.json' with { type: 'json' };
import { confirmationFocus, SequentialGate, type JudgeAt } from '../gate/sequential.js';
import { planLooks } from '../plan/sequentialPlan.js';
import type { GateMode } from '../stats/decidability.js';
import { watchThisPush } from '../changes/runWatch.js';

/** Recorded with every run; the version has one home, package.json (the release script checks it). */
export const TOOL = { name: packageJson.name, version: packageJson.version };

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

export function runnerFingerprint(): RunMeta['runner'] {
  const cpus = os.cpus();
  return { os: os.platform(), arch: os.arch(), cpus: os.availableParallelism(), cpuModel: cpus[0]?.model.trim() ?? 'unknown', node: process.versions.node };
}

type Measured = { samples: Sample[]; placement: Placement | undefined; sequential?: ReturnType<SequentialGate['result']> };
/** How a sequential measurement judges its looks: paired rounds, or the head against a stored baseline. */
type Looks = { judge: JudgeAt; mode: GateMode };
/** Measures some targets; with `looks` the rounds are sequential: looked at along the way. */
type Measure = (targets: Target[], runSeed?: number, label?: string, looks?: Looks, confirming?: Map<string, Set<string>>) => Promise<Measured>;

export async function runGate(config: Config, opts: GateOptions): Promise<RunResult> {
  const stored: BaselineFile | undefined = config.baselineFile ? readBaselineFile(config.baselineFile) : undefined;
  const log = opts.hooks.log;
  const head = config.targets[0]!;
  const runner = runnerFingerprint();
  const { branch, branchProblem } = readDataBranch(config, opts, runner);

  // compare-to: base boots the base commit beside the head; whatever stops it falls back to
  // the stored baseline (or none): the PR is never failed for the base's fault.
  const prepared = config.compareTo === 'base' ? prepareBase(config, config.baseRef ?? opts.baseSha, log) : undefined;
  let pairedBase: PairedBase | undefined = prepared && 'checkout' in prepared ? prepared : undefined;
  let fallback = prepared && 'fallback' in prepared ? prepared.fallback : undefined;
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  // Pure: the recorded run this measurement is judged against, given how paired mode went so far.
  const pickBaseline = () =>
    chooseStoredBaseline({
      config,
      stored,
      branch,
      branchProblem,
      paired: !!pairedBase,
      pairedFallback: fallback,
      here: { command: head.command, warmupSeconds: config.warmupSeconds, scenarios: config.scenarios, runner: { cpuModel: runner.cpuModel, cpus: runner.cpus, os: runner.os, arch: runner.arch } },
    });
  const storedLooksFor = (b: StoredBaseline) => storedLooks(config, judgeAgainst(config, { head, baseline: b, fallback, headCommit: opts.meta.commit }), b.run);
  const measure = measurer(config, opts.hooks, seed);
  announceEstimate(config, !!pairedBase, log);

  // The base checkout lives until the last measurement (a confirmation run boots it again).
  try {
    let measured: Awaited<ReturnType<Measure>>;
    if (pairedBase) {
      try {
        // The base boots first, so a base that cannot boot is known before the head is started.
        measured = await measure([pairedBase.target, head], seed, undefined, { judge: pairedJudge(config, pairedBase, head, opts.meta.commit), mode: 'paired' });
      } catch (err) {
        if (!(err instanceof ServerError && err.target === BASE_TARGET)) throw err;
        fallback = `the base commit ${pairedBase.checkout.commit.slice(0, 12)} did not boot (${errorMessage(err).split('\n')[0]})`;
        pairedBase.checkout.remove();
        pairedBase = undefined;
        measured = await measure([head], seed, undefined, storedLooksFor(pickBaseline()));
      }
    } else {
      // Against a stored baseline the looks need it before the first round.
      measured = await measure(config.targets, seed, undefined, storedLooksFor(pickBaseline()));
    }
    const { samples, placement } = measured;
    const hardened = await runHardeningChecks(config, opts.hooks, pairedBase ? [pairedBase.target, head] : fallback ? [head] : config.targets);
    if (fallback) {
      // On a push there is no base to pair with: expected, so said quietly.
      const say = opts.meta.eventName === 'push' && !opts.baseSha && !config.baseRef ? log.info : log.warning;
      say(`Paired mode fell back to ${config.baselineFile || branch?.baseline.record ? 'the stored baseline' : 'no baseline'}: ${fallback}.`);
    }

    const baseline = pickBaseline();
    const judge = judgeAgainst(config, { head, pairedBase, baseline, fallback, headCommit: opts.meta.commit });
    let comparison = measured.sequential ? withSequential(measured.sequential) : judge(samples);
    const hardening =
      hardened && config.hardening.mode !== 'off'
        ? judgeHardening(
            config.hardening.mode,
            hardened.filter((t) => !pairedBase || t.target !== BASE_TARGET),
            ...hardeningBaseline(pairedBase ? hardened.filter((t) => t.target === BASE_TARGET) : undefined, baseline.run, comparison.baseline?.source),
          )
        : undefined;
    let confirmationSamples: Sample[] | undefined;
    // A shoot-out ranks setups; only a gate (one candidate) is confirmed before failing.
    if (config.confirm && config.targets.length === 1 && needsConfirmation(comparison)) {
      const plan = confirmationBaseline({ paired: !!pairedBase, others: baseline.others });
      if (plan.kind === 'none') {
        log.info(`A regression was measured but cannot be confirmed independently: ${plan.reason}.`);
        comparison = withoutConfirmation(comparison, plan.reason);
      } else {
        log.info(`A regression was measured: measuring again with fresh servers, judged against ${plan.against}, to confirm it before failing (confirm: true).`);
        const again = await measure(
          pairedBase ? [pairedBase.target, head] : [head],
          seed + 1,
          'Confirmation',
          pairedBase
            ? { judge: pairedJudge(config, pairedBase, head, opts.meta.commit), mode: 'paired' }
            : storedLooks(config, judge, plan.kind === 'other-run' ? plan.run : baseline.run),
          confirmationFocus(comparison),
        );
        confirmationSamples = again.samples;
        const second = again.sequential ? withSequential(again.sequential) : judge(confirmationSamples, plan.kind === 'other-run' ? plan.run : undefined);
        comparison = confirmComparison(comparison, second, plan.against);
        log.info(`Confirmation run: the regression was ${comparison.verdict === 'regressed' ? 'confirmed' : 'not confirmed'}.`);
      }
    }
    // Instructions per request: counted after the wall-clock trials, so Valgrind never shares the CPUs with them.
    const instructions = await runInstructionsGate({
      settings: config.instructions,
      scenarios: config.scenarios,
      head,
      base: pairedBase?.target,
      recorded: pairedBase ? undefined : baseline.run?.instructions,
      recordedSource: baseline.run?.meta.commit ? `the recorded run of ${baseline.run.meta.commit.slice(0, 12)}` : undefined,
      wanted: !!pairedBase || !!baseline.run?.instructions || opts.record,
      log,
    });
    // Queries per request: a short boot of their own with the counting hook, after the trials.
    const queries = await runQueriesGate({
      settings: config.queries,
      scenarios: config.scenarios,
      head,
      base: pairedBase?.target,
      recorded: pairedBase ? undefined : baseline.run?.queries,
      recordedSource: baseline.run?.meta.commit ? `the recorded run of ${baseline.run.meta.commit.slice(0, 12)}` : undefined,
      wanted: !!pairedBase || !!baseline.run?.queries || opts.record,
      log,
    });
    const result: RunResult = {
      schemaVersion: SCHEMA_VERSION,
      meta: { ...opts.meta, createdAt: new Date().toISOString(), tool: TOOL, runner },
      settings: {
        rounds: config.rounds,
        warmupSeconds: config.warmupSeconds,
        confidence: config.confidence,
        timeBudgetMinutes: config.timeBudgetMinutes,
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
      queries,
      hardening,
      verdict: combineVerdicts([comparison.verdict, instructions?.verdict ?? 'pass', queries?.verdict ?? 'pass']),
    };
    if (branch) {
      result.history = branch.info;
      result.trend = [
        ...branch.baseline.trend,
        { commit: branch.head, createdAt: result.meta.createdAt, current: true, scenarios: trendFigures(samples.filter((s) => s.target !== BASE_TARGET), head.name, instructions, queries) },
      ];
    }

    // The watch over main: change points and creep in the recorded history, this push included.
    if (branch && opts.record && config.watch.mode !== 'off') {
      result.watch = await watchThisPush({ config, branch, createdAt: result.meta.createdAt, samples: samples.filter((s) => s.target !== BASE_TARGET), target: head.name, instructions, log });
    }

    if (opts.record) await recordResult(result, { baselineFile: config.baselineFile, stored, branch, branchProblem, log });
    return result;
  } finally {
    pairedBase?.checkout.remove();
  }
}

/** The data branch (when no baseline-file is set): baseline and trend are found before the
 * run; a branch that cannot be read leaves the run without a baseline, it does not stop it. */
function readDataBranch(config: Config, opts: GateOptions, runner: RunMeta['runner']): { branch?: PreparedHistory; branchProblem?: string } {
  if (config.baselineFile || !opts.history || (config.compareTo === 'none' && !opts.record)) return {};
  try {
    return { branch: opts.history.prepare({ target: config.targets[0]!, config, runner, baseSha: opts.baseSha ?? config.baseRef }) };
  } catch (err) {
    const branchProblem = `history on the data branch ${opts.history.branch} could not be read: ${errorMessage(err)}`;
    opts.hooks.log.warning(branchProblem);
    return { branchProblem };
  }
}

/** Runs the interleaved trials of some targets, with the load generator pinned apart from the servers. */
function measurer(config: Config, hooks: BootHooks, seed: number): Measure {
  const log = hooks.log;
  return (targets, runSeed = seed, label, sequentialLooks, confirming) => {
    // The budget counts from here: boots and warmup are part of the step's time.
    const deadlineMs = config.timeBudgetMinutes !== undefined ? Date.now() + config.timeBudgetMinutes * 60_000 : undefined;
    return withGeneratorPlacement(config.cpuPlacement, log.warning, async (placement) => {
      if (placement) log.info(`CPU placement: load generator on CPU ${formatCpuList(placement.generatorCpus)}, servers on CPU ${formatCpuList(placement.serverCpus)}`);
      const edges = realEdges({ ...hooks, serverCpus: placement?.serverCpus, logSuffix: label && `-${label.toLowerCase()}` });
      const names = targets.map((t) => t.name);
      const run = { targets, scenarios: config.scenarios, warmupSeconds: config.warmupSeconds, label };
      const looks = sequentialLooks && planLooks(config.rounds, config.confidence, sequentialLooks.mode);
      // Stored mode with one look (the default 5 rounds) is the fixed design it always was.
      if (!sequentialLooks || !looks || (sequentialLooks.mode === 'stored' && looks.length < 2)) {
        const trials = planTrials(names, config.scenarios.map((s) => s.name), config.rounds, seededRandom(runSeed));
        return { samples: await executePlan({ ...run, trials }, edges), placement };
      }
      log.info(`Sequential rounds: looking at the results after ${looks.map((l) => l.rounds).join(', ')} rounds, stopping as soon as every scenario is decided${deadlineMs ? ` or the ${config.timeBudgetMinutes} min budget would be passed` : ''}.`);
      const gate = new SequentialGate({
        looks,
        targets: names,
        scenarios: config.scenarios,
        random: seededRandom(runSeed),
        judge: sequentialLooks.judge,
        now: Date.now,
        deadlineMs,
        confirming,
        mode: sequentialLooks.mode,
      });
      const samples = await executePlan({ ...run, trials: [], schedule: gate, maxRounds: looks.at(-1)!.rounds }, edges);
      const sequential = gate.result();
      log.info(describeStop(sequential.sequential));
      return { samples, placement, sequential };
    });
  };
}

/** The paired judge at a look: the base's samples beside the head's, bounds at the look's confidence, open scenarios only. */
function pairedJudge(config: Config, pairedBase: PairedBase, head: Target, headCommit?: string): JudgeAt {
  return (measured, confidence, scenarios) =>
    compare({
      scenarios: config.scenarios.filter((s) => scenarios.includes(s.name)),
      target: head.name,
      ...pairedSides(measured, head.name),
      baselineInfo: { source: 'the base commit, booted beside the head in this job (paired rounds)', commit: pairedBase.checkout.commit, headCommit },
      paired: true,
      baselineExpected: true,
      confidence,
    });
}

function withSequential(s: NonNullable<Measured['sequential']>): Comparison {
  return { ...s.comparison, sequential: s.sequential };
}

/** Says up front how long the measurement will take, and warns when it cannot fit the timeout. */
function announceEstimate(config: Config, paired: boolean, log: Logger): void {
  const estimate = estimateMessages(
    estimateMeasuring({
      targets: paired ? 2 : config.targets.length,
      scenarios: config.scenarios,
      warmupSeconds: config.warmupSeconds,
      rounds: config.rounds,
      confirms: config.confirm && config.targets.length === 1,
    }),
    config.timeoutMinutes,
  );
  log.info(estimate.info);
  if (estimate.warning) log.warning(estimate.warning);
}

/** The hardening checks of each target (booted again), or undefined when they are off. */
async function runHardeningChecks(config: Config, hooks: BootHooks, targets: Target[]) {
  if (config.hardening.mode === 'off') return undefined;
  // The checks boot each server again; their logs go beside the measured servers' logs, not over them.
  const hardeningHooks = hooks.logDir ? { ...hooks, logDir: path.join(hooks.logDir, 'hardening') } : hooks;
  if (hardeningHooks.logDir) mkdirSync(hardeningHooks.logDir, { recursive: true });
  return hardenTargets(targets, config.hardening, { boot: (t) => bootTarget(t, hardeningHooks), log: hooks.log });
}

/** Compares measured samples with the paired base or the stored baseline; `other` is another
 * recorded run, for a confirmation judged independently of the first baseline; `at` a
 * sequential look (its confidence, the scenarios still open). */
type StoredJudge = (
  measured: Sample[],
  other?: { samples: Sample[]; scenarios?: Scenario[] },
  at?: { confidence: number; scenarios: string[] },
) => Comparison;

/**
 * Stored mode's looks: the head alone, judged at each look against the recorded run (or
 * `other`), when there is one to judge against and a single candidate (a shoot-out ranks
 * setups and runs its rounds). Undefined: the fixed design.
 */
function storedLooks(config: Config, judge: StoredJudge, against: { samples: Sample[]; settings?: { scenarios?: Scenario[] }; scenarios?: Scenario[] } | undefined): Looks | undefined {
  if (config.compareTo === 'none' || config.targets.length !== 1 || !against) return undefined;
  const other = { samples: against.samples, scenarios: against.scenarios ?? against.settings?.scenarios };
  return { mode: 'stored', judge: (measured, confidence, scenarios) => judge(measured, other, { confidence, scenarios }) };
}

function judgeAgainst(
  config: Config,
  ctx: { head: Target; pairedBase?: PairedBase; baseline: StoredBaseline; fallback?: string; headCommit?: string },
): StoredJudge {
  const { head, pairedBase, baseline } = ctx;
  return (measured, other, at) => {
    const c = compare({
      scenarios: at ? config.scenarios.filter((s) => at.scenarios.includes(s.name)) : config.scenarios,
      target: head.name,
      ...(pairedBase ? pairedSides(measured, head.name) : { candidate: measured, baseline: other?.samples ?? baseline.run?.samples }),
      baselineScenarios: pairedBase ? undefined : other ? other.scenarios : baseline.run?.settings?.scenarios,
      history: baseline.history,
      baselineInfo: pairedBase
        ? { source: 'the base commit, booted beside the head in this job (paired rounds)', commit: pairedBase.checkout.commit, headCommit: ctx.headCommit }
        : baseline.info,
      noBaselineNote: baseline.note,
      paired: !!pairedBase,
      baselineExpected: config.compareTo !== 'none',
      confidence: at?.confidence ?? config.confidence,
      runNoiseConfidence: config.confidence,
    });
    if (ctx.fallback && c.baseline) c.note = baseline.note;
    // A preset that measures a setup production does not run says so beside every figure.
    const setupWarning = presetWarning(head.preset?.server);
    if (setupWarning) for (const s of c.scenarios) s.warnings.unshift(setupWarning);
    return c;
  };
}
