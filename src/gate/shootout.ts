// Pure: several server setups measured in the same interleaved rounds -> a ranking per
// scenario, with the interval of each setup's requests/s relative to the fastest, so the
// report can say which differences are real and which are noise.
import { median, pairedRatioInterval, ratioInterval, signedRankBoundIndex } from '../stats/intervals.js';
import { pooledErrorRatePct } from './compare.js';
import type { Sample, Scenario, ScenarioRanking, Standing, Target, WorkerSweep } from '../types.js';

export type { Standing, WorkerSweep, ScenarioRanking } from '../types.js';

const MIB = 1024 * 1024;

function standingOf(target: string, samples: Sample[]): Omit<Standing, 'rank' | 'tiedWithFastest'> {
  const usable = samples.filter((s) => !s.failure);
  const mem = usable.map((s) => s.server?.rssBytesPerWorker).filter((v): v is number => v !== undefined);
  return {
    target,
    rps: median(usable.map((s) => s.rps)),
    p99Ms: median(usable.map((s) => s.latencyUs.p99 / 1000)),
    memoryMiB: mem.length ? median(mem) / MIB : undefined,
    errorRatePct: pooledErrorRatePct(samples),
  };
}

/** Requests/s of `other` relative to `fastest`: paired by round when enough rounds have both. */
function versus(fastest: Sample[], other: Sample[], confidence: number): Standing['vsFastest'] {
  const byRound = new Map(fastest.filter((s) => !s.failure).map((s) => [s.round, s.rps]));
  const pairs = other.filter((s) => !s.failure && byRound.has(s.round));
  if (signedRankBoundIndex(pairs.length, confidence) >= 1) {
    const p = pairedRatioInterval(pairs.map((s) => byRound.get(s.round)!), pairs.map((s) => s.rps), confidence)!;
    return { ratio: p.ratio, low: p.low, high: p.high, method: 'paired' };
  }
  const u = ratioInterval([...byRound.values()], other.filter((s) => !s.failure).map((s) => s.rps), confidence);
  return u && { ratio: u.ratio, low: u.low, high: u.high, method: 'unpaired' };
}

const x = (ratio: number) => `${ratio.toFixed(2)}x`;

function recommend(scenario: string, standings: Standing[]): string {
  const [fastest, ...rest] = standings;
  if (!fastest) return '';
  const tied = rest.filter((s) => s.tiedWithFastest);
  const slowest = rest.filter((s) => !s.tiedWithFastest).at(-1);
  const parts: string[] = [];
  parts.push(`On ${scenario}, ${fastest.target} served the most requests/s (${Math.round(fastest.rps).toLocaleString('en-US')})`);
  if (tied.length) parts.push(`; ${tied.map((s) => s.target).join(', ')} ${tied.length > 1 ? 'are' : 'is'} tied with it (the difference is within noise)`);
  if (slowest) {
    const memory =
      fastest.memoryMiB !== undefined && slowest.memoryMiB !== undefined
        ? `, at ${fastest.memoryMiB.toFixed(0)} MiB per worker against ${slowest.memoryMiB.toFixed(0)} MiB`
        : '';
    parts.push(`; it does ${x(fastest.rps / slowest.rps)} the requests/s of ${slowest.target}${memory}`);
  }
  return `${parts.join('')}.`;
}

const workersText = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;

/** Pure: where throughput stops rising, and whether 2 x cores + 1 holds, from a ranking. */
export function workerSweep(standings: Standing[], targets: Array<Pick<Target, 'name' | 'preset'>>, serverCores: number): WorkerSweep | undefined {
  const presets = targets.map((t) => t.preset);
  if (targets.length < 2 || presets.some((p) => !p) || new Set(presets.map((p) => p!.server)).size !== 1) return undefined;
  if (new Set(presets.map((p) => p!.workers)).size !== targets.length) return undefined;
  const workersOf = new Map(targets.map((t) => [t.name, t.preset!.workers]));
  const points = standings
    .map((s) => ({ workers: workersOf.get(s.target)!, rps: s.rps, tiedWithFastest: s.tiedWithFastest }))
    .sort((a, b) => a.workers - b.workers);
  const plateauWorkers = points.find((p) => p.tiedWithFastest)!.workers;
  const ruleWorkers = 2 * serverCores + 1;
  const fastest = standings[0]!;
  const atRule = points.find((p) => p.workers === ruleWorkers);
  const finding = !atRule
    ? `2 x cores + 1 = ${ruleWorkers} workers was not in the sweep.`
    : atRule.tiedWithFastest
      ? `2 x cores + 1 = ${ruleWorkers} workers holds for this app: within noise of the fastest${ruleWorkers > plateauWorkers ? `, though ${workersText(plateauWorkers)} already reach that with less memory in total` : ''}.`
      : `2 x cores + 1 = ${ruleWorkers} workers does not hold for this app: ${((1 - atRule.rps / fastest.rps) * 100).toFixed(0)}% fewer requests/s than the fastest (${workersOf.get(fastest.target)} workers).`;
  return { server: presets[0]!.server, points, plateauWorkers, ruleWorkers, finding };
}

export function rankTargets(
  samples: Sample[],
  scenarios: Scenario[],
  targets: Array<Pick<Target, 'name' | 'preset'>>,
  confidence: number,
  serverCores: number,
): ScenarioRanking[] {
  const names = targets.map((t) => t.name);
  return scenarios.map((sc) => {
    const of = (t: string) => samples.filter((s) => s.scenario === sc.name && s.target === t);
    const sorted = names.map((t) => standingOf(t, of(t))).sort((a, b) => (b.rps || 0) - (a.rps || 0));
    const fastest = sorted[0]!;
    const standings: Standing[] = sorted.map((s, i) => {
      if (i === 0) return { ...s, rank: 1, tiedWithFastest: true };
      const vsFastest = versus(of(fastest.target), of(s.target), confidence);
      return { ...s, rank: i + 1, vsFastest, tiedWithFastest: !vsFastest || vsFastest.high >= 1 };
    });
    const sweep = workerSweep(standings, targets, serverCores);
    const recommendation = recommend(sc.name, standings) + (sweep ? ` Throughput stops rising at ${workersText(sweep.plateauWorkers)}. ${sweep.finding}` : '');
    return { scenario: sc.name, standings, recommendation, sweep };
  });
}
