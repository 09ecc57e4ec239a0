// Pure: the one rule for "measured the same way". Two runs are compared only when they loaded
// the same server command with the same scenarios (request, load, trial length, request
// timeout) after the same warmup, on the same kind of machine. The data branch files runs by a
// hash of exactly this definition (store/fingerprint.ts), a baseline file and the CLI's
// `compare` check it field by field, and all three name what differs.
import type { Fingerprint, RunResult, Scenario } from '../types.js';

export interface MeasuredAs {
  /** The server command of the measured target (workers, worker class and flags change the numbers). */
  command: string;
  warmupSeconds: number;
  scenarios: Scenario[];
  /** The machine (and, from the data branch, the software); fields missing on either side are not compared. */
  runner?: Partial<Fingerprint>;
}

/** The fields of a scenario that change its numbers, in a canonical form (header names lowercased and sorted).
 * Thresholds are left out: they change the verdict, not the samples. */
export function canonicalScenario(s: Scenario) {
  return {
    name: s.name,
    method: s.method,
    path: s.path,
    headers: Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v]).sort(),
    body: s.body ?? null,
    expectStatus: s.expectStatus ?? null,
    connections: s.connections,
    durationSeconds: s.durationSeconds,
    timeoutSeconds: s.timeoutSeconds,
  };
}

/** What a run's numbers depend on, apart from the machine: the object the data branch hashes. */
export function canonicalMeasurement(m: Pick<MeasuredAs, 'command' | 'warmupSeconds' | 'scenarios'>) {
  return { command: m.command, warmupSeconds: m.warmupSeconds, scenarios: m.scenarios.map(canonicalScenario) };
}

const SCENARIO_FIELDS = ['method', 'path', 'body', 'expectStatus', 'connections', 'durationSeconds', 'timeoutSeconds', 'headers'] as const;

/** How one scenario was measured differently ("connections 4 -> 8", "headers"); empty when the same. */
export function scenarioDifferences(current: Scenario, baseline: Scenario): string[] {
  const [now, then] = [canonicalScenario(current), canonicalScenario(baseline)];
  return SCENARIO_FIELDS.filter((k) => JSON.stringify(now[k]) !== JSON.stringify(then[k])).map((k) =>
    // Headers may hold tokens: named only.
    k === 'headers' ? k : `${k} ${JSON.stringify(then[k])} -> ${JSON.stringify(now[k])}`,
  );
}

const RUNNER_FIELDS: Array<[keyof Fingerprint, string]> = [
  ['cpuModel', 'CPU model'],
  ['cpus', 'core count'],
  ['os', 'OS'],
  ['arch', 'architecture'],
  ['python', 'Python version'],
  ['server', 'server version'],
];

/** How two whole runs differ in what they measured (server command, warmup, machine); empty when comparable. */
export function runDifferences(current: MeasuredAs, baseline: Partial<MeasuredAs>): string[] {
  const out: string[] = [];
  if (baseline.command !== undefined && baseline.command !== current.command) out.push(`server command ${JSON.stringify(baseline.command)} -> ${JSON.stringify(current.command)}`);
  if (baseline.warmupSeconds !== undefined && baseline.warmupSeconds !== current.warmupSeconds) out.push(`warmup ${baseline.warmupSeconds} s -> ${current.warmupSeconds} s`);
  for (const [k, label] of RUNNER_FIELDS) {
    const [now, then] = [current.runner?.[k], baseline.runner?.[k]];
    if (now !== undefined && then !== undefined && now !== then) out.push(`${label} ${JSON.stringify(then)} -> ${JSON.stringify(now)}`);
  }
  return out;
}

/** Why a baseline run cannot be compared with this one at all, or undefined when it can. Scenario
 * differences are per scenario (scenarioDifferences): the other scenarios are still compared. */
export function incomparableRun(current: MeasuredAs, baseline: Partial<MeasuredAs>): string | undefined {
  const diffs = runDifferences(current, baseline);
  return diffs.length ? `the baseline was measured differently (${diffs.join(', ')}), so it is not compared` : undefined;
}

/** What a results file or a recorded run says about how it was measured (its first target). */
export function measuredAsOf(run: Pick<RunResult, 'settings'> & { meta?: Partial<RunResult['meta']> }): Partial<MeasuredAs> {
  const r = run.meta?.runner;
  return {
    command: run.settings?.targets?.[0]?.command,
    warmupSeconds: run.settings?.warmupSeconds,
    scenarios: run.settings?.scenarios,
    runner: r ? { cpuModel: r.cpuModel, cpus: r.cpus, os: r.os, arch: r.arch } : undefined,
  };
}

/** The runs that can be compared with this one (order kept), and what differs in each other one. */
export function comparableRuns<T>(runs: T[], current: MeasuredAs, of: (run: T) => Partial<MeasuredAs>): { comparable: T[]; passedOver: Array<{ run: T; differences: string[] }> } {
  const comparable: T[] = [];
  const passedOver: Array<{ run: T; differences: string[] }> = [];
  for (const run of runs) {
    const differences = runDifferences(current, of(run));
    if (differences.length) passedOver.push({ run, differences });
    else comparable.push(run);
  }
  return { comparable, passedOver };
}
