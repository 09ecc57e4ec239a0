// Pure: which scenarios one job of a sharded gate measures. `shard: K/N` (1-based, as humans
// and `strategy.matrix` number jobs) picks shard K of N. Scenarios are spread by their
// expected time (longest-processing-time-first greedy), so the slowest job, which the whole
// gate waits for, is as short as this simple rule makes it. Every job computes the same
// assignment from the same config: no job needs to talk to another.
import { ConfigError } from '../errors.js';
import type { Scenario, ShardSpec } from '../types.js';

export type { ShardSpec } from '../types.js';

/** Upper bound on shards: a bounded loop, and far beyond any matrix GitHub runs (256 jobs). */
export const MAX_SHARDS = 256;

const EXPECTED = 'K/N with whole numbers 1 <= K <= N (1-based, e.g. "2/4" or "${{ matrix.shard }}/4")';

/** Parses the `shard` input, `K/N`. */
export function parseShard(value: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    const extra = m && count > MAX_SHARDS ? ` and N <= ${MAX_SHARDS}` : '';
    throw new ConfigError(`Input \`shard\` is ${JSON.stringify(value)}: expected ${EXPECTED}${extra}.`);
  }
  return { index, count };
}

export const formatShard = (s: ShardSpec): string => `${s.index}/${s.count}`;

export interface ShardTiming {
  warmupSeconds: number;
  rounds: number;
  /** Servers measured per round: 2 in paired mode (base and head), the targets otherwise. */
  targets: number;
}

/** Seconds of load a scenario costs: warmup + rounds x trial length x targets. */
export function expectedSeconds(scenario: Pick<Scenario, 'durationSeconds'>, t: ShardTiming): number {
  return t.warmupSeconds + t.rounds * scenario.durationSeconds * t.targets;
}

export interface ShardAssignment {
  /** Scenario names per shard (index 0 is shard 1), in the config's order. */
  shards: string[][];
  /** Expected seconds of load per shard. */
  seconds: number[];
}

/**
 * Longest-processing-time-first: scenarios from the longest down (ties by name, so the order
 * never depends on the file's order of equal scenarios), each to the shard with the least
 * expected time so far (ties to the lowest shard number).
 */
export function assignShards(scenarios: Array<Pick<Scenario, 'name' | 'durationSeconds'>>, count: number, timing: ShardTiming): ShardAssignment {
  if (!Number.isInteger(count) || count < 1) throw new ConfigError(`Input \`shard\`: the shard count is ${count}: expected a whole number >= 1.`);
  if (count > scenarios.length) {
    throw new ConfigError(
      `Input \`shard\` asks for ${count} shards but the config has ${scenarios.length} scenario(s): expected at most ${scenarios.length} ` +
        'shards (each shard measures at least one scenario); lower N in `shard` and in the matrix.',
    );
  }
  const order = new Map(scenarios.map((s, i) => [s.name, i]));
  const cost = scenarios.map((s) => ({ name: s.name, seconds: expectedSeconds(s, timing) }));
  cost.sort((a, b) => b.seconds - a.seconds || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shards: string[][] = Array.from({ length: count }, () => []);
  const seconds: number[] = Array.from({ length: count }, () => 0);
  for (const c of cost) {
    let least = 0;
    for (let i = 1; i < count; i++) if (seconds[i]! < seconds[least]!) least = i;
    shards[least]!.push(c.name);
    seconds[least]! += c.seconds;
  }
  for (const list of shards) list.sort((a, b) => order.get(a)! - order.get(b)!);
  return { shards, seconds };
}

/** The scenarios shard K measures, in the config's order. */
export function scenariosOfShard<S extends Pick<Scenario, 'name' | 'durationSeconds'>>(scenarios: S[], shard: ShardSpec, timing: ShardTiming): S[] {
  const names = new Set(assignShards(scenarios, shard.count, timing).shards[shard.index - 1]);
  return scenarios.filter((s) => names.has(s.name));
}
