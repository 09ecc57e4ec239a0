// Every preset boots, serves both example apps and is measured (RPS, latency, memory per
// worker, CPU); every way a server can fail gives a clear message with its output, and no
// process is ever left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServer, waitUntilReady } from '../src/server/server.js';
import { PRESETS } from '../src/server/presets.js';
import type { Sample, Target } from '../src/types.js';
import { DIST, DJANGO_DIR, FLASK_DIR, PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';

const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-servers-'));
let seq = 0;

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const json = path.join(tmp, `run-${++seq}.json`);
  const r = spawnSync(
    process.execPath,
    [path.join(DIST, 'cli.js'), 'run', '--python', PY, '--hardening', 'off', '--rounds', '2', '--duration-seconds', '1', '--warmup-seconds', '0', '--connections', '4', '--compare-to', 'none', '--json', json, ...args],
    { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  let samples: Sample[] = [];
  try {
    samples = JSON.parse(readFileSync(json, 'utf8')).samples;
  } catch {
    // no results on failure
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, samples };
}

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});
function assertNoServerLeft(): void {
  assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running');
}

function assertMeasured(samples: Sample[], workers: number | undefined): void {
  assert.equal(samples.length, 2);
  for (const s of samples) {
    assert.equal(s.failure, undefined, s.failure);
    assert.ok(s.rps > 20, `rps ${s.rps}`);
    assert.ok(s.latencyUs.p50 > 0 && s.latencyUs.p99 >= s.latencyUs.p50);
    assert.equal(s.errorRatePct, 0);
    assert.ok(s.server, 'server usage sampled');
    assert.ok(s.server!.rssBytesPerWorker > 8 * 1024 * 1024, `memory per worker ${s.server!.rssBytesPerWorker}`);
    assert.ok(s.server!.rssBytesTotal >= s.server!.rssBytesPerWorker);
    assert.ok(s.server!.cpuSeconds > 0, 'CPU time measured');
    // sh + master + workers for forking servers.
    if (workers) assert.ok(s.server!.processes >= workers + 1, `processes ${s.server!.processes}`);
  }
}

const APPS = [
  { name: 'Flask', dir: FLASK_DIR, app: 'app:app' },
  { name: 'Django', dir: DJANGO_DIR, app: 'exampleproject.wsgi:application' },
];
const FORKING = new Set(['gunicorn', 'gunicorn-gthread', 'gunicorn-gevent', 'uwsgi', 'uwsgi-http', 'uwsgi-http11-socket']);
/** The raw keep-alive socket starves connections by design: its own tests below (and starvation.e2e) cover it. */
const SERVES_EVERY_CONNECTION = PRESETS.filter((p) => p !== 'uwsgi-http11-socket');

describe('presets serve both example apps', () => {
  after(assertNoServerLeft);
  for (const preset of SERVES_EVERY_CONNECTION) {
    for (const app of APPS) {
      it(`${preset} + ${app.name}`, () => {
        const r = cli(['--server', preset, '--app', app.app, '--workers', '2'], app.dir);
        assert.equal(r.code, 0, r.stderr);
        assertMeasured(r.samples, FORKING.has(preset) ? 2 : undefined);
        // Every connection got responses in every trial (the raw uWSGI socket's failing).
        for (const s of r.samples) assert.ok(Math.min(...s.responsesPerConnection!) > 0, `${preset}: ${JSON.stringify(s.responsesPerConnection)}`);
        assertNoServerLeft();
      });
    }
  }
  for (const app of APPS) {
    it(`a raw command + ${app.name}`, () => {
      const r = cli(['--command', `${PY} -m waitress --listen=127.0.0.1:$PORT ${app.app}`, '--url', 'http://127.0.0.1:$PORT'], app.dir);
      assert.equal(r.code, 0, r.stderr);
      assertMeasured(r.samples, undefined);
    });
  }
});

describe('server failures: a clear message with the server output, nothing left behind', () => {
  after(assertNoServerLeft);

  it('bad app path', () => {
    const r = cli(['--server', 'gunicorn', '--app', 'no_such_module:app'], FLASK_DIR);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the server exited with code \d+ before it answered/);
    assert.match(r.stderr, /Last lines of the server's output:[\s\S]*No module named 'no_such_module'/);
    assertNoServerLeft();
  });

  it('import error inside the app', () => {
    const r = cli(['--server', 'gunicorn', '--app', 'broken_import:app'], FIXTURES);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /perfgate_no_such_module/);
    assertNoServerLeft();
  });

  it('import error under uWSGI (which would otherwise serve 500s forever)', () => {
    const r = cli(['--server', 'uwsgi', '--app', 'broken_import:app'], FIXTURES);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /perfgate_no_such_module/);
    assertNoServerLeft();
  });

  it('a server that never answers', () => {
    const r = cli(['--command', `${PY} -c "import time; print('perfgate-test: stuck in migrations', flush=True); time.sleep(60)"`, '--url', 'http://127.0.0.1:$PORT', '--ready-timeout-seconds', '1.5'], FLASK_DIR);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did not answer .* within ready-timeout-seconds \(1\.5 s\); nothing answered/);
    assert.match(r.stderr, /perfgate-test: stuck in migrations/);
    assertNoServerLeft();
  });

  it('a server that dies mid-run', () => {
    const r = cli(['--command', `${PY} -m gunicorn crash_after:app --bind 127.0.0.1:$PORT --workers 1`, '--url', 'http://127.0.0.1:$PORT', '--duration-seconds', '2'], FIXTURES, { CRASH_AFTER: '300' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the server exited with code 137 during round 1 of \/; the measurement is void/);
    assert.match(r.stderr, /Last lines of the server's output:[\s\S]*Booting worker/);
    assertNoServerLeft();
  });

  it('a port already in use by something else', async () => {
    const blocker = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = cli(['--command', `touch ${tmp}/started && ${PY} -m gunicorn app:app -b 127.0.0.1:${port}`, '--url', `http://127.0.0.1:${port}`], FLASK_DIR);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use by another process`));
      assert.throws(() => readFileSync(`${tmp}/started`), 'the server command never ran');
    } finally {
      blocker.close();
    }
    assertNoServerLeft();
  });

  it('responses that never end (no Content-Length on a kept-alive uWSGI connection) fail loudly, not silently', () => {
    const r = cli(['--server', 'uwsgi-http11-socket', '--app', 'no_length:app', '--workers', '1'], FIXTURES);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /## wsgi-perf-gate: ❌ regressed/);
    // Every request sent is waited for (up to the request timeout): the unfinished ones are errors.
    assert.match(r.stdout, /No response completed in any trial|Error rate \d+\.\d+% is above the 0\.1% limit/);
    // It says what failed, and that this preset measures a setup nobody deploys.
    assert.match(r.stdout, /Failed requests: [\d,]+ timeouts?/);
    assert.match(r.stdout, /The uwsgi-http11-socket preset measures uWSGI's raw --http11-socket/);
    assertNoServerLeft();
  });

  it('worker restarts under load are a finding of their own: the trials count, the verdict is at least inconclusive', () => {
    const r = cli(['--command', `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2 --max-requests 50`, '--url', 'http://127.0.0.1:$PORT'], FLASK_DIR);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.samples.every((s) => s.processChange && s.processChange.exited > 0 && s.processChange.started > 0 && !s.failure));
    assert.match(r.stdout, /## wsgi-perf-gate: ⚠️ inconclusive/);
    assert.match(r.stdout, /Worker exits\/starts: the head: \d+ worker\(s\) exited and \d+ started in 2 of 2 trials \(rounds 1 to 2/);
    assert.doesNotMatch(r.stdout, /left out/);
    assertNoServerLeft();
  });
});

describe('teardown', () => {
  after(assertNoServerLeft);

  /** uWSGI as many run it, without --die-on-term: it reloads on SIGTERM instead of exiting. */
  const uwsgiWithoutDieOnTerm = (stopSignal: NodeJS.Signals): Target => ({
    name: 'uwsgi',
    command: 'uwsgi --plugin python3 --http11-socket 127.0.0.1:$PORT --wsgi-file app.py --callable app --master --processes 2',
    workingDirectory: FLASK_DIR,
    url: 'http://127.0.0.1:$PORT',
    readyPath: '/',
    readyTimeoutSeconds: 30,
    env: {},
    stopSignal,
  });

  it('uWSGI started without --die-on-term stops on SIGINT, without waiting for SIGKILL', async () => {
    const server = await startServer(uwsgiWithoutDieOnTerm('SIGINT'), { port: await freePort() });
    await waitUntilReady(server);
    const stopped = await server.stop(10_000);
    assert.deepEqual(stopped, { stoppedBy: 'SIGINT', leftovers: [] });
    assertNoServerLeft();
  });

  it('the same uWSGI sent SIGTERM only reloads, so teardown escalates to SIGKILL and still leaves nothing', async () => {
    const server = await startServer(uwsgiWithoutDieOnTerm('SIGTERM'), { port: await freePort() });
    await waitUntilReady(server);
    const stopped = await server.stop(1_500);
    assert.equal(stopped.stoppedBy, 'SIGKILL');
    assert.deepEqual(stopped.leftovers, []);
    assertNoServerLeft();
  });
});
