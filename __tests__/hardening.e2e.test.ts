// The hardening checks on real servers (issue 16's acceptance): gunicorn sync and gthread starve
// under slow clients once every thread holds one, and do not behind nginx; gevent does not; a
// body limit shows as a refusal;
// a hanging handler is cut by the worker timeout; a Django head with DEBUG = True fails the
// gate in paired mode against a base with DEBUG = False, naming the page that leaked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { bootTarget } from '../src/pipeline/boot.js';
import { hardenTargets } from '../src/hardening/hardenTargets.js';
import type { HardeningSettings, TargetHardening } from '../src/hardening/types.js';
import type { Target } from '../src/types.js';
import { presetCommand } from '../src/server/presets.js';
import { DJANGO_DIR, PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';

const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const log = { info: () => {}, warning: () => {} };
const gunicorn = (name: string, workerClass: string, more: Partial<Target> = {}, extra = ''): Target => ({
  name,
  command: `${PY} -m gunicorn hardening_app:app --bind 127.0.0.1:$PORT --workers 2 --worker-class ${workerClass}${extra}`,
  workingDirectory: FIXTURES,
  url: 'http://127.0.0.1:$PORT',
  readyPath: '/',
  readyTimeoutSeconds: 30,
  env: {},
  stopSignal: 'SIGTERM',
  preset: { server: 'gunicorn', workers: 2 },
  ...more,
});
const SETTINGS: HardeningSettings = { mode: 'report', maxBodyBytes: 4 << 20, bodyPath: '/upload', hangTimeoutSeconds: 30, slowClientSeconds: 3 };
const check = (t: TargetHardening | undefined, id: string) => t?.checks.find((c) => c.id === id);

let procs: ProcessInfo[];
before(() => {
  procs = serverProcesses();
});
after(() => assert.deepEqual(newServerProcesses(procs), [], 'a server or nginx process was left running'));

describe('hardening checks on real servers', () => {
  it('slow clients: sync and gthread fail, behind nginx and gevent pass; body limits show; the version header is reported', async () => {
    const results = await hardenTargets(
      [
        gunicorn('sync', 'sync'),
        gunicorn('sync-nginx', 'sync', { proxy: { server: 'nginx' } }),
        // Four pool threads: the slow clients keep coming until all of them hold one (the main thread too).
        { ...gunicorn('gthread', 'gthread', { preset: { server: 'gunicorn-gthread', workers: 1 } }, ' --threads 4'), command: `${PY} -m gunicorn hardening_app:app --bind 127.0.0.1:$PORT --workers 1 --worker-class gthread --threads 4` },
        gunicorn('gevent', 'gevent'),
        gunicorn('sync-limited', 'sync', { env: { BODY_LIMIT_BYTES: String(1 << 20) } }),
        // wsgiref names its version (and Python's) in the Server header.
        gunicorn('wsgiref', 'sync', { ...presetCommand({ server: 'wsgiref', app: 'hardening_app:app', python: PY, cores: 1, workers: 1 }), preset: undefined }),
      ],
      SETTINGS,
      { boot: (t) => bootTarget(t, { log }), log },
    );
    const [sync, proxied, gthread, gevent, limited, wsgiref] = results;
    // The cost of each target's checks (boot excluded), for the reader of the test log.
    console.log(`hardening check seconds: ${results.map((r) => `${r.target}=${r.seconds.toFixed(1)}`).join(' ')}`);
    const detail = JSON.stringify(results, null, 1);
    assert.equal(check(sync, 'slow-clients')?.status, 'fail', detail);
    assert.match(check(sync, 'slow-clients')!.fix!, /proxy/);
    assert.equal(check(proxied, 'slow-clients')?.status, 'pass', detail);
    assert.equal(proxied?.topology, 'nginx');
    assert.match(check(sync, 'slow-clients')!.evidence, /held per accepting process \(slow connections\/threads\): 1\/1, 1\/1: every thread could be holding one/);
    assert.equal(check(gthread, 'slow-clients')?.status, 'fail', detail);
    assert.match(check(gthread, 'slow-clients')!.evidence, /: (\d+)\/5: every thread could be holding one/, 'the pool grew to its 4 threads');
    assert.equal(check(gevent, 'slow-clients')?.status, 'pass', detail);
    assert.match(check(proxied, 'slow-clients')!.evidence, /what is in front of it \(a proxy or router\) took them/);

    assert.equal(check(wsgiref, 'server-version')?.status, 'warn', detail);
    assert.match(check(wsgiref, 'server-version')!.evidence, /The Server header names its version: "WSGIServer\/[\d.]+ CPython\/3\.[\d.]+"/);
    // gunicorn 20.1 sends no version ("Server: gunicorn"); nginx runs with server_tokens off.
    assert.match(check(sync, 'server-version')!.evidence, /No version in the Server header \(gunicorn\)/);
    assert.equal(check(proxied, 'server-version')?.status, 'pass', detail);

    assert.equal(check(sync, 'body-size')?.status, 'fail', detail);
    assert.match(check(sync, 'body-size')!.evidence, /Never refused: every size up to the cap of 4 MiB/);
    assert.equal(check(limited, 'body-size')?.status, 'pass', detail);
    // A server that answers 413 and closes while the body is still arriving makes the kernel reset
    // the connection, which can drop the 413 before the client reads it: both are the refusal.
    const refusedAt4MiB = /Refused at 4 MiB \((413|connection reset|connection closed)\)/;
    assert.match(check(limited, 'body-size')!.evidence, refusedAt4MiB);
    assert.match(check(proxied, 'body-size')!.evidence, refusedAt4MiB, 'nginx refuses past its 1 MiB client_max_body_size');

    assert.equal(check(sync, 'header-limits')?.status, 'pass', detail);
    assert.equal(check(sync, 'debug-page')?.status, 'pass');
    for (const r of results) assert.ok(r.seconds < 20, `${r.target} took ${r.seconds} s`);
  });

  it('a hanging handler is cut by the worker timeout and the server keeps serving', async () => {
    const [r] = await hardenTargets([gunicorn('sync-timeout', 'sync', {}, ' --timeout 2')], { ...SETTINGS, bodyPath: undefined, hangPath: '/hang', hangTimeoutSeconds: 2 }, { boot: (t) => bootTarget(t, { log }), log });
    assert.equal(check(r, 'hanging-handler')?.status, 'pass', JSON.stringify(r));
  });
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

describe('hardening: gate in paired mode', () => {
  it('Django with DEBUG = True on the head and False on the base fails the gate, naming the page', async () => {
    const dirs = newRunnerDirs();
    const dir = dirs.workspace;
    cpSync(DJANGO_DIR, dir, { recursive: true });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base: DEBUG = False');
    const baseSha = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '-b', 'feature');
    const settings = path.join(dir, 'exampleproject', 'settings.py');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('DEBUG = False', 'DEBUG = True'));
    git(dir, 'commit', '-q', '-am', 'turn on DEBUG');
    const run = await runAction('main', dirs, {
      inputs: {
        command: `${PY} -m gunicorn exampleproject.wsgi:application --bind 127.0.0.1:$PORT --workers 2`,
        url: 'http://127.0.0.1:$PORT',
        'compare-to': 'base',
        rounds: '5', // the fewest paired rounds that can reach 99% (config refuses fewer)
        'duration-seconds': '0.3',
        'warmup-seconds': '0',
        connections: '2',
        hardening: 'gate',
      },
      sha: git(dir, 'rev-parse', 'HEAD'),
      baseSha,
    });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /Hardening: 1 check\(s\) passed on the baseline and fail on this commit: app debug-page: Debug page served: Django's technical 404 page/);
    assert.match(run.summary, /## Hardening: ❌ 1 check\(s\) newly failing/);
    assert.match(run.summary, /\| \*\*Debug error page\*\* \| ❌ fail \| ✅ pass \|/);
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    assert.deepEqual(results.hardening.regressions.map((r: { id: string }) => r.id), ['debug-page']);
  });
});

describe('hardening: gate against a stored baseline', () => {
  it('the checks recorded with the baseline run are the baseline of the next run', async () => {
    const dirs = newRunnerDirs();
    cpSync(DJANGO_DIR, dirs.workspace, { recursive: true });
    const settings = path.join(dirs.workspace, 'exampleproject', 'settings.py');
    const inputs = {
      command: `${PY} -m gunicorn exampleproject.wsgi:application --bind 127.0.0.1:$PORT --workers 2`,
      url: 'http://127.0.0.1:$PORT',
      rounds: '5', // the fewest that can reach 99% against a stored run (config refuses fewer)
      'duration-seconds': '0.3',
      'warmup-seconds': '0',
      connections: '2',
      'baseline-file': 'perf-baseline.json',
      hardening: 'gate',
    };
    const recorded = await runAction('main', dirs, { inputs: { ...inputs, record: 'true' }, eventName: 'push' });
    assert.equal(recorded.code, 0, recorded.stdout);
    const stored = JSON.parse(readFileSync(path.join(dirs.workspace, 'perf-baseline.json'), 'utf8'));
    assert.equal(stored.runs[0].hardening.targets[0].checks.find((c: { id: string }) => c.id === 'debug-page').status, 'pass');

    writeFileSync(settings, readFileSync(settings, 'utf8').replace('DEBUG = False', 'DEBUG = True'));
    const run = await runAction('main', dirs, { inputs: { ...inputs, record: 'false' } });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.summary, /Baseline: baseline-file .*perf-baseline\.json\./);
    assert.match(run.summary, /\*\*app\*\*: Debug error page passed on the baseline and fails now: Debug page served: Django's technical 404 page/);
  });
});
