// The error rates of sequential looks, by simulation: synthetic paired rounds judged by the
// product's own interval (stats/intervals.pairedRatioInterval) at the looks and confidences
// plan/sequentialPlan.ts plans. Two errors, each must stay at or below 1 - confidence:
// - a false alarm: code that did not change (true ratio 1) whose interval lies wholly on the
//   worse side at some look (the event a `regressed` verdict needs);
// - a false pass: code exactly at the threshold (true drop 5%) whose interval lies wholly
//   inside the threshold at some look (the event a `pass` verdict needs).
// Beside them, the same gates looking at every look with the full confidence (no spending),
// which is what stopping early without spending would do.
//
// One round's log ratio is Student t with 3 degrees of freedom (heavy tails, as on a shared
// runner) scaled to the given sd; rounds are independent (drifts that a pair of rounds shares
// cancel in the pair; the boot-to-boot shift is what the confirmation run is for).
//
// Run: node --import tsx bench/gate-quality-spending.ts [gates=4000] [sd %=16] [max rounds=129]
import { pairedRatioInterval } from '../src/stats/intervals.js';
import { seededRandom } from '../src/stats/random.js';
import { planLooks } from '../src/plan/sequentialPlan.js';

const gates = Number(process.argv[2] ?? 4000);
const sd = Number(process.argv[3] ?? 16) / 100;
const maxRounds = Number(process.argv[4] ?? 129);
const CONFIDENCE = 0.99;
const THRESHOLD = 0.05;
const random = seededRandom(0x5be9d);

function normal(): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
/** Student t (3 df), scaled to unit sd (its variance is 3). */
function t3(): number {
  const z = normal();
  const chi = normal() ** 2 + normal() ** 2 + normal() ** 2;
  return z / Math.sqrt(chi / 3) / Math.sqrt(3);
}

const looks = planLooks(maxRounds, CONFIDENCE, 'paired');
console.log(`${gates} synthetic gates per case; one round's log ratio t(3) with sd ${(sd * 100).toFixed(0)}%; looks after ${looks.map((l) => `${l.rounds} (${(100 * (1 - l.confidence)).toFixed(4)}%)`).join(', ')}`);

for (const [label, trueLog, event] of [
  ['unchanged code: false alarm (interval wholly worse)', 0, 'worse'],
  ['a 5% drop, at the threshold: false pass (interval wholly within 5%)', Math.log(1 - THRESHOLD), 'within'],
] as const) {
  let spent = 0;
  let naive = 0;
  let fixedLast = 0;
  for (let g = 0; g < gates; g++) {
    const logs = Array.from({ length: maxRounds }, () => trueLog + sd * t3());
    let hitSpent = false;
    let hitNaive = false;
    for (const [i, look] of looks.entries()) {
      const ratios = logs.slice(0, look.rounds).map(Math.exp);
      const ones = ratios.map(() => 1);
      const hit = (c: number) => {
        const iv = pairedRatioInterval(ones, ratios, c)!;
        return event === 'worse' ? iv.high < 1 : iv.low > 1 - THRESHOLD;
      };
      hitSpent ||= hit(look.confidence);
      const n = hit(CONFIDENCE);
      hitNaive ||= n;
      if (i === looks.length - 1 && n) fixedLast++;
    }
    if (hitSpent) spent++;
    if (hitNaive) naive++;
  }
  const pct = (k: number) => `${((100 * k) / gates).toFixed(2)}% (${k} of ${gates})`;
  console.log(`${label}:\n  spent looks ${pct(spent)}; every look at ${CONFIDENCE} ${pct(naive)}; one fixed look at ${maxRounds} rounds ${pct(fixedLast)}`);
}
