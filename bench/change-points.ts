// Rates of the change-point detector (src/changes/detect.ts) on synthetic series: false alarms in
// noise-only series, and how often steps of 1x, 2x and 4x the noise are found at the right run.
// Pure computation, no timing: prints rates with their counts. Run:
//   node --import tsx bench/change-points.ts [series=1000]
import { detectChangePoints, type DetectOptions } from '../src/changes/detect.js';
import { seededRandom } from '../src/stats/random.js';

export const LENGTH = 20;
export const STEP_AT = 10;

/** Standard normal draws from a seeded uniform source (Box-Muller). */
export function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The detector as a wall-clock series is judged, without a size floor: the statistics alone. */
export const STATISTICAL: DetectOptions = { alpha: 0.01, minStepPct: 0, window: 5, minSegment: 3, minNewest: 3, resolutionPct: 0 };

export interface Rates {
  series: number;
  falseAlarms: number;
  found: Record<string, number>;
}

/** `series` noise-only series (level 100, sd 1), and as many with a step of k x sd at STEP_AT, per k. */
export function measureRates(series: number, seed = 27, opts: DetectOptions = STATISTICAL): Rates {
  const draw = normal(seededRandom(seed));
  const make = (step: number) => Array.from({ length: LENGTH }, (_, i) => 100 + draw() + (i >= STEP_AT ? step : 0));
  let falseAlarms = 0;
  for (let s = 0; s < series; s++) if (detectChangePoints(make(0), opts).length) falseAlarms++;
  const found: Record<string, number> = {};
  for (const k of [1, 2, 4]) {
    found[`${k}x`] = 0;
    for (let s = 0; s < series; s++) {
      const cps = detectChangePoints(make(k), opts);
      // Found: a change point within one run of the step, the right way.
      if (cps.some((c) => Math.abs(c.index - STEP_AT) <= 1 && c.changePct > 0)) found[`${k}x`]!++;
    }
  }
  return { series, falseAlarms, found };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const r = measureRates(n);
  console.log(`series of ${LENGTH} runs, sd 1, alpha ${STATISTICAL.alpha}, step at run ${STEP_AT}`);
  console.log(`false alarms: ${r.falseAlarms}/${n} noise-only series (${((100 * r.falseAlarms) / n).toFixed(1)}%)`);
  for (const [k, c] of Object.entries(r.found)) console.log(`step ${k} sd found: ${c}/${n} (${((100 * c) / n).toFixed(1)}%)`);
}
