// Paired gates' verdict quality, from pools of interleaved rounds.
//
// A paired gate (compare-to: base) boots base and head and runs R interleaved rounds. To rate
// a gate design we need many gates per injected change; measuring each one costs its full wall
// time. Instead, for every level (identical code, calibrated RPS slowdowns, a slow tail) and
// every trial length, this bench boots base and head `boots` times, each boot running as many
// interleaved rounds as fill `load` seconds per side (exactly what one long paired gate
// measures), all boots in one random order, so a drift of the runner hits every level and
// trial length alike. A gate of G seconds of load per side is then the G/length consecutive
// rounds of one boot from every start offset (the gates overlap: read the rates with the count
// of disjoint gates beside them). "With confirmation" also needs the gate at the same offset in
// the next boot of that level and length (a fresh boot, as the real confirmation run does) to
// say regressed.
//
// The slowdowns are calibrated, then checked: EXAMPLE_SPIN_US burns CPU time per request; a
// probe spin's effect on RPS is measured first and 1/RPS taken as linear in the spin (a spin
// sized from CPU time alone overshoots under gthread: the spinning thread holds the GIL while
// the others wait on I/O). The change each level really made is printed, measured over its
// whole pool.
//
// Run: node --import tsx bench/gate-quality-pool.ts [boots=3] [load s per side per boot=30] [trial lengths=0.5,1] [gate load s=10,20,30]
// GATE_QUALITY_SAVE=file keeps the pool; GATE_QUALITY_LOAD=file judges a saved pool again;
// GATE_QUALITY_AA=boots,seconds gives identical code its own number and length of boots.
// GATE_QUALITY_LEVELS=5,10,tail picks the injected changes (RPS drops in %, the slow tail).
// GATE_QUALITY_HOG=0.5 starts a noisy neighbour for the whole bench: a process that burns CPU
// for that share of every 100 ms (a CPU hog at a fixed duty cycle, free to run on any core),
// stopped by its pid when the bench ends.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare } from '../src/gate/compare.js';
import { readConfig } from '../src/config/config.js';
import { runGate } from '../src/pipeline/pipeline.js';
import { median, pairedRatioInterval, toPct } from '../src/stats/intervals.js';
import type { Comparison, Config, Sample, Verdict } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (i: number, fallback: string) => process.argv[i] ?? fallback;
const list = (s: string) => s.split(',').map(Number);
const boots = Number(arg(2, '3'));
const loadSeconds = Number(arg(3, '30'));
const lengths = list(arg(4, '0.5,1'));
const gateLoads = list(arg(5, '10,20,30'));
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };
// GATE_QUALITY_SERVER=gunicorn (a preset) and GATE_QUALITY_APP=django (its /db on sqlite) pick
// another server and app; gunicorn gthread on the Flask example's /json by default.
const APP = process.env.GATE_QUALITY_APP === 'django' ? { dir: 'django', module: 'exampleproject.wsgi:application', path: '/db' } : { dir: 'flask', module: 'app:app', path: '/json' };
const SERVER = `server: ${process.env.GATE_QUALITY_SERVER ?? 'gunicorn-gthread'}, app: "${APP.module}", workers: 2`;
const CONFIDENCE = 0.99;

interface Level {
  name: string;
  env: Record<string, string>;
  metric: 'rps' | 'p99';
}
interface Boot {
  level: string;
  /** Trial length in seconds. */
  length: number;
  samples: Sample[];
  wallSeconds: number;
}
interface Pool {
  settings: { loadSeconds: number; cpuMsPerRequest: number; probe: string; hogDuty?: number; server?: string; app?: string };
  levels: Level[];
  boots: Boot[];
}

function pairedConfig(headEnv: Record<string, string>, rounds: number, seconds: number): Config {
  const env = Object.entries(headEnv).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const yaml = `targets:\n  - { name: base, ${SERVER} }\n  - { name: head, ${SERVER}, env: { ${env} } }\n`;
  return readConfig({
    getInput: (name) =>
      ({
        config: 'pool.yml',
        'working-directory': path.join(ROOT, 'examples', APP.dir),
        path: APP.path,
        connections: '8',
        rounds: String(rounds),
        'duration-seconds': String(seconds),
        'warmup-seconds': '1',
        'compare-to': 'none',
        python: '/usr/bin/python3',
        // The wall-clock gate only: these benches measure it, not the hardening checks or Valgrind counts.
        hardening: 'off',
        instructions: 'off',
      })[name] ?? '',
    readFile: (file) => (file.endsWith('pool.yml') ? yaml : undefined),
    workspace: ROOT,
    cores: os.availableParallelism(),
  });
}

async function measureBoot(level: Level, rounds: number, length: number): Promise<Boot> {
  const t0 = Date.now();
  const result = await runGate(pairedConfig(level.env, rounds, length), { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
  return { level: level.name, length, samples: result.samples, wallSeconds: (Date.now() - t0) / 1000 };
}

type PoolMetric = 'rps' | 'p99' | 'cpuPerRequest';
const VALUE: Record<PoolMetric, (s: Sample) => number> = {
  rps: (s) => s.rps,
  p99: (s) => s.latencyUs.p99,
  cpuPerRequest: (s) => (s.server && s.requests ? s.server.cpuSeconds / s.requests : NaN),
};

/** Head/base change of a metric over whole boots (paired by round), and the spread of one round's log ratio. */
function poolChange(bootsOfLevel: Boot[], metric: PoolMetric): { pct: number; sdPct: number; pairs: number } {
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

async function measurePool(): Promise<Pool> {
  const aa: Level = { name: 'A/A (identical)', env: {}, metric: 'rps' };
  const first = await measureBoot(aa, 10, 0.5);
  const cpuMs = median(first.samples.filter((s) => s.server).map((s) => (s.server!.cpuSeconds * 1000) / s.requests));
  const probeUs = Math.round(cpuMs * 1000 * (1 / 0.75 - 1));
  const probe = await measureBoot({ name: 'probe', env: { EXAMPLE_SPIN_US: String(probeUs) }, metric: 'rps' }, 20, 0.5);
  const probeRatio = 1 + poolChange([probe], 'rps').pct / 100;
  const costPerUs = (1 / probeRatio - 1) / probeUs; // relative cost a microsecond of spin adds
  const spinFor = (d: number) => ((1 / (1 - d / 100) - 1) / costPerUs).toFixed(0);
  const wanted = (process.env.GATE_QUALITY_LEVELS ?? '5,10,25,tail').split(',');
  const levels: Level[] = [
    aa,
    ...wanted.filter((w) => w !== 'tail').map(Number).map((d) => ({ name: `RPS -${d}% (spin ${spinFor(d)} us)`, env: { EXAMPLE_SPIN_US: spinFor(d) }, metric: 'rps' as const })),
    ...(wanted.includes('tail') ? [{ name: 'tail: 1% of requests +20 ms', env: { EXAMPLE_TAIL_PCT: '1', EXAMPLE_TAIL_MS: '20' }, metric: 'p99' as const }] : []),
  ];
  process.stderr.write(`calibration: a ${probeUs} us spin changed RPS by ${((probeRatio - 1) * 100).toFixed(1)}%\n`);
  // GATE_QUALITY_AA=boots,seconds: more (and longer) identical-code boots, for the share of
  // same-code gates that pass.
  const [aaBoots, aaLoad] = (process.env.GATE_QUALITY_AA ?? `${boots},${loadSeconds}`).split(',').map(Number) as [number, number];
  const order = levels.flatMap((level) =>
    lengths.flatMap((length) => Array.from({ length: level === aa ? aaBoots : boots }, () => ({ level, length, load: level === aa ? aaLoad : loadSeconds }))),
  );
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const measured: Boot[] = [];
  for (const [i, { level, length, load }] of order.entries()) {
    measured.push(await measureBoot(level, Math.round(load / length), length));
    process.stderr.write(`boot ${i + 1}/${order.length} (${level.name}, ${length} s trials) done in ${measured.at(-1)!.wallSeconds.toFixed(0)} s\n`);
  }
  return { settings: { loadSeconds, cpuMsPerRequest: cpuMs, probe: `${probeUs} us spin: ${((probeRatio - 1) * 100).toFixed(1)}% RPS`, hogDuty, server: SERVER, app: `${APP.dir}${APP.path}` }, levels, boots: measured };
}

const hogDuty = process.env.GATE_QUALITY_HOG ? Number(process.env.GATE_QUALITY_HOG) : undefined;
/** The noisy neighbour: busy for `duty` of every 100 ms, idle for the rest. */
function startHog(duty: number) {
  // It ends itself when the bench is gone (its parent changes), so a killed bench leaves no hog behind.
  const code = `const d=${duty * 100},p=${process.pid};for(;;){if(process.ppid!==p)process.exit();const t=Date.now();while(Date.now()-t<d);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,100-d);}`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  process.stderr.write(`noisy neighbour: pid ${child.pid}, busy ${duty * 100}% of every 100 ms\n`);
  return child;
}
const hog = !process.env.GATE_QUALITY_LOAD && hogDuty ? startHog(hogDuty) : undefined;
let measuredPool: Pool;
try {
  measuredPool = process.env.GATE_QUALITY_LOAD ? JSON.parse(readFileSync(process.env.GATE_QUALITY_LOAD, 'utf8')) : await measurePool();
} finally {
  hog?.kill('SIGKILL');
}
const pool: Pool = measuredPool;
if (process.env.GATE_QUALITY_SAVE && !process.env.GATE_QUALITY_LOAD) writeFileSync(process.env.GATE_QUALITY_SAVE, JSON.stringify(pool));

/**
 * The paired gate's verdict on rounds [from, to) of one boot. Identical code: any gating
 * metric that regresses is a false alarm; an injected change: the metric it was injected into
 * must be the one that regresses.
 */
function regressed(boot: Boot, from: number, to: number, metric: 'rps' | 'p99' | undefined): boolean {
  const c = judge(boot, from, to);
  return metric === undefined ? c.verdict === 'regressed' : c.scenarios[0]!.metrics.find((x) => x.metric === metric)?.verdict === 'regressed';
}

function judge(boot: Boot, from: number, to: number): Comparison {
  const samples = boot.samples.filter((s) => s.round >= from && s.round < to);
  const scenarios = pairedConfig({}, 1, boot.length).scenarios;
  return compare({
    scenarios,
    target: 'head',
    candidate: samples,
    baseline: samples.filter((s) => s.target === 'base').map((s) => ({ ...s, target: 'head' })),
    paired: true,
    baselineExpected: true,
    confidence: CONFIDENCE,
  });
}

const usedLengths = [...new Set(pool.boots.map((b) => b.length))].sort((a, b) => a - b);
console.log(
  `pool: ${pool.boots.length} boots, ${pool.settings.loadSeconds} s of load per side each, trial lengths ${usedLengths.join(' and ')} s ` +
    `(${process.env.GATE_QUALITY_SERVER ?? 'gunicorn-gthread'} 2 workers, ${APP.dir === 'django' ? 'Django' : 'Flask'} ${APP.path}, 8 connections, confidence ${CONFIDENCE}); server CPU per request ` +
    `${pool.settings.cpuMsPerRequest.toFixed(3)} ms; calibration probe ${pool.settings.probe}`,
);
for (const length of usedLengths) {
  const ofLength = pool.boots.filter((b) => b.length === length);
  const overhead = median(ofLength.map((b) => b.wallSeconds - 2 * pool.settings.loadSeconds));
  console.log(`\n${length} s trials (boot, warmup, teardown and per-trial overhead: ${overhead.toFixed(1)} s per gate beyond its load):`);
  for (const level of pool.levels) {
    const of = ofLength.filter((b) => b.level === level.name);
    const c = poolChange(of, level.metric);
    const cpu = poolChange(of, 'cpuPerRequest');
    console.log(
      `  ${level.name.padEnd(32)} measured ${level.metric} ${c.pct >= 0 ? '+' : ''}${c.pct.toFixed(1)}% over ${c.pairs} pairs ` +
        `(sd of one round's log ratio ${c.sdPct.toFixed(1)}%; server CPU per request ${cpu.pct >= 0 ? '+' : ''}${cpu.pct.toFixed(1)}%, sd ${cpu.sdPct.toFixed(1)}%)`,
    );
  }
  for (const gateLoad of gateLoads) {
    const R = Math.round(gateLoad / length);
    console.log(`  gate of ${R} rounds (${gateLoad} s of load per side, about ${(2 * gateLoad + overhead).toFixed(0)} s per gate):`);
    for (const level of pool.levels) {
      const of = ofLength.filter((b) => b.level === level.name);
      const metric = Object.keys(level.env).length === 0 ? undefined : level.metric;
      let gates = 0;
      let hits = 0;
      let confirmed = 0;
      const verdicts: Record<Verdict, number> = { pass: 0, inconclusive: 0, improved: 0, regressed: 0 };
      const p99HalfWidths: number[] = [];
      /** Identical code: which gating metric kept a gate from `pass`, and how. */
      const notPass = new Map<string, number>();
      for (const [i, boot] of of.entries()) {
        const next = of[(i + 1) % of.length]!;
        const last = Math.max(...boot.samples.map((s) => s.round));
        for (let from = 1; from + R - 1 <= last; from++) {
          gates++;
          if (metric === undefined) {
            const c = judge(boot, from, from + R);
            verdicts[c.verdict]++;
            for (const m of c.scenarios[0]!.metrics.filter((x) => x.gating && (x.verdict === 'inconclusive' || x.verdict === 'regressed'))) {
              const key = `${m.metric} ${m.verdict}`;
              notPass.set(key, (notPass.get(key) ?? 0) + 1);
            }
            const p99 = c.scenarios[0]!.metrics.find((m) => m.metric === 'p99');
            if (p99?.detectablePct !== undefined) p99HalfWidths.push(p99.detectablePct);
          }
          if (!regressed(boot, from, from + R, metric)) continue;
          hits++;
          if (of.length > 1 && regressed(next, from, from + R, metric)) confirmed++;
        }
      }
      const pct = (k: number) => `${((100 * k) / Math.max(1, gates)).toFixed(1)}%`;
      const disjoint = of.reduce((n, b) => n + Math.floor(Math.max(...b.samples.map((s) => s.round)) / R), 0);
      const what = metric === undefined ? 'false alarms (any metric)' : `detected (${level.metric} regressed)`;
      console.log(`    ${level.name.padEnd(30)} ${what} ${pct(hits)} of ${gates} gates (${disjoint} disjoint); with confirmation ${pct(confirmed)}`);
      if (metric === undefined) {
        console.log(
          `      verdicts: pass ${pct(verdicts.pass)}, inconclusive ${pct(verdicts.inconclusive)}, improved ${pct(verdicts.improved)}, regressed ${pct(verdicts.regressed)}; ` +
            `p99 interval half-width median ${median(p99HalfWidths).toFixed(1)}%`,
        );
        console.log(`      gating metrics not passing: ${[...notPass].map(([k, n]) => `${k} ${pct(n)}`).join(', ') || 'none'}`);
      }
    }
  }
}
