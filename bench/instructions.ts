// Instructions per request under Callgrind, per server: the A/A spread over repeated boots, the
// false alarms of the default gate (1%) on identical code, the detection of +0.5/+1/+2% injected
// CPU work, the time per gate and the peak memory; then the cost of one side for an app of
// 10 ms CPU per request, and the cost of the profiling boot that names Python functions (CPython
// 3.12+: the perf trampoline runs in a boot of its own, never in a counted one, so the counts, their
// spread and what they detect are the same with or without it; the last line shows that boot's
// count beside the counted one). Uses __tests__/fixtures/instr_app.py (INSTR_WORK iterations of a Python loop).
// Run: node --import tsx bench/instructions.ts [A/A boots per server, default 20] [boots per injected level, default 5] [servers, default gunicorn,uwsgi,waitress] [python, default /usr/bin/python3; results in bench/results/instructions.json, or instructions-py<version>.json when a python is named]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countInstructions } from '../src/instructions/measure.js';
import { singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { DEFAULTS } from '../src/config/config.js';
import { judgeInstructions, spreadPct } from '../src/gate/instructionsVerdict.js';
import { median } from '../src/stats/intervals.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import type { InstructionsMeasurement, Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const PY = process.argv[5] ?? '/usr/bin/python3';
const aaBoots = Number(process.argv[2] ?? 20);
const levelBoots = Number(process.argv[3] ?? 5);
const servers = (process.argv[4] ?? 'gunicorn,uwsgi,waitress').split(',') as PresetName[];
const BASE_WORK = 20000;
const LEVELS = [0.5, 1, 2];
const settings = DEFAULTS.instructions;
const scenario: Scenario = {
  name: '/',
  method: 'GET',
  path: '/',
  headers: {},
  connections: 1,
  durationSeconds: 1,
  timeoutSeconds: 10,
  thresholds: DEFAULTS.thresholds,
};

async function measure(server: PresetName, work: number, requestsPerWindow: number | 'auto' = settings.requestsPerWindow, perfTrampoline = false): Promise<InstructionsMeasurement> {
  const preset = presetCommand({ server, app: 'instr_app:app', python: PY, cores: 2 });
  const target: Target = { name: server, ...preset, workingDirectory: FIXTURES, url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 60, env: { INSTR_WORK: String(work) } };
  return countInstructions({
    target,
    command: singleWorkerCommand(target),
    scenario,
    warmupRequests: settings.warmupRequests,
    windows: settings.windows,
    requestsPerWindow,
    profileFunctions: perfTrampoline ? 200 : 0,
    perfTrampoline,
    ...(perfTrampoline ? { windows: 1 } : {}),
  });
}

const pct = (v: number, digits = 3) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}%`;
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
/** The default threshold, and 1% for comparison. */
const THRESHOLDS = [...new Set([settings.maxIncreasePct, 1])];
const verdictOf = (base: InstructionsMeasurement, head: InstructionsMeasurement, thresholdPct: number) =>
  judgeInstructions({ scenario: '/', target: 'head', baseline: base.perRequest, candidate: head.perRequest, thresholdPct }).verdict;

const rows: string[] = [];
const results: Record<string, unknown> = {};
for (const server of servers) {
  const started = Date.now();
  const aa: InstructionsMeasurement[] = [];
  // As in a gate, the first count chooses requests per window (auto) and the others keep it.
  aa.push(await measure(server, BASE_WORK));
  const n = aa[0]!.requestsPerWindow;
  for (let i = 1; i < aaBoots; i++) aa.push(await measure(server, BASE_WORK, n));
  const medians = aa.map((m) => median(m.perRequest));
  const center = median(medians);
  const acrossSdPct = (sd(medians) / center) * 100;
  const acrossRangePct = spreadPct(medians);
  const withinPct = median(aa.map((m) => spreadPct(m.perRequest)));
  // A/A gates: disjoint pairs of boots judged as base/head at the default threshold.
  const aaPairs: Array<[InstructionsMeasurement, InstructionsMeasurement]> = [];
  for (let i = 0; i + 1 < aa.length; i += 2) aaPairs.push([aa[i]!, aa[i + 1]!]);
  const aaVerdicts = THRESHOLDS.map((t) => aaPairs.map(([a, b]) => verdictOf(a, b, t)));
  // Injected work: the cost of one loop iteration, from one calibration boot.
  const calib = await measure(server, BASE_WORK + 2000, n);
  const perIteration = (median(calib.perRequest) - center) / 2000;
  const detection: Array<{ level: number; actualPct: number; regressed: number[]; boots: number }> = [];
  for (const level of LEVELS) {
    const extra = Math.round(((level / 100) * center) / perIteration);
    const heads: InstructionsMeasurement[] = [];
    for (let i = 0; i < levelBoots; i++) heads.push(await measure(server, BASE_WORK + extra, n));
    const actualPct = (median(heads.map((m) => median(m.perRequest))) / center - 1) * 100;
    const regressed = THRESHOLDS.map((t) => heads.filter((h, i) => verdictOf(aa[i % aa.length]!, h, t) === 'regressed').length);
    detection.push({ level, actualPct, regressed, boots: levelBoots });
  }
  const all = [...aa, calib];
  const seconds = median(all.map((m) => m.seconds));
  const peak = Math.max(...all.map((m) => m.peakRssMiB ?? 0));
  const falseAlarms = aaVerdicts.map((vs) => vs.filter((v) => v !== 'pass').length);
  results[server] = { requestsPerWindow: n, center, windows: aa.map((m) => m.perRequest), acrossSdPct, acrossRangePct, withinPct, aaVerdicts, perIteration, detection, secondsPerSide: seconds, peakRssMiB: peak };
  const both = (xs: number[], of: number) => xs.map((x) => `${x}/${of}`).join(', ');
  rows.push(
    `| ${server} | ${(center / 1e6).toFixed(3)}M | ${settings.windows} x ${n} | ${aaBoots} | ${acrossSdPct.toFixed(4)}% | ${acrossRangePct.toFixed(4)}% | ${withinPct.toFixed(4)}% | ` +
      `${both(falseAlarms, aaPairs.length)} | ${detection.map((d) => `${both(d.regressed, d.boots)} (${pct(d.actualPct, 2)})`).join(' | ')} | ${seconds.toFixed(1)} s / ${(2 * seconds).toFixed(1)} s | ${peak} MiB |`,
  );
  console.log(`${server}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(rows.at(-1));
}

// Cost for an app of 10 ms CPU per request: INSTR_WORK scaled to 10 ms natively, one side counted with the defaults.
const nativeMs = Number(
  execFileSync(PY, ['-c', `import os, time; os.environ["INSTR_WORK"]="${BASE_WORK}"; import instr_app as a; s=lambda *x: None; [a.app({}, s) for _ in range(20)]; t=time.process_time(); [a.app({}, s) for _ in range(200)]; print((time.process_time()-t)/200*1000)`], { cwd: FIXTURES, encoding: 'utf8' }).trim(),
);
const tenMsWork = Math.round((BASE_WORK * 10) / nativeMs);
const tenMs = await measure('gunicorn', tenMsWork);
// The profiling boot as the gate runs it when a change passes the threshold (one window, trampoline on).
const counted = await measure(servers[0]!, BASE_WORK);
const profiled = await measure(servers[0]!, BASE_WORK, counted.requestsPerWindow, true);

console.log('');
console.log(`Defaults: ${settings.warmupRequests} warm-up requests (${counted.warmupRequests} sent on Python ${counted.python ?? '?'}), ${settings.windows} windows of ${settings.requestsPerWindow} requests. Verdict counts: at thresholds ${THRESHOLDS.join('%, ')}% (default first); the measured change of the injected work in brackets. App: instr_app.py (${BASE_WORK} loop iterations, ${nativeMs.toFixed(2)} ms CPU natively).`);
console.log('');
console.log('| server | instructions/request | windows x requests | A/A boots | sd across boots | range across boots | spread within a boot (median) | false alarms (A/A gates) | +0.5% caught | +1% caught | +2% caught | time per side / paired gate | peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
console.log(
  `App of 10 ms CPU per request (INSTR_WORK=${tenMsWork}): ${(median(tenMs.perRequest) / 1e6).toFixed(1)}M instructions per request, one side ${tenMs.seconds.toFixed(1)} s with the defaults (${settings.windows} windows x ${tenMs.requestsPerWindow} requests), peak RSS ${tenMs.peakRssMiB} MiB.`,
);
console.log(
  `Profiling boot (${servers[0]}, ${PY}, Python ${counted.python ?? '?'}): ${profiled.seconds.toFixed(1)} s per side beside ${counted.seconds.toFixed(1)} s counted; it names ${profiled.profileNames === 'python' ? 'Python' : 'C'} functions; ` +
    `its count with the trampoline ${(profiled.perRequest[0]! / 1e6).toFixed(3)}M vs ${(median(counted.perRequest) / 1e6).toFixed(3)}M counted (${pct((profiled.perRequest[0]! / median(counted.perRequest) - 1) * 100, 1)}): why it never feeds the gate.`,
);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
// One file per Python when one is named (instructions-py3.12.json), so runs on two Pythons sit side by side.
writeFileSync(
  path.join(ROOT, 'bench', 'results', process.argv[5] ? `instructions-py${counted.python ?? 'unknown'}.json` : 'instructions.json'),
  JSON.stringify(
    {
      settings,
      python: PY,
      aaBoots,
      levelBoots,
      results,
      tenMs: { work: tenMsWork, nativeMs, perRequest: tenMs.perRequest, seconds: tenMs.seconds, peakRssMiB: tenMs.peakRssMiB },
      profiling: { server: servers[0], python: counted.python, secondsProfiled: profiled.seconds, secondsCounted: counted.seconds, names: profiled.profileNames, perRequestProfiled: profiled.perRequest[0], perRequestCounted: median(counted.perRequest) },
    },
    null,
    1,
  ) + '\n',
);
