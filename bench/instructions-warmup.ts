// How many warm-up requests a Python needs before its counted windows agree: boots one gunicorn
// sync worker under Callgrind with W uncounted warm-up requests, then counts K windows of N
// requests, and prints each window's instructions per request and how far the first window lies
// from the last ones (median of windows 2..K), per app, Python and warm-up (exactly W: the
// raise on CPython 3.12+ in src/instructions/warmup.ts is off here, it is what this measures).
// Run: node --import tsx bench/instructions-warmup.ts [python] [apps, default py_functions_app,instr_app] [warm-ups, default 0,20,50,100] [boots, default 2] [windows, default 6] [requests per window, default 10]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countInstructions } from '../src/instructions/measure.js';
import { singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { DEFAULTS } from '../src/config/config.js';
import { median } from '../src/stats/intervals.js';
import { presetCommand } from '../src/server/presets.js';
import type { Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const PY = process.argv[2] ?? '/usr/bin/python3';
const apps = (process.argv[3] ?? 'py_functions_app,instr_app').split(',');
const warmups = (process.argv[4] ?? '0,20,50,100').split(',').map(Number);
const boots = Number(process.argv[5] ?? 2);
const windows = Number(process.argv[6] ?? 6);
const perWindow = Number(process.argv[7] ?? 10);
const scenario: Scenario = { name: '/', method: 'GET', path: '/', headers: {}, connections: 1, durationSeconds: 1, timeoutSeconds: 10, thresholds: DEFAULTS.thresholds };

const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}%`;
console.log(`Python ${PY}; ${boots} boots per row, ${windows} windows of ${perWindow} requests after the warm-up.`);
console.log('| app | Python | warm-up | boot | windows (M instructions/request) | first vs rest | spread of windows 1-3 | seconds |');
console.log('|---|---|---|---|---|---|---|---|');
for (const app of apps) {
  for (const warmupRequests of warmups) {
    for (let b = 1; b <= boots; b++) {
      const preset = presetCommand({ server: 'gunicorn', app: `${app}:app`, python: PY, cores: 2 });
      const target: Target = { name: 'gunicorn', ...preset, workingDirectory: FIXTURES, url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 60, env: {} };
      const m = await countInstructions({ target, command: singleWorkerCommand(target), scenario, warmupRequests, windows, requestsPerWindow: perWindow, profileFunctions: 0, pythonWarmup: false });
      const rest = median(m.perRequest.slice(1));
      const first3 = m.perRequest.slice(0, 3);
      const spread = ((Math.max(...first3) - Math.min(...first3)) / median(first3)) * 100;
      console.log(`| ${app} | ${m.python ?? '?'} | ${warmupRequests} | ${b} | ${m.perRequest.map((x) => (x / 1e6).toFixed(4)).join(', ')} | ${pct((m.perRequest[0]! / rest - 1) * 100)} | ${spread.toFixed(3)}% | ${m.seconds.toFixed(1)} |`);
    }
  }
}
