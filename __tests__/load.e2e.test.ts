// The load driver against real servers on loopback: servers that close every connection are
// measured correctly, and errors are counted by kind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runTrial } from '../src/load/trial.js';
import { readAffinity, setAffinity } from '../src/server/cpuPlacement.js';
import { freePort, startServer, waitUntilReady, type RunningServer } from '../src/server/server.js';
import type { Scenario, Target } from '../src/types.js';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';

function scenario(path: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    name: path,
    method: 'GET',
    path,
    headers: {},
    connections: 16,
    durationSeconds: 2,
    timeoutSeconds: 10,
    thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
    ...extra,
  };
}

// As the gate runs them: this process (the load generator) on one CPU, the server on the others.
const cpus = readAffinity(process.pid) ?? [];
const [generatorCpu, ...serverCpus] = cpus;
before(() => {
  if (generatorCpu !== undefined && serverCpus.length) setAffinity(process.pid, [generatorCpu]);
});
after(() => {
  if (cpus.length) setAffinity(process.pid, cpus);
});

async function boot(command: string, workingDirectory = FLASK_DIR): Promise<RunningServer> {
  const target: Target = {
    name: 'test',
    command,
    workingDirectory,
    url: 'http://127.0.0.1:$PORT',
    readyPath: '/',
    readyTimeoutSeconds: 30,
    env: {},
    stopSignal: 'SIGTERM',
  };
  const server = await startServer(target, { port: await freePort(), cpus: serverCpus.length ? serverCpus : undefined });
  await waitUntilReady(server);
  return server;
}

describe('gunicorn sync worker (Connection: close on every response)', () => {
  let before_: ProcessInfo[];
  let server: RunningServer;
  before(async () => {
    before_ = serverProcesses();
    server = await boot(`${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 3`);
  });
  after(async () => {
    await server.stop();
    assert.deepEqual(newServerProcesses(before_), []);
  });

  it('reports p50 in milliseconds and loses no request', async () => {
    const ours = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/'), durationSeconds: 2 });
    assert.ok(ours.latencyUs.p50 < 50_000, `p50 ${ours.latencyUs.p50} us (plain autocannon reports over 600 ms here)`);
    assert.ok(ours.latencyUs.p50 > 100, 'microsecond resolution, not rounded to 0 ms');
    assert.equal(ours.errors.connection, 0);
    assert.equal(ours.errors.timeouts, 0);
    assert.deepEqual(ours.errors.badStatus, {});
    // The throughput check against wrk lives in bench/truth.ts, interleaved and with its spread:
    // one 2 s pair here read 0.61 on a noisy runner where the bench's median is 1.06.
    assert.ok(ours.requests > 1000, `requests ${ours.requests}`);
  });

  it('counts unexpected statuses by code', async () => {
    const r = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/status/500', { connections: 2 }), durationSeconds: 1 });
    assert.equal(r.requests, 0);
    assert.ok(r.errors.badStatus['500']! > 10);
    assert.equal(r.errorRatePct, 100);
  });

  it('expect-status makes another status the success', async () => {
    const r = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/status/404', { connections: 2, expectStatus: 404 }), durationSeconds: 1 });
    assert.ok(r.requests > 10);
    assert.equal(r.errorRatePct, 0);
  });

  it('awaits the requests in flight when the window closes and records them at their real duration', async () => {
    // Each connection's first request takes 1.2 s, longer than the 0.5 s window.
    const r = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/delay?ms=1200', { connections: 2 }), durationSeconds: 0.5 });
    assert.equal(r.requests, 2);
    assert.equal(r.lateResponses, 2);
    assert.ok(r.latencyUs.p99 >= 1_200_000 && r.latencyUs.p99 < 1_500_000, `p99 ${r.latencyUs.p99} us`);
    assert.ok(r.drainSeconds! >= 0.6, `waited ${r.drainSeconds} s after the window`);
    // Nothing completed inside the window: no throughput, and no error either.
    assert.equal(r.rps, 0);
    assert.equal(r.errorRatePct, 0);
  });

  it('counts requests that exceed the timeout', async () => {
    const r = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/delay?ms=2500', { connections: 2, timeoutSeconds: 1 }), durationSeconds: 2 });
    assert.ok(r.errors.timeouts >= 2, `timeouts ${r.errors.timeouts}`);
    assert.equal(r.requests, 0);
  });
});

describe('responses without Content-Length', () => {
  const NO_LENGTH_DIR = FLASK_DIR.replace(/examples\/flask$/, '__tests__/fixtures');

  it('a body that ends with the connection (HTTP/1.0, wsgiref) completes at EOF, not at the timeout', async () => {
    const server = await boot(
      `${PY} -c "import os, sys; sys.path.insert(0, '.'); from wsgiref.simple_server import make_server; from no_length import app; make_server('127.0.0.1', int(os.environ['PORT']), app).serve_forever()"`,
      NO_LENGTH_DIR,
    );
    try {
      const r = await runTrial({ baseUrl: server.baseUrl, scenario: scenario('/', { connections: 2 }), durationSeconds: 1 });
      assert.ok(r.requests > 100, `requests ${r.requests}`);
      assert.ok(r.latencyUs.p99 < 100_000, `p99 ${r.latencyUs.p99} us`);
      assert.equal(r.errorRatePct, 0);
    } finally {
      await server.stop();
    }
  });
});

describe('POST with a body', () => {
  it('sends method, headers and body', async () => {
    const server = await boot(`${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2 --worker-class gthread`);
    try {
      const r = await runTrial({
        baseUrl: server.baseUrl,
        scenario: scenario('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}', expectStatus: 201, connections: 4 }),
        durationSeconds: 1,
      });
      assert.ok(r.requests > 50, `requests ${r.requests}`);
      assert.equal(r.errorRatePct, 0);
    } finally {
      await server.stop();
    }
  });
});
