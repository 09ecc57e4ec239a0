// Paired gates' verdict quality, from pools of interleaved rounds.
//
// A paired gate (compare-to: base) boots base and head and runs R interleaved rounds. To rate
// a gate design we need many gates per injected change; measuring each one costs its full wall
// time. Instead, for every level (identical code, calibrated RPS slowdowns, a slow tail) this
// bench boots base and head `boots` times, each boot running `rounds` interleaved rounds of
// `seconds` s per side — exactly what one long paired gate measures — in one random order of
// levels x boots, so a drift of the runner hits every level alike. A gate of R rounds is then
// R consecutive rounds of one boot (every start offset: the gates overlap, so read the rates
// with the count of disjoint gates beside them); "with confirmation" also needs the gate at the
// same offset in the next boot of that level (a fresh boot, as the real confirmation run does)
// to say regressed.
//
// The slowdowns are calibrated, then checked: EXAMPLE_SPIN_US burns CPU time per request,
// sized from the server CPU per request measured in a first A/A boot; the change each level
// really made is printed as measured over its whole pool.
//
// Run: node --import tsx bench/gate-quality-pool.ts [boots=4] [rounds per boot=40] [seconds=1] [gate rounds=10,20,30]
// GATE_QUALITY_SAVE=file keeps the pool; GATE_QUALITY_LOAD=file judges a saved pool again.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from '../src/compare.js';
import { readConfig } from '../src/config.js';
import { runGate } from '../src/pipeline.js';
import { median, pairedRatioInterval, toPct } from '../src/stats.js';
import type { Config, Sample } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (i: number, fallback: string) => process.argv[i] ?? fallback;
const boots = Number(arg(2, '4'));
const rounds = Number(arg(3, '40'));
const seconds = Number(arg(4, '1'));
const gateRounds = arg(5, '10,20,30').split(',').map(Number);
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };
const SERVER = 'server: gunicorn-gthread, app: "app:app", workers: 2';
const CONFIDENCE = 0.99;

interface Level {
  name: string;
  env: Record<string, string>;
  metric: 'rps' | 'p99';
}
interface Boot {
  level: string;
  samples: Sample[];
  seconds: number;
}
interface Pool {
  settings: { rounds: number; seconds: number; cpuMsPerRequest: number; probe: string };
  levels: Level[];
  boots: Boot[];
}

function pairedConfig(headEnv: Record<string, string>, n: number): Config {
  const env = Object.entries(headEnv).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const yaml = `targets:\n  - { name: base, ${SERVER} }\n  - { name: head, ${SERVER}, env: { ${env} } }\n`;
  return readConfig({
    getInput: (name) =>
      ({
        config: 'pool.yml',
        'working-directory': path.join(ROOT, 'examples', 'flask'),
        path: '/json',
        connections: '8',
        rounds: String(n),
        'duration-seconds': String(seconds),
        'warmup-seconds': '1',
        'compare-to': 'none',
        python: '/usr/bin/python3',
      })[name] ?? '',
    readFile: (file) => (file.endsWith('pool.yml') ? yaml : undefined),
    workspace: ROOT,
    cores: os.availableParallelism(),
  });
}

async function measureBoot(level: Level, n: number): Promise<Boot> {
  const t0 = Date.now();
  const result = await runGate(pairedConfig(level.env, n), { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
  return { level: level.name, samples: result.samples, seconds: (Date.now() - t0) / 1000 };
}

async function measurePool(): Promise<Pool> {
  // Calibration: a spin sized from the server CPU per request (spin = cpu x (1/(1-d) - 1))
  // overshoots under gthread (a spinning thread holds the GIL while the others wait on I/O),
  // so the slowdown of a probe spin is measured, and 1/RPS taken as linear in the spin.
  const aa: Level = { name: 'A/A (identical)', env: {}, metric: 'rps' };
  const first = await measureBoot(aa, 5);
  const cpuMs = median(first.samples.filter((s) => s.server).map((s) => (s.server!.cpuSeconds * 1000) / s.requests));
  const probeUs = Math.round(cpuMs * 1000 * (1 / 0.75 - 1));
  const probe = await measureBoot({ name: 'probe', env: { EXAMPLE_SPIN_US: String(probeUs) }, metric: 'rps' }, 10);
  const probeRatio = 1 + poolChangePct([probe], 'rps').pct / 100;
  const costPerUs = (1 / probeRatio - 1) / probeUs; // relative cost a microsecond of spin adds
  const spinFor = (d: number) => ((1 / (1 - d / 100) - 1) / costPerUs).toFixed(0);
  const levels: Level[] = [
    aa,
    ...[5, 10, 25].map((d) => ({ name: `RPS -${d}% (spin ${spinFor(d)} us)`, env: { EXAMPLE_SPIN_US: spinFor(d) }, metric: 'rps' as const })),
    { name: 'tail: 1% of requests +20 ms', env: { EXAMPLE_TAIL_PCT: '1', EXAMPLE_TAIL_MS: '20' }, metric: 'p99' },
  ];
  process.stderr.write(`calibration: a ${probeUs} us spin changed RPS by ${((probeRatio - 1) * 100).toFixed(1)}%\n`);
  process.stderr.write(`server CPU per request ${cpuMs.toFixed(3)} ms; levels: ${levels.map((l) => l.name).join('; ')}\n`);
  const order = levels.flatMap((l) => Array.from({ length: boots }, () => l));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const measured: Boot[] = [];
  for (const [i, level] of order.entries()) {
    measured.push(await measureBoot(level, rounds));
    process.stderr.write(`boot ${i + 1}/${order.length} (${level.name}) done in ${measured.at(-1)!.seconds.toFixed(0)} s\n`);
  }
  return { settings: { rounds, seconds, cpuMsPerRequest: cpuMs, probe: `${probeUs} us spin: ${((probeRatio - 1) * 100).toFixed(1)}% RPS` }, levels, boots: measured };
}

const pool: Pool = process.env.GATE_QUALITY_LOAD ? JSON.parse(readFileSync(process.env.GATE_QUALITY_LOAD, 'utf8')) : await measurePool();
if (process.env.GATE_QUALITY_SAVE && !process.env.GATE_QUALITY_LOAD) writeFileSync(process.env.GATE_QUALITY_SAVE, JSON.stringify(pool));

const scenarios = pairedConfig({}, 1).scenarios;
const inRounds = (samples: Sample[], from: number, to: number) => samples.filter((s) => s.round >= from && s.round < to);

/** The paired gate's verdict on rounds [from, to) of one boot, for one metric. */
function judge(boot: Boot, from: number, to: number, metric: 'rps' | 'p99' | undefined) {
  const samples = inRounds(boot.samples, from, to);
  const c = compare({
    scenarios,
    target: 'head',
    candidate: samples,
    baseline: samples.filter((s) => s.target === 'base').map((s) => ({ ...s, target: 'head' })),
    paired: true,
    baselineExpected: true,
    confidence: CONFIDENCE,
  });
  const m = c.scenarios[0]!.metrics.find((x) => x.metric === metric);
  // Identical code: any gating metric that regresses is a false alarm. An injected change: the
  // metric it was injected into must be the one that regresses.
  return { regressed: metric === undefined ? c.verdict === 'regressed' : m!.verdict === 'regressed' };
}

/** Per-round log ratio head/base of a metric, over a whole boot. */
type PoolMetric = 'rps' | 'p99' | 'cpuPerRequest';
const VALUE: Record<PoolMetric, (s: Sample) => number> = {
  rps: (s) => s.rps,
  p99: (s) => s.latencyUs.p99,
  cpuPerRequest: (s) => (s.server && s.requests ? s.server.cpuSeconds / s.requests : NaN),
};
function poolChangePct(bootsOfLevel: Boot[], metric: PoolMetric): { pct: number; sdPct: number; pairs: number } {
  const value = VALUE[metric];
  const ratios: number[] = [];
  for (const b of bootsOfLevel) {
    const base = new Map(b.samples.filter((s) => s.target === 'base' && !s.failure).map((s) => [s.round, value(s)]));
    for (const s of b.samples.filter((x) => x.target === 'head' && !x.failure)) {
      const v = base.get(s.round);
      if (v && v > 0 && value(s) > 0) ratios.push(Math.log(value(s) / v));
    }
  }
  const iv = pairedRatioInterval(ratios.map(() => 1), ratios.map(Math.exp), CONFIDENCE);
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratios.length - 1));
  return { pct: iv ? toPct(iv.ratio) : NaN, sdPct: sd * 100, pairs: ratios.length };
}

const bootSeconds = median(pool.boots.map((b) => b.seconds));
const overhead = Math.max(0, bootSeconds - pool.settings.rounds * 2 * pool.settings.seconds);
console.log(
  `pool: ${pool.boots.length} boots of ${pool.settings.rounds} paired rounds of ${pool.settings.seconds} s per side ` +
    `(gunicorn gthread 2 workers, Flask /json, 8 connections, confidence ${CONFIDENCE}); ` +
    `server CPU per request ${pool.settings.cpuMsPerRequest.toFixed(3)} ms; calibration probe ${pool.settings.probe}; boot+warmup+teardown overhead ${overhead.toFixed(1)} s per gate`,
);
for (const level of pool.levels) {
  const c = poolChangePct(pool.boots.filter((b) => b.level === level.name), level.metric);
  const cpu = poolChangePct(pool.boots.filter((b) => b.level === level.name), 'cpuPerRequest');
  console.log(
    `  ${level.name.padEnd(34)} measured ${level.metric} change over the pool ${c.pct.toFixed(1)}% (${c.pairs} pairs, sd of a round's log ratio ${c.sdPct.toFixed(1)}%); ` +
      `server CPU per request ${cpu.pct >= 0 ? '+' : ''}${cpu.pct.toFixed(1)}% (sd ${cpu.sdPct.toFixed(1)}%)`,
  );
}

for (const R of gateRounds) {
  const wall = overhead + R * 2 * pool.settings.seconds;
  console.log(`\ngate of ${R} rounds (${(R * 2 * pool.settings.seconds).toFixed(0)} s of load + ${overhead.toFixed(0)} s overhead = about ${wall.toFixed(0)} s per gate):`);
  for (const level of pool.levels) {
    const levelBoots = pool.boots.filter((b) => b.level === level.name);
    let gates = 0;
    let hits = 0;
    let confirmed = 0;
    for (const [i, boot] of levelBoots.entries()) {
      const next = levelBoots[(i + 1) % levelBoots.length]!;
      const last = Math.max(...boot.samples.map((s) => s.round));
      for (let from = 1; from + R - 1 <= last; from++) {
        const metric = Object.keys(level.env).length === 0 ? undefined : level.metric;
        gates++;
        if (!judge(boot, from, from + R, metric).regressed) continue;
        hits++;
        if (levelBoots.length > 1 && judge(next, from, from + R, metric).regressed) confirmed++;
      }
    }
    const disjoint = levelBoots.length * Math.floor(pool.settings.rounds / R);
    const pct = (k: number) => `${((100 * k) / Math.max(1, gates)).toFixed(1)}%`;
    const what = Object.keys(level.env).length === 0 ? 'false alarms (any metric regressed)' : `detected (${level.metric} regressed)`;
    console.log(`  ${level.name.padEnd(34)} ${what} ${pct(hits)} of ${gates} gates (${disjoint} disjoint); with confirmation ${pct(confirmed)}`);
  }
}
