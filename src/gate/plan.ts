// Pure: targets x scenarios x rounds -> the ordered list of trials. Each round runs every
// target once per scenario, in a fresh random order (randomized multiple interleaved trials),
// so slow drifts of the runner hit every target alike.
import type { Trial } from '../types.js';

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function planTrials(targets: string[], scenarios: string[], rounds: number, random: () => number): Trial[] {
  const trials: Trial[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      for (const target of shuffled(targets, random)) trials.push({ round, target, scenario });
    }
  }
  return trials;
}
