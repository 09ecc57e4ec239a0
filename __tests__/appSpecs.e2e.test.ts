// The Flask tutorial's application factory (examples/flask-factory) is booted, answers and is
// measured under every common preset, in the forms users write; and uWSGI, whose Debian build
// runs its plugin's Python, serves a Django app that only a virtualenv can import.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/types.js';
import { DIST, DJANGO_DIR, FLASK_FACTORY_DIR, PY } from './helpers/paths.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-appspecs-'));
let seq = 0;

function run(args: string[], cwd: string) {
  const json = path.join(tmp, `run-${++seq}.json`);
  const r = spawnSync(
    process.execPath,
    [path.join(DIST, 'cli.js'), 'run', '--hardening', 'off', '--rounds', '2', '--duration-seconds', '1', '--warmup-seconds', '0', '--connections', '4', '--compare-to', 'none', '--workers', '2', '--json', json, ...args],
    { cwd, encoding: 'utf8', timeout: 90_000 },
  );
  let result: RunResult | undefined;
  try {
    result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
  } catch {
    // no results when the run failed
  }
  return { code: r.status, stderr: r.stderr, result };
}

function assertServed(r: ReturnType<typeof run>, what: string): void {
  assert.equal(r.code, 0, `${what}:\n${r.stderr}`);
  assert.ok(r.result, `${what}: results written`);
  assert.notEqual(r.result!.verdict, 'regressed', what);
  assert.equal(r.result!.samples.length, 2, what);
  for (const s of r.result!.samples) {
    assert.equal(s.failure, undefined, `${what}: ${s.failure}`);
    assert.equal(s.errorRatePct, 0, `${what}: every request answered 2xx`);
    assert.ok(s.rps > 20, `${what}: rps ${s.rps}`);
  }
}

describe('the Flask factory example under every preset', () => {
  const cases: Array<[string, string]> = [
    ['gunicorn', 'flaskr:create_app()'],
    ['gunicorn-gthread', "flaskr:create_app({'TESTING': True})"],
    ['gunicorn-gevent', 'flaskr:create_app()'],
    ['uwsgi', 'flaskr:create_app()'],
    ['uwsgi', "flaskr:create_app({'TESTING': True})"],
    ['waitress', 'flaskr:create_app()'],
    ['waitress', "flaskr:create_app({'TESTING': True})"],
    ['wsgiref', 'flaskr:create_app()'],
  ];
  for (const [server, app] of cases) {
    it(`${server} serves ${app}`, () => {
      // /items reads SQLite through the factory's blueprint: a 2xx proves the factory ran.
      assertServed(run(['--server', server, '--app', app, '--python', PY, '--path', '/items'], FLASK_FACTORY_DIR), `${server} ${app}`);
    });
  }
});

describe('presets honour `python` in a virtualenv', () => {
  let venvPython: string;
  const elsewhere = path.join(tmp, 'elsewhere');
  before(() => {
    const venv = path.join(tmp, 'venv');
    const made = spawnSync(PY, ['-m', 'venv', '--system-site-packages', '--without-pip', venv], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(made.status, 0, made.stderr);
    venvPython = path.join(venv, 'bin', 'python');
    const site = spawnSync(venvPython, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).stdout.trim();
    // Installed into the venv only (as `pip install -e` does): the system Python cannot import it.
    writeFileSync(path.join(site, 'perf_gate_example.pth'), `${DJANGO_DIR}\n`);
    mkdirSync(elsewhere);
  });

  it('without the venv uWSGI cannot import the app (the failure this guards against)', () => {
    const r = run(['--server', 'uwsgi', '--app', 'exampleproject.wsgi'], elsewhere);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /exit(ed with)? code 22/);
  });

  it('with python: <venv>/bin/python it runs uWSGI in that venv and says so', () => {
    const r = run(['--server', 'uwsgi', '--app', 'exampleproject.wsgi', '--python', venvPython], elsewhere);
    assertServed(r, 'uwsgi in a venv');
    assert.match(r.stderr, /uWSGI: the uwsgi on PATH with --virtualenv .*venv/);
  });

  it('gunicorn and waitress run as <venv>/bin/python -m', () => {
    for (const server of ['gunicorn', 'waitress']) {
      const r = run(['--server', server, '--app', 'exampleproject.wsgi', '--python', venvPython], elsewhere);
      assertServed(r, `${server} in a venv`);
      assert.ok(r.stderr.includes(`(${server}: ${venvPython} -m ${server})`), r.stderr);
    }
  });
});
