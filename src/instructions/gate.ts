// The instructions gate's edge: decides whether to count (mode, valgrind on PATH), counts the
// head (and the base in paired mode) per scenario, and judges against the base or the recorded
// counts with the pure core in gate/instructionsVerdict.ts.
import { execFileSync } from 'node:child_process';
import { combineVerdicts } from '../gate/verdict.js';
import { countedDifferently, judgeInstructions } from '../gate/instructionsVerdict.js';
import { countInstructions } from './measure.js';
import { functionTable } from './functionTable.js';
import { hasPerfTrampoline } from './pythonVersion.js';
import { blobUrlOf, sourceLines } from './sourceLinks.js';
import { singleWorkerCommand } from './singleWorker.js';
import { errorMessage } from '../errors.js';
import type { InstructionsComparison, InstructionsMeasurement, InstructionsResult, InstructionsSettings, Scenario, Target } from '../types.js';

export const INSTALL_LINE = 'sudo apt-get install -y valgrind';
/** Functions kept per profile (first window): enough for the table, small enough to record. */
export const PROFILE_FUNCTIONS = 200;
/** Python functions kept per profile: a Django request runs ~1000; fewer would cut the app's small ones. */
export const PYTHON_PROFILE_FUNCTIONS = 1000;

/** `valgrind --version` (e.g. "valgrind-3.19.0"), or undefined when it is not on PATH. */
export function valgrindVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return execFileSync('valgrind', ['--version'], { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export interface InstructionsRun {
  settings: InstructionsSettings;
  scenarios: Scenario[];
  head: Target;
  /** Paired mode: the base commit's target, counted beside the head. */
  base?: Target;
  /** Stored mode: the recorded counts of the baseline run. */
  recorded?: InstructionsResult;
  recordedSource?: string;
  /** Whether a count is of any use (a baseline to compare with, or a record to make). */
  wanted: boolean;
  /** Where the head's files are shown on GitHub (`https://github.com/o/r/blob/<sha>`), for links to the app's functions. */
  blobUrl?: string;
  env?: NodeJS.ProcessEnv;
  log: { info(line: string): void; warning(line: string): void };
}

const skipped = (note: string): InstructionsResult => ({ status: 'skipped', note, measurements: [], comparisons: [], verdict: 'pass' });

export async function runInstructionsGate(r: InstructionsRun): Promise<InstructionsResult | undefined> {
  const { settings, log } = r;
  if (settings.mode === 'off') return undefined;
  const env = r.env ?? process.env;
  const version = valgrindVersion(env);
  if (!version) {
    const note = `Instructions per request were not counted: valgrind is not on PATH (on ubuntu runners: ${INSTALL_LINE}).`;
    if (settings.mode === 'on' || settings.mode === 'profile') log.warning(note);
    else log.info(note);
    return { ...skipped(note), status: settings.mode === 'on' || settings.mode === 'profile' ? 'failed' : 'skipped' };
  }
  // Nothing to compare with and nothing to record: counting would only cost time.
  if (settings.mode === 'auto' && !r.wanted) return undefined;

  const measurements: InstructionsMeasurement[] = [];
  const recordedFor = (scenario: string) => r.recorded?.measurements.find((m) => m.target === r.head.name && m.scenario === scenario);
  const count = (target: Target, scenario: Scenario, requestsPerWindow = settings.requestsPerWindow) =>
    countInstructions({
      target,
      command: singleWorkerCommand(target, settings.command),
      scenario,
      warmupRequests: settings.warmupRequests,
      windows: settings.windows,
      requestsPerWindow,
      profileFunctions: PROFILE_FUNCTIONS,
      env,
      log: log.info,
    });
  // CPython 3.12+: a boot of its own with the perf trampoline on, one window, to name the Python
  // functions. The trampoline changes the count, so this pass profiles and never counts.
  const profilePython = async (target: Target, counted: InstructionsMeasurement, scenario: Scenario): Promise<void> => {
    const lines = sourceLines(target.workingDirectory);
    const p = await countInstructions({
      target,
      command: singleWorkerCommand(target, settings.command),
      scenario,
      warmupRequests: settings.warmupRequests,
      windows: 1,
      requestsPerWindow: counted.requestsPerWindow,
      profileFunctions: PYTHON_PROFILE_FUNCTIONS,
      perfTrampoline: true,
      appRoots: lines.roots,
      lineOf: lines.lineOf,
      env,
      log: log.info,
    });
    counted.profileSeconds = p.seconds;
    if (p.profileNames === 'python') {
      counted.profile = p.profile;
      counted.profileNames = 'python';
    }
  };
  try {
    // Both sides count the same requests per window: the first side counted (or the record) chooses.
    for (const scenario of r.scenarios) {
      if (r.base) {
        const base = await count(r.base, scenario);
        measurements.push(base, await count(r.head, scenario, base.requestsPerWindow));
      } else {
        const same = settings.requestsPerWindow === 'auto' ? recordedFor(scenario.name)?.requestsPerWindow : undefined;
        measurements.push(await count(r.head, scenario, same ?? settings.requestsPerWindow));
      }
    }
  } catch (err) {
    const note = `Instructions per request could not be counted: ${errorMessage(err)}`;
    log.warning(note);
    return { status: 'failed', note, valgrind: version, measurements, comparisons: [], verdict: settings.mode === 'on' || settings.mode === 'profile' ? 'inconclusive' : 'pass' };
  }

  const baselineFor = (scenario: string) =>
    r.base
      ? measurements.find((m) => m.target === r.base!.name && m.scenario === scenario)
      : recordedFor(scenario);
  const comparisons = r.scenarios.map((scenario) => {
    const head = measurements.find((m) => m.target === r.head.name && m.scenario === scenario.name)!;
    const found = baselineFor(scenario.name);
    const difference = found && countedDifferently(found, head);
    const base = difference ? undefined : found;
    const c = judgeInstructions({ scenario: scenario.name, target: r.head.name, baseline: base?.perRequest ?? [], candidate: head.perRequest, thresholdPct: settings.maxIncreasePct });
    if (difference) c.reason = difference;
    return c;
  });

  // Where the instructions went: when the change passed the threshold (or instructions: profile).
  const wantsTable = (c: InstructionsComparison) => settings.mode === 'profile' || (c.changePct !== undefined && Math.abs(c.changePct) >= settings.maxIncreasePct);
  const blobUrl = r.blobUrl ?? blobUrlOf(r.head.workingDirectory, env);
  const link = blobUrl ? (file: string, line: number) => `${blobUrl}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}` : undefined;
  for (const scenario of r.scenarios) {
    const c = comparisons.find((x) => x.scenario === scenario.name)!;
    if (!wantsTable(c)) continue;
    const head = measurements.find((m) => m.target === r.head.name && m.scenario === scenario.name)!;
    const base = c.baseline !== undefined ? baselineFor(scenario.name) : undefined;
    try {
      if (hasPerfTrampoline(head.python)) {
        const paired = r.base && base && measurements.includes(base);
        if (paired) await profilePython(r.base!, base, scenario);
        await profilePython(r.head, head, scenario);
      }
    } catch (err) {
      // The profile explains a verdict; failing to take it does not change the verdict.
      log.warning(`Where the instructions went could not be profiled: ${errorMessage(err)}`);
    }
    if (!base?.profile || !head.profile) continue;
    if (!base.profileNames) {
      c.functionsNote = 'The baseline\'s profile was recorded in an older form (callgrind_annotate\'s names), so it is not compared; the next record keeps the new one.';
      continue;
    }
    if (base.profileNames !== head.profileNames) {
      c.functionsNote =
        head.profileNames === 'python'
          ? 'The baseline\'s profile names C functions and this one Python functions, so they are not compared; a record made with `instructions: profile` keeps the Python functions.'
          : 'The baseline\'s profile names Python functions and this one C functions, so they are not compared.';
      continue;
    }
    const t = functionTable(base.profile, head.profile, link, undefined, head.profileNames === 'python' ? PYTHON_PROFILE_FUNCTIONS : PROFILE_FUNCTIONS);
    c.functions = t.rows;
    c.functionsFolded = t.folded;
    c.functionNames = head.profileNames ?? 'c';
  }
  let note: string | undefined;
  if (!r.base && r.recorded?.valgrind && r.recorded.valgrind !== version) note = `The baseline was counted with ${r.recorded.valgrind}, this run with ${version}: counts of different Valgrind versions may differ.`;
  return {
    status: 'measured',
    note,
    valgrind: version,
    measurements,
    comparisons,
    baselineSource: r.base ? 'the base commit, counted in this job' : r.recorded ? r.recordedSource ?? 'the stored baseline' : undefined,
    verdict: combineVerdicts(comparisons.map((c) => c.verdict)),
  };
}
