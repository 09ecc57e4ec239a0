// Pure: targets x scenarios x rounds -> the ordered list of trials. Rounds come in pairs: the
// first of a pair runs every target once per scenario in a fresh random order (randomized
// multiple interleaved trials, so slow drifts of the runner hit every target alike), the second
// in the reverse order. The first trial of a round runs about 1.5% faster than the second on
// a 2-CPU runner (the second starts on caches the first just used: docs/accuracy.md); with
// reversed pairs each target goes first in exactly half of every even number of rounds, so
// that bias cancels by design instead of only in expectation. Sequential looks fall on even
// rounds (plan/sequentialPlan.ts) so every look sees whole pairs.
import type { Trial } from '../types.js';

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Trials of rounds firstRound .. firstRound + rounds - 1; firstRound should be odd so pairs stay whole. */
export function planTrials(targets: string[], scenarios: string[], rounds: number, random: () => number, firstRound = 1): Trial[] {
  const trials: Trial[] = [];
  const previous = new Map<string, string[]>();
  for (let round = firstRound; round < firstRound + rounds; round++) {
    for (const scenario of scenarios) {
      const order = round % 2 === 0 && previous.has(scenario) ? [...previous.get(scenario)!].reverse() : shuffled(targets, random);
      previous.set(scenario, order);
      for (const target of order) trials.push({ round, target, scenario });
    }
  }
  return trials;
}
