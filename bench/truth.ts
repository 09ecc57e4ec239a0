// Checks our load driver against two independent generators, wrk and ApacheBench (`ab`, both
// Debian packages, both C event loops): for each server, the three take turns on the same
// running server with the same connections and trial length, and the ratios of RPS, p50 and
// p99 to ab's are printed with their spread (median [min-max] over rounds). ab is the third
// reference that settles a disagreement between ours and wrk (docs/accuracy.md).
// The generator is pinned to CPU 0 and the server to the other CPUs, as the gate runs them.
// Ours also counts responses per connection: the last column says whether every connection was
// served in every round (the least-served one's share of an even split), which wrk and ab do not
// check (a request that never got an answer is not in their figures).
// Run: node --import tsx bench/truth.ts [rounds=6] [seconds=3] [connections=16] [servers=all, comma-separated] [workers=2]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAffinity, setAffinity } from '../src/server/cpuPlacement.js';
import { runTrial } from '../src/load/trial.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { freePort, startServer, waitUntilReady } from '../src/server/server.js';
import { median } from '../src/stats/intervals.js';
import { unevenService } from '../src/load/connectionFairness.js';
import type { Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [rounds, seconds, connections] = [Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 16)];
const SERVERS = (process.argv[5]?.split(',') ?? ['gunicorn', 'gunicorn-gthread', 'uwsgi', 'uwsgi-http', 'uwsgi-http11-socket', 'waitress']) as PresetName[];
/** 2 workers by default: gunicorn gthread is then 2 x 4 threads, the setup where wrk and ours disagreed. */
const WORKERS = Number(process.argv[6] ?? 2);

const scenario: Scenario = {
  name: '/',
  method: 'GET',
  path: '/',
  headers: {},
  connections,
  durationSeconds: seconds,
  timeoutSeconds: 10,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
};

function toMs(value: string, unit: string): number {
  return Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency in ms: RPS x mean is how many requests were at the server at once (Little's law). */
  mean: number;
  /** ab only: the share of requests sent on a kept-alive connection (ab speaks HTTP/1.0). */
  keptAlive?: number;
  /** Ours only: the least-served connection's responses over an even share, and whether the trial was uneven. */
  leastServed?: number;
  uneven?: boolean;
}

function wrk(url: string, generatorCpu: number): Figures {
  const out = execFileSync('taskset', ['-c', String(generatorCpu), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const avg = /Latency\s+([\d.]+)(us|ms|s)/.exec(out)!;
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), p50: pct('50'), p99: pct('99'), mean: toMs(avg[1]!, avg[2]!) };
}

/** ApacheBench with keep-alive; its -e file has every whole percentile in ms with 3 decimals. */
function ab(url: string, generatorCpu: number): Figures {
  const csv = path.join(os.tmpdir(), `perf-gate-truth-ab-${process.pid}.csv`);
  // -n after -t: -t alone caps the run at 50,000 requests.
  const out = execFileSync('taskset', ['-c', String(generatorCpu), 'ab', '-q', '-k', '-c', String(connections), '-t', String(seconds), '-n', '10000000', '-e', csv, url], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const pct = new Map(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number) as [number, number]));
  rmSync(csv, { force: true });
  // "Total:  min  mean[+/-sd] median max" in whole ms.
  const total = /^Total:\s+\d+\s+(\d+)/m.exec(out);
  const done = Number(/Complete requests:\s+(\d+)/.exec(out)![1]);
  const keptAlive = Number(/Keep-Alive requests:\s+(\d+)/.exec(out)?.[1] ?? 0) / done;
  return { rps: Number(/Requests per second:\s+([\d.]+)/.exec(out)![1]), p50: pct.get(50)!, p99: pct.get(99)!, mean: total ? Number(total[1]) : NaN, keptAlive };
}

async function ours(baseUrl: string): Promise<Figures> {
  const r = await runTrial({ baseUrl, scenario, durationSeconds: seconds });
  const counts = r.responsesPerConnection ?? [];
  const share = counts.reduce((a, b) => a + b, 0) / counts.length;
  return {
    rps: r.rps,
    p50: r.latencyUs.p50 / 1000,
    p99: r.latencyUs.p99 / 1000,
    mean: r.latencyUs.mean / 1000,
    leastServed: Math.min(...counts) / share,
    uneven: unevenService(counts) !== undefined,
  };
}

/** Whether every round served every connection: the least-served connection's share at worst, and the uneven rounds. */
const served = (rounds: Figures[]) => {
  const uneven = rounds.filter((f) => f.uneven).length;
  const least = Math.min(...rounds.map((f) => f.leastServed ?? 0));
  return `${uneven === 0 ? 'all' : `UNEVEN in ${uneven} of ${rounds.length} rounds`}, least-served ${(100 * least).toFixed(0)}% of a share`;
};

const spread = (xs: number[]) => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}]`;

const cpus = readAffinity(process.pid) ?? [0, 1];
const [generatorCpu, ...serverCpus] = cpus;
setAffinity(process.pid, [generatorCpu!]);
console.log(`${rounds} interleaved rounds of ${seconds} s, ${connections} connections, ${WORKERS} workers; generator on CPU ${generatorCpu}, server on CPU ${serverCpus.join(',')}`);
console.log('median [min-max] over rounds of the ratio to ab, and ours/wrk; then the medians of p99 in ms and of RPS');
console.log('and of the requests at the server at once (RPS x mean latency, Little\'s law; the rest of the connections wait in the generator)');
console.log(
  `${'server'.padEnd(18)} ${'ours/ab p99'.padEnd(20)} ${'wrk/ab p99'.padEnd(20)} ${'ours/ab p50'.padEnd(20)} ${'ours/ab RPS'.padEnd(20)} ` +
    `${'ours/wrk p99'.padEnd(20)} ${'ours/wrk RPS'.padEnd(20)} ` +
    'p99 ms ours, wrk, ab | RPS ours, wrk, ab | at once ours, wrk, ab | ab kept alive | connections served (ours)',
);
for (const server of SERVERS) {
  const { command, stopSignal } = presetCommand({ server, app: 'app:app', workers: WORKERS, python: '/usr/bin/python3', cores: 2 });
  const target: Target = { name: server, command, workingDirectory: path.join(ROOT, 'examples', 'flask'), url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 30, env: {}, stopSignal };
  const running = await startServer(target, { port: await freePort(), cpus: serverCpus.length ? serverCpus : undefined });
  try {
    await waitUntilReady(running);
    await runTrial({ baseUrl: running.baseUrl, scenario, durationSeconds: 1 }); // warmup
    const url = `${running.baseUrl}/`;
    const tools: Record<string, () => Promise<Figures>> = {
      ours: () => ours(running.baseUrl),
      wrk: async () => wrk(url, generatorCpu!),
      ab: async () => ab(url, generatorCpu!),
    };
    const got: Record<string, Figures[]> = { ours: [], wrk: [], ab: [] };
    for (let r = 0; r < rounds; r++) {
      // Rotate who goes first, so a drift of the runner hits all three alike.
      const names = Object.keys(tools);
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length]!;
        got[name]!.push(await tools[name]!());
      }
    }
    const ratio = (tool: string, key: 'rps' | 'p50' | 'p99' | 'mean') => got[tool]!.map((f, i) => f[key] / got.ab![i]![key]);
    const versusWrk = (key: 'rps' | 'p99') => got.ours!.map((f, i) => f[key] / got.wrk![i]![key]);
    const med = (tool: string, key: 'rps' | 'p50' | 'p99' | 'mean') => median(got[tool]!.map((f) => f[key]));
    console.log(
      `${server.padEnd(18)} ${spread(ratio('ours', 'p99')).padEnd(20)} ${spread(ratio('wrk', 'p99')).padEnd(20)} ${spread(ratio('ours', 'p50')).padEnd(20)} ${spread(ratio('ours', 'rps')).padEnd(20)} ` +
        `${spread(versusWrk('p99')).padEnd(20)} ${spread(versusWrk('rps')).padEnd(20)} ` +
        `${['ours', 'wrk', 'ab'].map((t) => med(t, 'p99').toFixed(2)).join(', ')} | ${['ours', 'wrk', 'ab'].map((t) => med(t, 'rps').toFixed(0)).join(', ')} | ` +
        ['ours', 'wrk', 'ab'].map((t) => median(got[t]!.map((f) => (f.rps * f.mean) / 1000)).toFixed(1)).join(', ') +
        ` | ab kept alive ${(100 * median(got.ab!.map((f) => f.keptAlive ?? 0))).toFixed(0)}%` +
        ` | ${served(got.ours!)}`,
    );
  } finally {
    await running.stop();
  }
}
setAffinity(process.pid, cpus);
