// The instructions gate's pure parts: the verdict, the function diff, Callgrind output parsing,
// the single-worker command, config, the rendered section and the trend chart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countedDifferently, judgeInstructions, MIN_SPREAD_PCT, spreadPct } from '../src/gate/instructionsVerdict.js';
import { NO_CYCLIC_GC_SITECUSTOMIZE } from '../src/instructions/pythonStartup.js';
import { pythonPathWithStartup } from '../src/server/pythonSitecustomize.js';
import { waitUntilIdle } from '../src/instructions/idleWorkers.js';
import { dumpTotal } from '../src/instructions/callgrindOutput.js';
import { oneWorkerCommand, singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { autoRequestsPerWindow } from '../src/instructions/measure.js';
import { warmupRequestsFor } from '../src/instructions/warmup.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { readConfig } from '../src/config/config.js';
import { renderInstructions } from '../src/report/instructions.js';
import { renderTrend } from '../src/report/trend.js';
import { trendFigures } from '../src/store/record.js';
import { failureMessage, gateOutputs } from '../src/action/outputs.js';
import type { InstructionsResult, RunResult, Target } from '../src/types.js';

const judge = (baseline: number[], candidate: number[], thresholdPct = 1) => judgeInstructions({ scenario: 's', target: 't', baseline, candidate, thresholdPct });

describe('judgeInstructions', () => {
  it('regressed: +1.3% with counts 0.01% apart', () => {
    const c = judge([12.3e6, 12.301e6, 12.3005e6], [12.46e6, 12.461e6, 12.4605e6]);
    assert.equal(c.verdict, 'regressed');
    assert.ok(Math.abs(c.changePct! - 1.3) < 0.01);
    assert.ok(c.ciLowPct! > 1.2 && c.ciHighPct! < 1.4);
  });
  it('pass: identical counts; the interval covers zero and is at least the floor wide', () => {
    const c = judge([1e6, 1e6], [1e6, 1e6]);
    assert.equal(c.verdict, 'pass');
    assert.equal(c.changePct, 0);
    assert.equal(c.ciLowPct, -MIN_SPREAD_PCT);
    assert.equal(c.ciHighPct, MIN_SPREAD_PCT);
  });
  it('pass: a change below the threshold, even when certain', () => {
    assert.equal(judge([1e6, 1e6], [1.005e6, 1.005e6]).verdict, 'pass');
  });
  it('inconclusive: past the threshold but within the spread of the windows', () => {
    const c = judge([1e6, 1.04e6, 0.98e6], [1.03e6, 1.03e6, 1.03e6]);
    assert.equal(c.verdict, 'inconclusive');
    assert.match(c.reason, /cannot be told from their spread/);
  });
  it('improved: fewer instructions past the threshold', () => {
    assert.equal(judge([1e6, 1e6], [0.9e6, 0.9e6]).verdict, 'improved');
  });
  it('no baseline: the count is shown, the verdict is pass', () => {
    const c = judge([], [1e6]);
    assert.equal(c.verdict, 'pass');
    assert.equal(c.baseline, undefined);
    assert.match(c.reason, /No baseline/);
  });
  it('spreadPct is the range over the median', () => {
    assert.equal(spreadPct([100]), 0);
    assert.equal(spreadPct([99, 100, 101]), 2);
  });
});

describe('Callgrind output', () => {
  it('dumpTotal reads summary:, or totals: when there is no summary', () => {
    assert.equal(dumpTotal('events: Ir\nfn=x\n1 2\nsummary: 119983096\ntotals: 120408699\n'), 119983096);
    assert.equal(dumpTotal('events: Ir\ntotals: 42\n'), 42);
    assert.equal(dumpTotal('events: Ir\n'), undefined);
  });
});

describe('counting without the cyclic garbage collector', () => {
  it('the sitecustomize switches the collector off and still runs the sitecustomize it hides', (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-startup-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const [ours, theirs] = [path.join(dir, 'ours'), path.join(dir, 'theirs')];
    mkdirSync(ours);
    mkdirSync(theirs);
    writeFileSync(path.join(ours, 'sitecustomize.py'), NO_CYCLIC_GC_SITECUSTOMIZE);
    writeFileSync(path.join(theirs, 'sitecustomize.py'), 'import os\nos.environ["THEIRS_RAN"] = "yes"\n');
    const probe = 'import gc, os; print(gc.isenabled(), os.environ.get("THEIRS_RAN"))';
    const run = (pythonPath: string) => execFileSync('/usr/bin/python3', ['-c', probe], { env: { ...process.env, PYTHONPATH: pythonPath }, encoding: 'utf8' }).trim();
    assert.equal(run(pythonPathWithStartup(ours, theirs)), 'False yes');
    assert.equal(run(theirs), 'True yes');
  });
  it('the startup directory goes first on PYTHONPATH, before what the server had', () => {
    assert.equal(pythonPathWithStartup('/s', undefined), '/s');
    assert.equal(pythonPathWithStartup('/s', '/app:/lib'), `/s${path.delimiter}/app:/lib`);
  });
  it('a count made another way (collector, idle workers) is not compared', () => {
    const now = { counting: { cyclicGc: false, idleFirst: true } };
    assert.equal(countedDifferently(now, now), undefined);
    assert.equal(countedDifferently({}, {}), undefined);
    // Records made before `counting` was recorded: collector on, requests back to back.
    assert.equal(
      countedDifferently({}, now),
      "The baseline's count was made with the cyclic garbage collector, requests sent back to back; this one without the cyclic garbage collector, each request sent to an idle worker. Counts made differently are not compared (a recorded baseline is replaced by the next record).",
    );
    assert.match(countedDifferently({ counting: { cyclicGc: false, idleFirst: false } }, now)!, /requests sent back to back; this one without/);
  });
});

describe('waitUntilIdle', () => {
  it('true for a process that sleeps in a system call, false (after the timeout) for one that computes or is gone', async (t) => {
    const sleeper = spawn('sleep', ['30']);
    const spinner = spawn('/usr/bin/python3', ['-c', 'print("spinning", flush=True)\nwhile True: pass']);
    t.after(() => {
      sleeper.kill('SIGKILL');
      spinner.kill('SIGKILL');
    });
    // Past its start-up (which reads files and may sleep), the spinner only computes.
    await once(spinner.stdout, 'data');
    assert.equal(await waitUntilIdle([sleeper.pid!], 2_000), true);
    assert.equal(await waitUntilIdle([spinner.pid!], 200), false);
    assert.equal(await waitUntilIdle([sleeper.pid!, spinner.pid!], 200), false);
    assert.equal(await waitUntilIdle([2 ** 22 + 1], 50), false);
  });
});

describe('warmupRequestsFor', () => {
  it('keeps the configured warm-up below CPython 3.12 and for servers that are not CPython', () => {
    assert.equal(warmupRequestsFor(20, '3.11'), 20);
    assert.equal(warmupRequestsFor(20, '3.8'), 20);
    assert.equal(warmupRequestsFor(20, undefined), 20);
  });
  it('sends five times as many on 3.12 and newer, and none when none is asked for', () => {
    assert.equal(warmupRequestsFor(20, '3.12'), 100);
    assert.equal(warmupRequestsFor(20, '3.13'), 100);
    assert.equal(warmupRequestsFor(7, '3.12'), 35);
    assert.equal(warmupRequestsFor(0, '3.13'), 0);
  });
});

describe('autoRequestsPerWindow', () => {
  it('as many requests as fit in a window, in coarse steps (5 to 50)', () => {
    assert.equal(autoRequestsPerWindow(0.05), 50);
    assert.equal(autoRequestsPerWindow(0.2), 20);
    assert.equal(autoRequestsPerWindow(0.25), 20);
    assert.equal(autoRequestsPerWindow(0.5), 10);
    assert.equal(autoRequestsPerWindow(1), 5);
    assert.equal(autoRequestsPerWindow(30), 5);
    assert.equal(autoRequestsPerWindow(0), 50);
  });
});

describe('singleWorkerCommand', () => {
  const target = (server: PresetName, workers = 5): Target => ({
    name: 'head',
    ...presetCommand({ server, app: 'app:app', python: '/usr/bin/python3', workers, cores: 2 }),
    workingDirectory: '.',
    url: 'http://127.0.0.1:$PORT',
    readyPath: '/',
    readyTimeoutSeconds: 60,
    env: {},
  });
  it('one sync gunicorn worker, one uWSGI process, one waitress thread', () => {
    assert.match(singleWorkerCommand(target('gunicorn')), /--workers 1 --worker-class sync$/);
    const gthread = singleWorkerCommand(target('gunicorn-gthread'));
    assert.match(gthread, /--workers 1 --worker-class sync$/);
    assert.doesNotMatch(gthread, /--threads/);
    assert.match(singleWorkerCommand(target('gunicorn-gevent')), /--worker-class sync$/);
    assert.match(singleWorkerCommand(target('uwsgi')), /--processes 1 /);
    assert.match(singleWorkerCommand(target('waitress')), /--threads=1 /);
  });
  it("uWSGI's HTTP router is left out: the one worker answers HTTP itself, so only it is counted", () => {
    const one = singleWorkerCommand(target('uwsgi'));
    assert.match(one, / --http11-socket 127\.0\.0\.1:\$PORT --module /);
    assert.doesNotMatch(one, /--http[ =]|--http-keepalive/);
    assert.equal(oneWorkerCommand('uwsgi --http=:8000 --wsgi-file app.py -p 4'), 'uwsgi --http11-socket :8000 --wsgi-file app.py --processes 1');
  });
  it('a custom command of a known server gets the same rewrite, in the flag forms its parser accepts', () => {
    const custom = (command: string): Target => ({ ...target('gunicorn'), command, preset: undefined });
    const cases: Array<[string, string]> = [
      ['gunicorn app:app -w 4', 'gunicorn app:app --workers 1'],
      ['gunicorn app:app -w4 --bind 127.0.0.1:$PORT', 'gunicorn app:app --workers 1 --bind 127.0.0.1:$PORT'],
      ['python -m gunicorn app:app --workers=8 -k gthread --threads 4 --bind 127.0.0.1:$PORT', 'python -m gunicorn app:app --workers 1 --worker-class sync --bind 127.0.0.1:$PORT'],
      ['gunicorn app:app --worker-class=gevent --workers 3', 'gunicorn app:app --worker-class sync --workers 1'],
      // An ASGI worker class is left alone: it is not a WSGI server this rewrite knows.
      ['gunicorn app:asgi -w 2 -k uvicorn.workers.UvicornWorker', 'gunicorn app:asgi --workers 1 -k uvicorn.workers.UvicornWorker'],
      ['uwsgi --http-socket 127.0.0.1:$PORT --module app:app --processes 4 --threads 2', 'uwsgi --http-socket 127.0.0.1:$PORT --module app:app --processes 1 --threads 2'],
      ['uwsgi --http-socket :$PORT -w app:app -p 4', 'uwsgi --http-socket :$PORT -w app:app --processes 1'],
      ['waitress-serve --listen=127.0.0.1:$PORT --threads 8 app:app', 'waitress-serve --listen=127.0.0.1:$PORT --threads=1 app:app'],
      // Not a server whose flags are known: as given (a config file's instructions.command says how).
      ['./run-server.sh -w 4', './run-server.sh -w 4'],
    ];
    for (const [given, counted] of cases) assert.equal(singleWorkerCommand(custom(given)), counted, given);
  });
  it('the config file command wins', () => {
    const custom: Target = { ...target('gunicorn'), command: 'gunicorn app:app -w 4', preset: undefined };
    assert.equal(singleWorkerCommand(custom, 'gunicorn app:app -w 1 --preload'), 'gunicorn app:app -w 1 --preload');
  });
  it('the waitress preset for an application factory (a Python shim) runs one thread', () => {
    const factory: Target = { ...target('waitress'), command: '', preset: undefined };
    const shim = presetCommand({ server: 'waitress', app: "flaskr:create_app({'TESTING': True})", python: '/usr/bin/python3', workers: 4, cores: 2 }).command;
    assert.match(shim, /threads=4\)/);
    assert.match(singleWorkerCommand({ ...factory, command: shim }), /threads=1\)/);
  });
});

describe('instructions config', () => {
  const read = (inputs: Record<string, string>, file?: string) =>
    readConfig({ getInput: (n) => inputs[n] ?? '', readFile: (f) => (f.endsWith('perf.yml') ? file : undefined), workspace: '/w', cores: 2 });
  it('defaults: auto, 0.5%, 20 warm-up requests, 3 windows of as many requests as fit', () => {
    assert.deepEqual(read({ command: 'x' }).instructions, { mode: 'auto', maxIncreasePct: 0.5, command: undefined, warmupRequests: 20, windows: 3, requestsPerWindow: 'auto' });
  });
  it('inputs and the config file', () => {
    const c = read(
      { command: 'x', instructions: 'on', 'max-instructions-increase-pct': '2', config: 'perf.yml' },
      'instructions:\n  command: gunicorn app:app -w 1\n  windows: 2\n  requests-per-window: 5\n  warmup-requests: 3\n  max-increase-pct: 3\n',
    );
    assert.deepEqual(c.instructions, { mode: 'on', maxIncreasePct: 2, command: 'gunicorn app:app -w 1', warmupRequests: 3, windows: 2, requestsPerWindow: 5 });
  });
  it('bad values name the input and what was expected', () => {
    assert.throws(() => read({ command: 'x', instructions: 'sometimes' }), /Input `instructions` is "sometimes": expected one of/);
    assert.throws(() => read({ command: 'x', 'max-instructions-increase-pct': '-1' }), /Input `max-instructions-increase-pct` is "-1"/);
    assert.throws(() => read({ command: 'x', config: 'perf.yml' }, 'instructions:\n  window: 2\n'), /window/);
  });
});

const measured: InstructionsResult = {
  status: 'measured',
  valgrind: 'valgrind-3.19.0',
  baselineSource: 'the base commit, counted in this job',
  measurements: [
    { target: 'base', scenario: '/', perRequest: [12.3e6, 12.3e6, 12.3e6], requestsPerWindow: 20, warmupRequests: 20, seconds: 9 },
    { target: 'head', scenario: '/', perRequest: [12.46e6, 12.46e6, 12.46e6], requestsPerWindow: 20, warmupRequests: 20, seconds: 10 },
  ],
  comparisons: [
    {
      scenario: '/',
      target: 'head',
      baseline: 12.3e6,
      candidate: 12.46e6,
      changePct: 1.3,
      ciLowPct: 1.25,
      ciHighPct: 1.35,
      thresholdPct: 1,
      verdict: 'regressed',
      reason: '+1.30% instructions per request',
      functions: [{ fn: 'crc32_z [libz.so.1.2.13]', before: 400e3, after: 560e3, changePct: 40, kind: 'native', callsBefore: 10, callsAfter: 14 }],
      functionNames: 'c',
    },
  ],
  verdict: 'regressed',
};

describe('renderInstructions', () => {
  it('the table, the cost, what it does not see, and the functions folded', () => {
    const md = renderInstructions(measured);
    assert.match(md, /### Instructions per request \(Valgrind\) — ❌ regressed/);
    assert.match(md, /\| \/ \| 12\.300M \| 12\.460M \| \+1\.30% \| \+1\.25% to \+1\.35% \| ❌ regressed \|/);
    assert.match(md, /Cost: 19 s \(base \/ \/ 9 s, head \/ \/ 10 s\)/);
    assert.match(md, /do not see time spent waiting for a database or the network, time in the kernel \(system calls\), lock contention/);
    assert.match(md, /<details><summary>Where the instructions went: \/ \(C functions[^<]*<\/summary>\n\n\| Function \| Where \| Before \| After \| Change \| Calls per request \|/);
    assert.match(md, /\| <code>crc32\\_z<\/code> \| libz\.so\.1\.2\.13 \| 400\.0k \| 560\.0k \| \+40\.0% \(\+160\.0k\) \| 10 → 14 \|/);
    assert.match(md, /on Python 3\.12 and newer this table names the Python functions/);
  });
  it('says why a baseline that exists was not compared, and nothing when there is none', () => {
    const head = { counting: { cyclicGc: false, idleFirst: true } };
    const reason = countedDifferently({}, head)!;
    const notCompared = { ...judge([], [12.3e6]), reason };
    const md = renderInstructions({ ...measured, comparisons: [notCompared] });
    assert.ok(md.includes(`\nNote (s): ${reason}\n`), md);
    assert.doesNotMatch(renderInstructions({ ...measured, comparisons: [judge([], [12.3e6])] }), /Note \(s\)/);
  });
  it('skipped: the one line, nothing else', () => {
    assert.equal(renderInstructions({ status: 'skipped', note: 'valgrind is not on PATH', measurements: [], comparisons: [], verdict: 'pass' }), 'valgrind is not on PATH\n');
    assert.equal(renderInstructions(undefined), '');
  });
});

describe('instructions in the step outputs', () => {
  it('instructions-change-pct, and the failure message names the regression', () => {
    const result = { comparison: { scenarios: [] }, instructions: measured, verdict: 'regressed' } as unknown as RunResult;
    assert.equal(gateOutputs(result, 'r.json')['instructions-change-pct'], '1.300');
    assert.match(failureMessage(result), /Performance regressed\. \/ \(instructions per request\): \+1\.30% instructions per request/);
    assert.equal(gateOutputs({ ...result, instructions: undefined }, 'r.json')['instructions-change-pct'], '');
  });
});

describe('instructions on the trend', () => {
  it('trendFigures adds the median count; the chart is drawn when two points have one', () => {
    const figures = trendFigures([{ round: 0, target: 'head', scenario: '/', rps: 100, latencyUs: { p99: 5000 } } as never], 'head', measured);
    assert.equal(figures['/']!.instructionsPerRequest, 12.46e6);
    const md = renderTrend(
      [
        { commit: 'a'.repeat(40), createdAt: '', scenarios: { '/': { rps: 100, p99Ms: 5, instructionsPerRequest: 12.3e6 } } },
        { commit: 'b'.repeat(40), createdAt: '', current: true, scenarios: figures },
      ],
      ['/'],
    );
    assert.match(md, /title "Instructions per request, \/"[\s\S]*line \[12\.3, 12\.46\]/);
  });
});
