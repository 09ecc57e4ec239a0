// Paired mode's verdict quality: each gate boots two servers of the Flask example, the
// "base" as it is and the "head" with an injected change, interleaves them round by round
// (as compare-to: base does) and judges the head with the paired statistics. Prints, per
// injected change, how often the gate said `regressed`, and the wall time per gate.
// Unlike bench/gate-quality.ts (stored baselines, pairs of shared runs), every gate here is
// independent: read the rates with their counts.
// Run: node --import tsx bench/gate-quality-paired.ts [gates per level=4] [rounds=8] [seconds=1]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from '../src/compare.js';
import { readConfig } from '../src/config.js';
import { runGate } from '../src/pipeline.js';
import { median } from '../src/stats.js';
import type { Verdict } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (i: number, fallback: number) => Number(process.argv[i] ?? fallback);
const [gates, rounds, seconds] = [arg(2, 4), arg(3, 8), arg(4, 1)];
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };
const SERVER = 'server: gunicorn-gthread, app: "app:app", workers: 2';

/** One paired gate: base and head in the same interleaved rounds. */
async function pairedGate(headEnv: Record<string, string>) {
  const env = Object.entries(headEnv).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const yaml = `targets:\n  - { name: base, ${SERVER} }\n  - { name: head, ${SERVER}, env: { ${env} } }\n`;
  const config = readConfig({
    getInput: (name) =>
      ({
        config: 'paired.yml',
        'working-directory': path.join(ROOT, 'examples', 'flask'),
        path: '/json',
        connections: '8',
        rounds: String(rounds),
        'duration-seconds': String(seconds),
        'warmup-seconds': '1',
        'compare-to': 'none',
        python: '/usr/bin/python3',
      })[name] ?? '',
    readFile: (file) => (file.endsWith('paired.yml') ? yaml : undefined),
    workspace: ROOT,
    cores: os.availableParallelism(),
  });
  const t0 = Date.now();
  const result = await runGate(config, { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
  const c = compare({
    scenarios: config.scenarios,
    target: 'head',
    candidate: result.samples,
    baseline: result.samples.filter((s) => s.target === 'base').map((s) => ({ ...s, target: 'head' })),
    paired: true,
    baselineExpected: true,
    confidence: config.confidence,
  });
  const metric = (name: string) => c.scenarios[0]!.metrics.find((m) => m.metric === name)!;
  return { verdict: c.verdict, rps: metric('rps'), p99: metric('p99'), seconds: (Date.now() - t0) / 1000, cpuMs: median(result.samples.filter((s) => s.target === 'base').map((s) => (s.server!.cpuSeconds * 1000) / s.requests)) };
}

// Calibrate the spin from an A/A gate's server CPU per request, as bench/gate-quality.ts does.
const first = await pairedGate({});
const spin = (d: number) => ((first.cpuMs * 1000 * (1 / (1 - d / 100) - 1))).toFixed(0);
const levels: Array<{ name: string; env: Record<string, string>; metric: 'rps' | 'p99' }> = [
  { name: 'A/A (identical)', env: {}, metric: 'rps' },
  ...[5, 10, 25].map((d) => ({ name: `RPS -${d}% (spin ${spin(d)} us)`, env: { EXAMPLE_SPIN_US: spin(d) }, metric: 'rps' as const })),
  { name: 'tail: 1% of requests +20 ms', env: { EXAMPLE_TAIL_PCT: '1', EXAMPLE_TAIL_MS: '20' }, metric: 'p99' },
];
console.log(`paired gates: ${rounds} rounds of ${seconds} s per side, gunicorn gthread 2 workers, /json, 8 connections`);
const wall = [first.seconds];
for (const level of levels) {
  const results = Object.keys(level.env).length === 0 ? [first] : [];
  while (results.length < gates) results.push(await pairedGate(level.env));
  wall.push(...results.map((r) => r.seconds));
  const verdicts: Verdict[] = results.map((r) => r.verdict);
  const hit = results.filter((r) => r[level.metric].verdict === 'regressed').length;
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  console.log(
    `${level.name.padEnd(34)} ${level.metric} regressed ${hit}/${results.length}; measured ${level.metric} change median ` +
      `${median(results.map((r) => r[level.metric].changePct!)).toFixed(1)}%; verdicts: regressed ${count('regressed')}, inconclusive ${count('inconclusive')}, pass ${count('pass')}, improved ${count('improved')}`,
  );
}
console.log(`median wall time per paired gate ${median(wall).toFixed(1)} s`);
