// The order effect inside a paired round, and what the balanced order leaves of it.
//
// The first trial of a round runs a little faster than the second. A gate that always ran the
// head first would read that as a change of identical code; the product runs rounds in
// reversed pairs, so each side runs first in exactly half of them. This bench reads the
// identical-code (A/A) rounds of recorded pools (bench/gate-quality-pool.ts) and prints, over
// all of them: the order effect, the A/A median change the balanced order gives (with a
// bootstrap interval over rounds), and what the head-always-first order would have given.
//
// Run: node --import tsx bench/order-effect.ts POOL.json...
import { readFileSync } from 'node:fs';
import { median } from '../src/stats/intervals.js';
import { seededRandom } from '../src/stats/random.js';
import type { Sample } from '../src/types.js';

interface PoolBoot {
  level: string;
  length: number;
  samples: Sample[];
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: bench/order-effect.ts POOL.json...\n');
  process.exit(2);
}

/** Log ratio head/base of every A/A round, split by which side ran first. */
const headFirst: number[] = [];
const baseFirst: number[] = [];
for (const file of files) {
  const boots = (JSON.parse(readFileSync(file, 'utf8')) as { boots: PoolBoot[] }).boots;
  for (const boot of boots.filter((b) => b.level.startsWith('A/A'))) {
    const rounds = new Map<number, Sample[]>();
    for (const s of boot.samples) rounds.set(s.round, [...(rounds.get(s.round) ?? []), s]);
    for (const pair of rounds.values()) {
      const head = pair.find((s) => s.target === 'head');
      const base = pair.find((s) => s.target === 'base');
      if (!head || !base || !(head.rps > 0) || !(base.rps > 0)) continue;
      (head.startedAt < base.startedAt ? headFirst : baseFirst).push(Math.log(head.rps / base.rps));
    }
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
const pairs = Math.min(headFirst.length, baseFirst.length);
// Balanced: as many head-first rounds as base-first ones, as the product's reversed pairs give.
const balanced = [...headFirst.slice(0, pairs), ...baseFirst.slice(0, pairs)];
const random = seededRandom(23);
const draw = (xs: number[]) => Array.from({ length: xs.length }, () => xs[Math.floor(random() * xs.length)]!);
const resampled = Array.from({ length: 2000 }, () => median([...draw(headFirst.slice(0, pairs)), ...draw(baseFirst.slice(0, pairs))])).sort((a, b) => a - b);

process.stdout.write(`A/A rounds: ${headFirst.length} head first, ${baseFirst.length} base first (${files.length} pools)\n`);
process.stdout.write(`order effect (the first trial of a round faster by): ${pct((mean(headFirst) - mean(baseFirst)) / 2)}\n`);
process.stdout.write(
  `A/A median change, balanced order (${pairs} rounds each way): ${pct(median(balanced))}, 95% bootstrap interval ${pct(resampled[50]!)} to ${pct(resampled[1949]!)}\n`,
);
process.stdout.write(`A/A median change, head always first: ${pct(median(headFirst))}; base always first: ${pct(median(baseFirst))}\n`);
