// Pure: the results files of a sharded gate's jobs -> one run result, as if one job had
// measured every scenario. First the set is checked (same commit, configuration and shard
// count; each shard once; none missing or failed), and any problem names the shard. Each
// scenario keeps the verdict of its own pairing, measured on its own runner: nothing is
// pooled across runners (their speeds differ), so merging is concatenation plus the verdict.
import { formatShard } from './shards.js';
import { combineVerdicts } from '../gate/verdict.js';
import type { Comparison, Fingerprint, InstructionsResult, QueriesResult, RunResult, Sample, ScenarioComparison, ShardSpec, TrendPoint } from '../types.js';
import type { HardeningReport } from '../hardening/types.js';
import type { LoadedShard, ShardFile } from '../store/shardFile.js';

export interface MergeExpectation {
  /** The commit this (merge) job runs for; shards of another commit are refused. */
  commit?: string;
  /** Named in the message about a missing shard. */
  dir: string;
}

/** One record per runner fingerprint: what the data branch keeps of a merged run. */
export interface RecordGroup {
  fingerprint: Fingerprint;
  fingerprintHash: string;
  configHash: string;
  shards: string[];
  samples: Sample[];
  /** The exact counts of these shards' scenarios, recorded with their samples. */
  instructions?: InstructionsResult;
  queries?: QueriesResult;
}

export type MergeOutcome = { ok: true; result: RunResult; records: RecordGroup[]; shards: ShardFile[] } | { ok: false; problems: string[] };

const label = (s: ShardSpec) => `shard ${formatShard(s)}`;
const short = (c: string | undefined) => (c ? c.slice(0, 12) : 'unknown');

export function runnerLabel(fp: Fingerprint, hash: string): string {
  return `runner ${hash} (${fp.cpuModel} × ${fp.cpus}, ${fp.os}/${fp.arch}, Python ${fp.python}, ${fp.server})`;
}

/** Checks the set of shard files; returns every problem found, each naming its shard or file. */
export function checkShards(loaded: LoadedShard[], expect: MergeExpectation): { problems: string[]; shards: ShardFile[] } {
  const problems: string[] = [];
  for (const l of loaded) if (!l.ok) problems.push(`${l.file}: ${l.problem}.`);
  const files = new Map<ShardFile, string>();
  const shards = loaded.flatMap((l) => (l.ok ? [l.shard] : []));
  for (const l of loaded) if (l.ok) files.set(l.shard, l.file);
  if (!shards.length) {
    if (!problems.length) problems.push(`No shard results in ${expect.dir}: expected the shard-K-of-N.json files of every shard (download them with actions/download-artifact before mode: merge).`);
    return { problems, shards };
  }

  const count = shards[0]!.shard.count;
  for (const s of shards) {
    if (s.shard.count !== count) problems.push(`${label(s.shard)} (${files.get(s)}) was one of ${s.shard.count} shards, but ${label(shards[0]!.shard)} one of ${count}: every shard must use the same N in \`shard\`.`);
  }
  const expectedCommit = expect.commit || shards[0]!.commit;
  for (const s of shards) {
    if (s.commit !== expectedCommit) {
      problems.push(`${label(s.shard)} (${files.get(s)}) measured commit ${short(s.commit)}, not ${short(expectedCommit)} that this run is for: its results belong to another run; download only this run's artifacts.`);
    }
  }
  const reference = shards.find((s) => s.configIdentity);
  for (const s of shards) {
    if (s.configIdentity && reference && s.configIdentity !== reference.configIdentity) {
      problems.push(`${label(s.shard)} (${files.get(s)}) ran another configuration (identity ${s.configIdentity}) than ${label(reference.shard)} (${reference.configIdentity}): every shard needs the same inputs and config file, except \`shard\`.`);
    }
  }
  const byIndex = new Map<number, ShardFile[]>();
  for (const s of shards) byIndex.set(s.shard.index, [...(byIndex.get(s.shard.index) ?? []), s]);
  for (const [index, list] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (list.length > 1) problems.push(`shard ${index}/${count} appears ${list.length} times (${list.map((s) => files.get(s)).join(', ')}): each shard's results must be merged once.`);
  }
  for (let i = 1; i <= count; i++) {
    if (!byIndex.has(i)) {
      problems.push(`shard ${i}/${count} is missing: no results file from it in ${expect.dir} (did its job stop before writing one, or not upload it? upload with \`if: always()\`).`);
    }
  }
  for (const s of shards) {
    if (s.error !== undefined || !s.result) problems.push(`${label(s.shard)} failed: ${s.error ?? 'its file holds no result'}`);
  }
  if (!problems.length && reference?.scenarioOrder) {
    const measuredBy = new Map<string, string[]>();
    for (const s of shards) for (const name of s.scenarios ?? []) measuredBy.set(name, [...(measuredBy.get(name) ?? []), formatShard(s.shard)]);
    for (const name of reference.scenarioOrder) {
      const by = measuredBy.get(name) ?? [];
      if (by.length !== 1) problems.push(`scenario ${JSON.stringify(name)} was measured by ${by.length ? `shards ${by.join(', ')}` : 'no shard'}: expected exactly one.`);
    }
  }
  return { problems, shards };
}

function mergeTrend(shards: ShardFile[]): TrendPoint[] | undefined {
  const points = new Map<string, TrendPoint>();
  for (const s of shards) {
    for (const p of s.result!.trend ?? []) {
      const key = p.current ? '(current)' : p.commit;
      const had = points.get(key);
      points.set(key, had ? { ...had, scenarios: { ...had.scenarios, ...p.scenarios } } : { ...p, scenarios: { ...p.scenarios } });
    }
  }
  return points.size ? [...points.values()] : undefined;
}

function mergeComparison(shards: ShardFile[], order: Map<string, number>): Comparison {
  const scenarios: ScenarioComparison[] = shards.flatMap((s) =>
    s.result!.comparison.scenarios.map((sc) => ({
      ...sc,
      measuredBy: `${label(s.shard)} on ${s.runner ? runnerLabel(s.runner.fingerprint, s.runner.fingerprintHash) : 'a runner whose fingerprint is unknown'}`,
    })),
  );
  scenarios.sort((a, b) => (order.get(a.scenario) ?? 0) - (order.get(b.scenario) ?? 0));
  const first = shards[0]!.result!.comparison;
  const baselines = shards.map((s) => JSON.stringify(s.result!.comparison.baseline ?? null));
  const notes = [...new Set(shards.map((s) => s.result!.comparison.note).filter((n): n is string => !!n))];
  let note = notes.length ? notes.join(' ') : undefined;
  if (new Set(baselines).size > 1) {
    const each = shards.map((s) => `${label(s.shard)}: ${s.result!.comparison.baseline?.source ?? 'no baseline'}${s.result!.comparison.baseline?.commit ? ` at ${short(s.result!.comparison.baseline.commit)}` : ''}`);
    note = `${note ? `${note} ` : ''}The shards compared with different baselines (${each.join('; ')}); each scenario is judged against its own shard's.`;
  }
  const confirmations = shards.flatMap((s) => (s.result!.comparison.confirmation ? [s.result!.comparison.confirmation.verdict] : []));
  return {
    baseline: first.baseline,
    note,
    scenarios,
    verdict: combineVerdicts(scenarios.map((s) => s.verdict)),
    confirmation: confirmations.length ? { verdict: combineVerdicts(confirmations) } : undefined,
  };
}

type ExactResult = InstructionsResult | QueriesResult;

/**
 * The exact counts (instructions, queries) of every shard as one result: each shard counted
 * its own scenarios, so their measurements and comparisons are concatenated and the verdict is
 * the worst of the shards'. Undefined when no shard counted.
 */
function mergeExact<T extends ExactResult>(parts: Array<T | undefined>, byScenario: (a: { scenario: string }, b: { scenario: string }) => number): T | undefined {
  const present = parts.filter((p): p is T => p !== undefined);
  if (!present.length) return undefined;
  const counted = present.find((p) => p.status === 'measured') ?? present[0]!;
  const notes = [...new Set(present.map((p) => p.note).filter((n): n is string => !!n))];
  return {
    ...counted,
    note: notes.length ? notes.join(' ') : undefined,
    measurements: present.flatMap((p) => p.measurements as Array<{ scenario: string }>).sort(byScenario),
    comparisons: present.flatMap((p) => p.comparisons as Array<{ scenario: string }>).sort(byScenario),
    verdict: combineVerdicts(present.map((p) => p.verdict)),
  } as T;
}

/** Every shard ran the hardening checks of the same targets: a failing shard's report wins, so the merge fails too. */
function mergeHardening(parts: Array<HardeningReport | undefined>): HardeningReport | undefined {
  const present = parts.filter((p): p is HardeningReport => p !== undefined);
  return present.find((p) => p.failed) ?? present[0];
}

/** Checks the shards, then merges them into one run result and the records to keep. */
export function mergeShards(loaded: LoadedShard[], expect: MergeExpectation): MergeOutcome {
  const { problems, shards: all } = checkShards(loaded, expect);
  if (problems.length) return { ok: false, problems };
  const shards = [...all].sort((a, b) => a.shard.index - b.shard.index);
  const orderNames = shards.find((s) => s.scenarioOrder)?.scenarioOrder ?? shards.flatMap((s) => s.result!.settings.scenarios.map((x) => x.name));
  const order = new Map(orderNames.map((n, i) => [n, i]));
  const byOrder = <T>(name: (t: T) => string) => (a: T, b: T) => (order.get(name(a)) ?? 0) - (order.get(name(b)) ?? 0);
  const results = shards.map((s) => s.result!);
  const first = results[0]!;
  const comparison = mergeComparison(shards, order);
  const confirmationSamples = results.flatMap((r) => r.confirmationSamples ?? []);
  const rankings = results.flatMap((r) => r.ranking ?? []).sort(byOrder((r) => r.scenario));
  const byScenario = byOrder((x: { scenario: string }) => x.scenario);
  const instructions = mergeExact(results.map((r) => r.instructions), byScenario);
  const queries = mergeExact(results.map((r) => r.queries), byScenario);
  const result: RunResult = {
    schemaVersion: first.schemaVersion,
    meta: { ...first.meta, createdAt: results.map((r) => r.meta.createdAt).sort().at(-1)! },
    settings: { ...first.settings, scenarios: results.flatMap((r) => r.settings.scenarios).sort(byOrder((s) => s.name)) },
    samples: results.flatMap((r) => r.samples),
    confirmationSamples: confirmationSamples.length ? confirmationSamples : undefined,
    comparison,
    ranking: rankings.length ? rankings : undefined,
    trend: mergeTrend(shards),
    history: first.history,
    instructions,
    queries,
    hardening: mergeHardening(results.map((r) => r.hardening)),
    // As in one job: the wall clock's verdict and the exact counts' together.
    verdict: combineVerdicts([comparison.verdict, instructions?.verdict ?? 'pass', queries?.verdict ?? 'pass']),
  };

  // One record per runner fingerprint (one, when the runners are of one class).
  const groups = new Map<string, { group: RecordGroup; results: RunResult[] }>();
  for (const s of shards) {
    if (!s.runner) continue;
    const entry = groups.get(s.runner.fingerprintHash) ?? {
      group: { fingerprint: s.runner.fingerprint, fingerprintHash: s.runner.fingerprintHash, configHash: s.runner.historyConfigHash, shards: [], samples: [] },
      results: [],
    };
    entry.group.shards.push(formatShard(s.shard));
    entry.group.samples.push(...s.result!.samples);
    entry.results.push(s.result!);
    groups.set(s.runner.fingerprintHash, entry);
  }
  const records = [...groups.values()].map(({ group, results: own }) => ({
    ...group,
    instructions: mergeExact(own.map((r) => r.instructions), byScenario),
    queries: mergeExact(own.map((r) => r.queries), byScenario),
  }));
  return { ok: true, result, records, shards };
}
