// Instructions per request on real Flask and Django endpoints, counted three ways: as before
// (cyclic garbage collector on, requests sent back to back), with the collector off
// (pythonStartup.ts), and with the collector off and each request sent once the worker is idle
// (idleWorkers.ts; today's default). Prints the spread between windows of one boot, the spread
// across boots, and the A/A gates at the default threshold. gunicorn, one sync worker, as the
// gate counts it.
// Run: node --import tsx bench/instructions-gc.ts [boots per endpoint and setting, default 4] [windows, default 5] [requests per window, default 20]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countInstructions } from '../src/instructions/measure.js';
import { singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { DEFAULTS } from '../src/config/config.js';
import { judgeInstructions, spreadPct } from '../src/gate/instructionsVerdict.js';
import { median } from '../src/stats/intervals.js';
import { presetCommand } from '../src/server/presets.js';
import type { InstructionsMeasurement, Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PY = '/usr/bin/python3';
const boots = Number(process.argv[2] ?? 4);
const windows = Number(process.argv[3] ?? 5);
const requestsPerWindow = Number(process.argv[4] ?? 20);
const threshold = DEFAULTS.instructions.maxIncreasePct;

const APPS = [
  { app: 'flask', dir: 'examples/flask', spec: 'app:app', paths: ['/', '/json', '/db'] },
  { app: 'django', dir: 'examples/django', spec: 'exampleproject.wsgi:application', paths: ['/json', '/db'] },
];

const scenarioOf = (p: string): Scenario => ({ name: p, method: 'GET', path: p, headers: {}, connections: 1, durationSeconds: 1, timeoutSeconds: 10, thresholds: DEFAULTS.thresholds });

const WAYS = [
  { name: 'GC on, back to back', cyclicGc: true, awaitIdle: false },
  { name: 'GC off, back to back', cyclicGc: false, awaitIdle: false },
  { name: '**GC off, idle first** (default)', cyclicGc: false, awaitIdle: true },
];

async function measure(dir: string, spec: string, p: string, way: (typeof WAYS)[number]): Promise<InstructionsMeasurement> {
  const preset = presetCommand({ server: 'gunicorn', app: spec, python: PY, cores: 2 });
  const target: Target = { name: 'gunicorn', ...preset, workingDirectory: path.join(ROOT, dir), url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 60, env: {} };
  return countInstructions({ target, command: singleWorkerCommand(target), scenario: scenarioOf(p), warmupRequests: DEFAULTS.instructions.warmupRequests, windows, requestsPerWindow, profileFunctions: 0, cyclicGc: way.cyclicGc, awaitIdle: way.awaitIdle });
}

const sdPct = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return (Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) / m) * 100;
};

const rows: string[] = [];
const results: Record<string, unknown> = {};
for (const { app, dir, spec, paths } of APPS) {
  for (const p of paths) {
    for (const way of WAYS) {
      const ms: InstructionsMeasurement[] = [];
      for (let i = 0; i < boots; i++) ms.push(await measure(dir, spec, p, way));
      const medians = ms.map((m) => median(m.perRequest));
      const within = ms.map((m) => spreadPct(m.perRequest));
      // A/A gates: disjoint pairs of boots, each judged on its first 3 windows (the default count).
      const gates: string[] = [];
      for (let i = 0; i + 1 < ms.length; i += 2) {
        gates.push(judgeInstructions({ scenario: p, target: 'head', baseline: ms[i]!.perRequest.slice(0, 3), candidate: ms[i + 1]!.perRequest.slice(0, 3), thresholdPct: threshold }).verdict);
      }
      const key = `${app} ${p}: ${way.name.replace(/\*/g, '')}`;
      results[key] = { windows: ms.map((m) => m.perRequest), peakRssMiB: ms.map((m) => m.peakRssMiB), gates };
      rows.push(
        `| ${app} ${p} | ${way.name} | ${(median(medians) / 1e6).toFixed(4)}M | ${median(within).toFixed(3)}% / ${Math.max(...within).toFixed(3)}% | ` +
          `${sdPct(medians).toFixed(3)}% | ${gates.filter((v) => v === 'pass').length}/${gates.length} pass (${gates.filter((v) => v === 'regressed' || v === 'improved').length} false alarms) | ${Math.max(...ms.map((m) => m.peakRssMiB ?? 0))} MiB |`,
      );
      console.log(rows.at(-1));
    }
  }
}
console.log('');
console.log(`gunicorn, 1 sync worker; ${boots} boots per row, ${windows} windows of ${requestsPerWindow} requests each; A/A gates on 3 windows at ${threshold}%.`);
console.log('');
console.log('| endpoint | counted | instructions/request | spread within a boot (median / max) | sd across boots | A/A gates | peak RSS |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'instructions-gc.json'), JSON.stringify({ boots, windows, requestsPerWindow, threshold, results }, null, 1) + '\n');
