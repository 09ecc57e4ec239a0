// How good is the gate's verdict on this machine? Runs the real pipeline many times on the
// Flask example and prints:
//   - the A/A false-alarm rate: gates of identical code that say `regressed`;
//   - the detection rate for injected RPS slowdowns of 5%, 10% and 25%, calibrated from the
//     server CPU time per request measured in the first run (a CPU spin per request), and
//     for an injected tail (1% of requests delayed);
//   - the wall time per gate.
// Stored-baseline mode: one gate = one run compared with one recorded run. Every run boots
// its own server; runs of all kinds are interleaved in random order so a drift of the
// runner hits every kind alike. Pairs share runs, so the rates are not from independent
// gates: read them with their counts.
// Run: node --import tsx bench/gate-quality.ts [A runs=8] [runs per level=4] [rounds=5] [seconds=2]
// Every run's samples are saved to $GATE_QUALITY_SAVE (when set), and GATE_QUALITY_LOAD=file
// re-judges saved runs without measuring again: a better statistic can be tried on old data.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from '../src/gate/compare.js';
import { readConfig } from '../src/config/config.js';
import { runGate } from '../src/pipeline/pipeline.js';
import { median } from '../src/stats/intervals.js';
import type { RunResult, Verdict } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (i: number, fallback: number) => Number(process.argv[i] ?? fallback);
const [aRuns, levelRuns, rounds, seconds] = [arg(2, 8), arg(3, 4), arg(4, 5), arg(5, 2)];
const SCENARIO = '/json';
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };

async function run(env: Record<string, string>): Promise<{ result: RunResult; seconds: number }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const config = readConfig({
      getInput: (name) =>
        ({
          command: '/usr/bin/python3 -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2 --worker-class gthread --threads 4',
          url: 'http://127.0.0.1:$PORT',
          'working-directory': path.join(ROOT, 'examples', 'flask'),
          path: SCENARIO,
          connections: '8',
          rounds: String(rounds),
          'duration-seconds': String(seconds),
          'warmup-seconds': '1',
          'compare-to': 'none',
          // The wall-clock gate only: these benches measure it, not the hardening checks or Valgrind counts.
          hardening: 'off',
          instructions: 'off',
        })[name] ?? '',
      readFile: () => undefined,
      workspace: ROOT,
      cores: os.availableParallelism(),
    });
    const t0 = Date.now();
    const result = await runGate(config, { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
    return { result, seconds: (Date.now() - t0) / 1000 };
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

// HISTORY=1: the other recorded runs of identical code (all A runs but the candidate) are the
// baseline's history, so intervals are widened to the run-to-run noise (stats.runToRunNoise).
const withHistory = process.env.HISTORY === '1';
function gate(baseline: RunResult, candidate: RunResult) {
  const history = withHistory ? aResults.filter((r) => r !== candidate).map((r) => ({ samples: r.samples, scenarios: r.settings.scenarios })) : undefined;
  const c = compare({
    history,
    scenarios: candidate.settings.scenarios,
    target: 'app',
    candidate: candidate.samples,
    baseline: baseline.samples,
    baselineExpected: true,
    confidence: candidate.settings.confidence,
  });
  const metric = (name: string) => c.scenarios[0]!.metrics.find((m) => m.metric === name)!;
  return { verdict: c.verdict, rps: metric('rps'), p99: metric('p99') };
}

const cpuPerRequestMs = (r: RunResult) => median(r.samples.map((s) => (s.server!.cpuSeconds * 1000) / s.requests));

interface Saved {
  levels: string[];
  a: RunResult[];
  byLevel: RunResult[][];
  wall: number[];
}
const loaded: Saved | undefined = process.env.GATE_QUALITY_LOAD ? JSON.parse(readFileSync(process.env.GATE_QUALITY_LOAD, 'utf8')) : undefined;

// Calibration: the spin that makes a request cost 1/(1-d) times its measured CPU time.
const first = loaded ? { result: loaded.a[0]!, seconds: loaded.wall[0]! } : await run({});
const cpuMs = cpuPerRequestMs(first.result);
const levels: Array<{ name: string; env: Record<string, string>; metric: 'rps' | 'p99'; expectPct?: number }> = [5, 10, 25].map((d) => ({
  name: `RPS -${d}%`,
  env: { EXAMPLE_SPIN_US: ((cpuMs * 1000 * (1 / (1 - d / 100) - 1))).toFixed(0) },
  metric: 'rps',
  expectPct: -d,
}));
levels.push({ name: 'tail: 1% of requests +20 ms', env: { EXAMPLE_TAIL_PCT: '1', EXAMPLE_TAIL_MS: '20' }, metric: 'p99' });
console.log(`server CPU per request ${cpuMs.toFixed(3)} ms -> spins ${levels.slice(0, 3).map((l) => `${l.name}: ${l.env.EXAMPLE_SPIN_US} us`).join(', ')}`);

// Every run of every kind, in one random order.
const kinds = [...Array.from({ length: aRuns - 1 }, () => -1), ...levels.flatMap((_, i) => Array.from({ length: levelRuns }, () => i))];
for (let i = kinds.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
}
const aResults: RunResult[] = loaded ? loaded.a : [first.result];
const levelResults: RunResult[][] = loaded ? loaded.byLevel : levels.map(() => []);
const wall: number[] = loaded ? loaded.wall : [first.seconds];
for (const [n, kind] of (loaded ? [] : kinds).entries()) {
  const r = await run(kind < 0 ? {} : levels[kind]!.env);
  wall.push(r.seconds);
  (kind < 0 ? aResults : levelResults[kind]!).push(r.result);
  process.stderr.write(`run ${n + 2}/${kinds.length + 1} done\n`);
}

if (process.env.GATE_QUALITY_SAVE && !loaded) {
  const saved: Saved = { levels: levels.map((l) => l.name), a: aResults, byLevel: levelResults, wall };
  writeFileSync(process.env.GATE_QUALITY_SAVE, JSON.stringify(saved));
}

const tally = (verdicts: Verdict[]) => {
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  return `regressed ${count('regressed')}/${verdicts.length}, inconclusive ${count('inconclusive')}, pass ${count('pass')}, improved ${count('improved')}`;
};

// With confirmation (confirm: true), a regressed gate measures the candidate again: here,
// another run of the same kind against the same baseline run must regress too.
const aa: Verdict[] = [];
const aaRpsChange: number[] = [];
let aaConfirmed = 0;
for (let i = 0; i < aResults.length; i++) {
  for (let j = 0; j < aResults.length; j++) {
    if (i === j) continue;
    const g = gate(aResults[i]!, aResults[j]!);
    aa.push(g.verdict);
    aaRpsChange.push(g.rps.changePct!);
    let k = (j + 1) % aResults.length;
    if (k === i) k = (k + 1) % aResults.length;
    if (g.verdict === 'regressed' && gate(aResults[i]!, aResults[k]!).verdict === 'regressed') aaConfirmed++;
  }
}
console.log(`\n${aResults.length} runs of identical code, ${rounds} rounds of ${seconds} s each, median wall time per gate ${median(wall).toFixed(1)} s`);
console.log(
  `A/A gates (${aa.length} ordered pairs): ${tally(aa)}; false alarms ${((100 * aa.filter((v) => v === 'regressed').length) / aa.length).toFixed(1)}%, ` +
    `with confirmation ${((100 * aaConfirmed) / aa.length).toFixed(1)}%`,
);
console.log(`  RPS change between identical runs: median |change| ${median(aaRpsChange.map(Math.abs)).toFixed(1)}%, max ${Math.max(...aaRpsChange).toFixed(1)}%`);
for (const [i, level] of levels.entries()) {
  const verdicts: Verdict[] = [];
  const metricRegressed: boolean[] = [];
  const changes: number[] = [];
  let confirmed = 0;
  const runs = levelResults[i]!;
  for (const [j, cand] of runs.entries()) {
    for (const base of aResults) {
      const g = gate(base, cand);
      verdicts.push(g.verdict);
      metricRegressed.push(g[level.metric].verdict === 'regressed');
      changes.push(g[level.metric].changePct!);
      if (g[level.metric].verdict === 'regressed' && runs.length > 1 && gate(base, runs[(j + 1) % runs.length]!)[level.metric].verdict === 'regressed') confirmed++;
    }
  }
  const rate = (100 * metricRegressed.filter(Boolean).length) / metricRegressed.length;
  const confirmedRate = (100 * confirmed) / metricRegressed.length;
  console.log(
    `${level.name.padEnd(30)} detected (${level.metric} regressed) ${rate.toFixed(0)}% of ${metricRegressed.length} gates, with confirmation ${confirmedRate.toFixed(0)}%; ` +
      `measured ${level.metric} change median ${median(changes).toFixed(1)}%${level.expectPct ? ` (injected ${level.expectPct}%)` : ''}; ${tally(verdicts)}`,
  );
}
