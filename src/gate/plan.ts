// Pure: targets x scenarios x rounds -> the ordered list of trials. Each round runs every
// target once per scenario, in a fresh random order (randomized multiple interleaved trials),
// so slow drifts of the runner hit every target alike.
import type { Trial } from '../types.js';

/** A deterministic PRNG (mulberry32) so a plan can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
