// Where one paired round's noise comes from, and what narrows it per second of measuring.
//
// A paired gate decides from the head/base log ratios of its rounds; the interval narrows with
// sd / sqrt(rounds), and rounds cost time. So the figure of merit of a setting is the variance
// of one round's log ratio times the wall time a round costs: the lower, the sooner a gate
// decides. For every setting this bench boots base and head of identical code (paired, real
// load, the product's own runGate) and prints, per metric, the sd of one round's log ratio,
// the seconds a round cost, and sd x sqrt(seconds per round) (the interval's half-width after
// one second of rounds, up to a constant: compare rows by it).
//
// Run: node --import tsx bench/round-noise.ts [rounds=40] SETTING...
//   SETTING = server:workers:connections:trialSeconds[:app[:path]], e.g. gunicorn-gthread:2:8:0.5
//   app is flask (default) or django (the Django example on sqlite, path /db by default).
// ROUND_NOISE_HOG=0.5 runs a noisy neighbour (CPU busy for that share of every 100 ms).
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../src/config/config.js';
import { runGate } from '../src/pipeline/pipeline.js';
import type { Config, Sample } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? '40');
const settings = process.argv.slice(3);
if (!Number.isInteger(rounds) || rounds < 4 || settings.length === 0) {
  process.stderr.write('usage: bench/round-noise.ts ROUNDS server:workers:connections:trialSeconds[:app[:path]]...\n');
  process.exit(2);
}
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };

interface Setting {
  server: string;
  workers: number;
  connections: number;
  seconds: number;
  app: 'flask' | 'django';
  path: string;
}

function parseSetting(s: string): Setting {
  const [server, workers, connections, seconds, app = 'flask', urlPath] = s.split(':');
  if (!server || !Number(workers) || !Number(connections) || !Number(seconds) || (app !== 'flask' && app !== 'django')) {
    throw new Error(`setting "${s}": expected server:workers:connections:trialSeconds[:flask|django[:path]]`);
  }
  return { server, workers: Number(workers), connections: Number(connections), seconds: Number(seconds), app, path: urlPath ?? (app === 'flask' ? '/json' : '/db') };
}

function config(s: Setting): Config {
  const app = s.app === 'flask' ? 'app:app' : 'mysite.wsgi:application';
  const server = `server: ${s.server}, app: "${app}", workers: ${s.workers}`;
  const yaml = `targets:\n  - { name: base, ${server} }\n  - { name: head, ${server} }\n`;
  return readConfig({
    getInput: (name) =>
      ({
        config: 'noise.yml',
        'working-directory': path.join(ROOT, 'examples', s.app),
        path: s.path,
        connections: String(s.connections),
        rounds: String(rounds),
        'duration-seconds': String(s.seconds),
        'warmup-seconds': '1',
        'compare-to': 'none',
        python: '/usr/bin/python3',
        hardening: 'off',
        instructions: 'off',
        queries: 'off',
      })[name] ?? '',
    readFile: (file) => (file.endsWith('noise.yml') ? yaml : undefined),
    workspace: ROOT,
    cores: os.availableParallelism(),
  });
}

const METRICS: Record<string, (s: Sample) => number> = {
  rps: (s) => s.rps,
  p50: (s) => s.latencyUs.p50,
  p99: (s) => s.latencyUs.p99,
};

function sd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function roundLogRatios(samples: Sample[], value: (s: Sample) => number): { ratios: number[]; firstMinusSecond: number[] } {
  const byRound = new Map<number, Sample[]>();
  for (const s of samples) byRound.set(s.round, [...(byRound.get(s.round) ?? []), s]);
  const ratios: number[] = [];
  const firstMinusSecond: number[] = [];
  for (const pair of byRound.values()) {
    const head = pair.find((s) => s.target === 'head');
    const base = pair.find((s) => s.target === 'base');
    if (!head || !base || !(value(head) > 0) || !(value(base) > 0)) continue;
    ratios.push(Math.log(value(head) / value(base)));
    const [first, second] = head.startedAt < base.startedAt ? [head, base] : [base, head];
    firstMinusSecond.push(Math.log(value(first) / value(second)));
  }
  return { ratios, firstMinusSecond };
}

const hogDuty = process.env.ROUND_NOISE_HOG ? Number(process.env.ROUND_NOISE_HOG) : undefined;
const hog = hogDuty
  ? spawn(
      process.execPath,
      ['-e', `const d=${hogDuty * 100},p=${process.pid};for(;;){if(process.ppid!==p)process.exit();const t=Date.now();while(Date.now()-t<d);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,100-d);}`],
      { stdio: 'ignore' },
    )
  : undefined;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
try {
  process.stdout.write(`${rounds} rounds per setting, identical code on both sides${hogDuty ? `, noisy neighbour busy ${hogDuty * 100}% of every 100 ms` : ''}\n\n`);
  process.stdout.write('| setting | s per round | rps sd | p50 sd | p99 sd | rps sd x sqrt(s) | p99 sd x sqrt(s) | first/second rps |\n|---|---|---|---|---|---|---|---|\n');
  for (const s of settings.map(parseSetting)) {
    const t0 = Date.now();
    const result = await runGate(config(s), { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
    const trialSamples = result.samples.filter((x) => !x.failure);
    const roundsRun = new Set(trialSamples.map((x) => x.round)).size;
    const perRound = (Date.now() - t0) / 1000 / roundsRun;
    const sds = Object.fromEntries(Object.entries(METRICS).map(([m, f]) => [m, sd(roundLogRatios(trialSamples, f).ratios)]));
    const order = roundLogRatios(trialSamples, METRICS.rps!).firstMinusSecond;
    const orderMean = order.reduce((a, b) => a + b, 0) / order.length;
    process.stdout.write(
      `| ${s.server} x${s.workers} ${s.app}${s.path} ${s.connections} conns ${s.seconds} s | ${perRound.toFixed(2)} | ${pct(sds.rps!)} | ${pct(sds.p50!)} | ${pct(sds.p99!)} | ${(sds.rps! * Math.sqrt(perRound) * 100).toFixed(1)} | ${(sds.p99! * Math.sqrt(perRound) * 100).toFixed(1)} | ${orderMean >= 0 ? '+' : ''}${pct(orderMean)} |\n`,
    );
  }
} finally {
  hog?.kill('SIGKILL');
}
