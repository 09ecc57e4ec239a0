// The queries gate's edge: decides whether to count (mode, a baseline or a record to make),
// counts the head (and the base in paired mode) per scenario, and judges against the base or the
// recorded counts with the pure core in verdict.ts. An app that sends no statement through a
// counted driver gets no section at all, unless it loaded a database module the hook does not
// count (or queries: on), when one line says so.
import { combineVerdicts } from '../gate/verdict.js';
import { singleWorkerCommand } from '../instructions/singleWorker.js';
import { errorMessage } from '../errors.js';
import { countQueries } from './count.js';
import { COUNTED_DRIVERS } from './pythonHook.js';
import { judgeQueries } from './verdict.js';
import type { QueriesMeasurement, QueriesResult, QueriesSettings, Scenario, Target } from '../types.js';

export interface QueriesRun {
  settings: QueriesSettings;
  scenarios: Scenario[];
  head: Target;
  /** Paired mode: the base commit's target, counted beside the head. */
  base?: Target;
  /** Stored mode: the recorded counts of the baseline run. */
  recorded?: QueriesResult;
  recordedSource?: string;
  /** Whether a count is of any use (a baseline to compare with, or a record to make). */
  wanted: boolean;
  log: { info(line: string): void; warning(line: string): void };
}

/** The line for an app whose statements the hook did not see. */
export function noneSeenNote(otherDrivers: string[]): string {
  const loaded = otherDrivers.length ? `; loaded and not counted: ${otherDrivers.join(', ')}` : '';
  return `Queries per request: no queries seen; drivers counted: ${COUNTED_DRIVERS.join(', ')}${loaded}.`;
}

export async function runQueriesGate(r: QueriesRun): Promise<QueriesResult | undefined> {
  const { settings, log } = r;
  if (settings.mode === 'off' || (settings.mode === 'auto' && !r.wanted)) return undefined;
  const threshold = { maxIncrease: settings.maxIncrease, maxIncreasePct: settings.maxIncreasePct };
  const measurements: QueriesMeasurement[] = [];
  const count = (target: Target, scenario: Scenario) =>
    countQueries({ target, command: singleWorkerCommand(target, settings.command), scenario, warmupRequests: settings.warmupRequests, requests: settings.requests });
  try {
    for (const scenario of r.scenarios) {
      const head = await count(r.head, scenario);
      measurements.push(head);
      // A head that loads no database module at all: the base is not booted for nothing.
      const noDatabase = !head.statements.length && !head.drivers.length && !head.otherDrivers.length;
      if (r.base && !noDatabase) measurements.push(await count(r.base, scenario));
    }
  } catch (err) {
    const [first, ...rest] = errorMessage(err).split('\n');
    const note = `Queries per request could not be counted: ${first}`;
    log.warning(note);
    if (rest.length) log.info(rest.join('\n'));
    return { status: 'failed', note, measurements, comparisons: [], threshold, verdict: settings.mode === 'on' ? 'inconclusive' : 'pass' };
  }
  const recordedFor = (scenario: string) => r.recorded?.measurements.find((m) => m.target === r.head.name && m.scenario === scenario);
  const baselineFor = (scenario: string) => (r.base ? measurements.find((m) => m.target === r.base!.name && m.scenario === scenario) : recordedFor(scenario));
  const seen = measurements.some((m) => m.statements.length) || r.scenarios.some((s) => (recordedFor(s.name)?.statements.length ?? 0) > 0);
  if (!seen) {
    const others = [...new Set(measurements.flatMap((m) => m.otherDrivers))];
    if (settings.mode !== 'on' && !others.length) return undefined;
    const note = noneSeenNote(others);
    log.info(note);
    return { status: 'none-seen', note, measurements, comparisons: [], threshold, verdict: 'pass' };
  }
  const comparisons = r.scenarios.map((scenario) => {
    const head = measurements.find((m) => m.target === r.head.name && m.scenario === scenario.name)!;
    return judgeQueries(scenario.name, r.head.name, baselineFor(scenario.name), head, threshold);
  });
  for (const c of comparisons) log.info(`Queries per request, ${c.scenario}: ${c.reason}`);
  return {
    status: 'measured',
    measurements,
    comparisons,
    threshold,
    baselineSource: r.base ? 'the base commit, counted in this job' : r.recorded ? (r.recordedSource ?? 'the stored baseline') : undefined,
    verdict: combineVerdicts(comparisons.map((c) => c.verdict)),
  };
}
