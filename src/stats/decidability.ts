// Pure: whether a gate's settings can ever reach a verdict other than `inconclusive`. With n
// rounds per side, the rank methods that decide (Mann-Whitney against a stored run, Wilcoxon
// signed-rank over paired rounds, Mann-Whitney when pairs are too few) have a most extreme
// outcome; when even that is not certain at the chosen confidence, every gate ends
// `inconclusive` after minutes of load. config/ refuses such settings before anything boots.
import { rankBoundIndex, signedRankBoundIndex } from './intervals.js';

/** Beyond this many rounds a gate is not worth running; a confidence that needs more is refused. */
export const MAX_USEFUL_ROUNDS = 200;

export type GateMode = 'stored' | 'paired';

/** Whether n rounds per side can give a bound at `confidence` in this mode. Paired mode
 * falls back to the unpaired interval when its pairs are too few (gate/verdict.ts). */
export function canDecide(rounds: number, confidence: number, mode: GateMode): boolean {
  if (rankBoundIndex(rounds, rounds, confidence) >= 1) return true;
  return mode === 'paired' && signedRankBoundIndex(rounds, confidence) >= 1;
}

/** The fewest rounds that can ever reach `confidence`, or undefined above MAX_USEFUL_ROUNDS. */
export function minRoundsToDecide(confidence: number, mode: GateMode): number | undefined {
  for (let n = 1; n <= MAX_USEFUL_ROUNDS; n++) if (canDecide(n, confidence, mode)) return n;
  return undefined;
}

/** The highest confidence that `rounds` rounds can reach: the most extreme outcome's probability. */
export function maxReachableConfidence(rounds: number, mode: GateMode): number {
  // Mann-Whitney n against n: all candidate trials beyond all baseline trials, 1 / C(2n, n).
  let unpaired = 1;
  for (let i = 1; i <= rounds; i++) unpaired *= i / (rounds + i);
  const paired = mode === 'paired' ? 2 ** -rounds : 1;
  return 1 - Math.min(unpaired, paired);
}
