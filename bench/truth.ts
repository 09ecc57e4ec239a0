// Checks our load driver against an independent generator (wrk, Debian package): for each
// server, ours and wrk take turns on the same running server with the same connections and
// trial length, and the ratios ours/wrk of RPS, p50 and p99 are printed with their spread.
// The generator is pinned to CPU 0 and the server to the other CPUs, as the gate runs them.
// Run: node --import tsx bench/truth.ts [rounds=6] [seconds=3] [connections=16]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAffinity, setAffinity } from '../src/server/cpuPlacement.js';
import { runTrial } from '../src/load/trial.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { freePort, startServer, waitUntilReady } from '../src/server/server.js';
import { median } from '../src/gate/stats.js';
import type { Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [rounds, seconds, connections] = [Number(process.argv[2] ?? 6), Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 16)];
const SERVERS: PresetName[] = ['gunicorn', 'gunicorn-gthread', 'uwsgi', 'uwsgi-http', 'waitress'];

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

function wrk(url: string, generatorCpu: number): { rps: number; p50: number; p99: number } {
  const out = execFileSync('taskset', ['-c', String(generatorCpu), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), p50: pct('50'), p99: pct('99') };
}

const spread = (xs: number[]) => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}]`;

const cpus = readAffinity(process.pid) ?? [0, 1];
const [generatorCpu, ...serverCpus] = cpus;
setAffinity(process.pid, [generatorCpu!]);
console.log(`${rounds} interleaved rounds of ${seconds} s, ${connections} connections; generator on CPU ${generatorCpu}, server on CPU ${serverCpus.join(',')}`);
console.log('server             ratio ours/wrk: RPS              p50                 p99              | ours rps, wrk rps (medians)');
for (const server of SERVERS) {
  const { command, stopSignal } = presetCommand({ server, app: 'app:app', workers: 3, python: '/usr/bin/python3', cores: 2 });
  const target: Target = { name: server, command, workingDirectory: path.join(ROOT, 'examples', 'flask'), url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 30, env: {}, stopSignal };
  const running = await startServer(target, { port: await freePort(), cpus: serverCpus.length ? serverCpus : undefined });
  try {
    await waitUntilReady(running);
    await runTrial({ baseUrl: running.baseUrl, scenario, durationSeconds: 1 }); // warmup
    const ratios = { rps: [] as number[], p50: [] as number[], p99: [] as number[] };
    const rps = { ours: [] as number[], wrk: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first, so a drift of the runner hits both alike.
      const first = r % 2 === 0;
      const w1 = first ? undefined : wrk(`${running.baseUrl}/`, generatorCpu!);
      const ours = await runTrial({ baseUrl: running.baseUrl, scenario, durationSeconds: seconds });
      const w = w1 ?? wrk(`${running.baseUrl}/`, generatorCpu!);
      ratios.rps.push(ours.rps / w.rps);
      ratios.p50.push(ours.latencyUs.p50 / 1000 / w.p50);
      ratios.p99.push(ours.latencyUs.p99 / 1000 / w.p99);
      rps.ours.push(ours.rps);
      rps.wrk.push(w.rps);
    }
    console.log(`${server.padEnd(18)} ${spread(ratios.rps).padEnd(20)} ${spread(ratios.p50).padEnd(20)} ${spread(ratios.p99).padEnd(20)} | ${median(rps.ours).toFixed(0)}, ${median(rps.wrk).toFixed(0)}`);
  } finally {
    await running.stop();
  }
}
setAffinity(process.pid, cpus);
