import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIME_BUDGET_MINUTES, DEFAULTS, PAIRED_DEFAULTS, readConfig, type ConfigSources } from '../src/config/config.js';
import { roundsForBudget } from '../src/plan/sequentialPlan.js';
import { ConfigError } from '../src/errors.js';

function sources(inputs: Record<string, string>, files: Record<string, string> = {}): ConfigSources {
  return { getInput: (n) => inputs[n] ?? '', readFile: (f) => files[f], workspace: '/ws', cores: 2 };
}
const read = (inputs: Record<string, string>, files?: Record<string, string>) => readConfig(sources(inputs, files));
const CMD = { command: 'gunicorn app:app -b 127.0.0.1:8000' };

function throwsConfig(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && message.test(err.message));
}

describe('readConfig: inputs', () => {
  it('the documented defaults', () => {
    const c = read(CMD);
    assert.equal(c.targets.length, 1);
    assert.equal(c.targets[0]!.url, 'http://127.0.0.1:8000');
    assert.equal(c.targets[0]!.readyPath, '/');
    assert.equal(c.targets[0]!.readyTimeoutSeconds, 60);
    assert.equal(c.targets[0]!.stopSignal, 'SIGTERM');
    assert.equal(c.targets[0]!.workingDirectory, '/ws');
    assert.deepEqual(c.scenarios.map((s) => [s.name, s.method, s.path, s.connections, s.durationSeconds]), [['/', 'GET', '/', 16, 10]]);
    assert.deepEqual(c.scenarios[0]!.thresholds, { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 });
    assert.deepEqual([c.warmupSeconds, c.rounds, c.confidence, c.compareTo, c.record, c.comment, c.failOnRegression], [3, 5, 0.99, 'stored', 'auto', 'auto', true]);
    assert.equal(c.cpuPlacement, 'auto');
  });

  it('missing command names the input and the expected form', () => {
    throwsConfig(() => read({}), /Input `command` is missing: expected the shell command that starts your server/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['duration-seconds', 'ten', /Input `duration-seconds` is "ten": expected a positive number of seconds/],
    ['duration-seconds', '0', /Input `duration-seconds` is "0"/],
    ['rounds', '2.5', /Input `rounds` is "2\.5": expected a whole number of rounds/],
    ['connections', '-1', /Input `connections` is "-1"/],
    ['confidence', '1.5', /Input `confidence` is "1\.5": expected a probability between 0\.5 and 1/],
    ['max-rps-drop-pct', 'five', /Input `max-rps-drop-pct` is "five": expected a percentage/],
    ['compare-to', 'yesterday', /Input `compare-to` is "yesterday": expected one of stored, base, none/],
    ['compare-to', 'base', /Input `url` is "http:\/\/127\.0\.0\.1:8000": compare-to "base" boots the base and the head side by side, so expected a URL with \$PORT/],
    ['record', 'sometimes', /Input `record` is "sometimes": expected one of auto, true, false/],
    ['fail-on-regression', 'yes', /Input `fail-on-regression` is "yes": expected one of true, false/],
    ['confirm', 'twice', /Input `confirm` is "twice": expected one of true, false/],
    ['url', 'http://10.0.0.5:8000', /Input `url` is "http:\/\/10\.0\.0\.5:8000": expected a loopback address/],
    ['url', 'http://example.com', /expected a loopback address/],
    ['url', 'not a url', /Input `url` is "not a url": expected an http URL/],
    ['url', 'https://127.0.0.1:8443', /expected an http:\/\/ URL/],
    ['ready-path', 'health', /Input `ready-path` is "health": expected a URL path that starts with \//],
    ['server', 'tornado', /Input `server` is "tornado": expected one of gunicorn, gunicorn-gthread/],
  ];
  for (const [name, value, message] of bad) {
    it(`${name}: ${JSON.stringify(value)}`, () => throwsConfig(() => read({ ...CMD, [name]: value }), message));
  }

  it('compare-to: base defaults to many short rounds, as many as fit the time budget; given rounds or duration win', () => {
    const paired = { command: 'gunicorn app:app -b 127.0.0.1:$PORT', url: 'http://127.0.0.1:$PORT', 'compare-to': 'base' };
    const c = read(paired);
    // What fits, rounded down to an even count so the reversed pairs of rounds stay whole.
    const fitted = roundsForBudget({ budgetSeconds: DEFAULT_TIME_BUDGET_MINUTES * 60, targets: 2, scenarios: c.scenarios, warmupSeconds: c.warmupSeconds });
    const fit = fitted - (fitted % 2);
    assert.deepEqual([c.rounds, c.scenarios[0]!.durationSeconds, c.timeBudgetMinutes], [fit, PAIRED_DEFAULTS.durationSeconds, DEFAULT_TIME_BUDGET_MINUTES]);
    assert.ok(fit >= 100 && fit <= 150, `3 minutes fit ${fit} rounds of 2 x 0.5 s`);
    const given = read({ ...paired, rounds: '9', 'duration-seconds': '2' });
    assert.deepEqual([given.rounds, given.scenarios[0]!.durationSeconds, given.timeBudgetMinutes], [9, 2, undefined]);
    // Both: the rounds are at most what fits the budget.
    const inOneMinute = roundsForBudget({ budgetSeconds: 60, targets: 2, scenarios: c.scenarios, warmupSeconds: c.warmupSeconds });
    assert.equal(read({ ...paired, rounds: '500', 'time-budget-minutes': '1' }).rounds, inOneMinute - (inOneMinute % 2));
    assert.equal(read({ ...paired, rounds: '30', 'time-budget-minutes': '5' }).rounds, 30);
    const stored = read({ command: 'gunicorn app:app' });
    assert.deepEqual([stored.rounds, stored.scenarios[0]!.durationSeconds], [DEFAULTS.rounds, DEFAULTS.durationSeconds]);
  });

  it('compare-to: base with $PORT, base-ref and base-setup', () => {
    const c = read({ command: 'gunicorn app:app -b 127.0.0.1:$PORT', url: 'http://127.0.0.1:$PORT', 'compare-to': 'base', 'base-ref': 'origin/main', 'base-setup': 'pip install -r requirements.txt' });
    assert.deepEqual([c.compareTo, c.baseRef, c.baseSetup], ['base', 'origin/main', 'pip install -r requirements.txt']);
  });

  it('loopback forms are accepted; allow-remote lifts the rule', () => {
    for (const url of ['http://127.0.0.1:8000', 'http://127.8.9.10:1', 'http://localhost:5000', 'http://[::1]:8000', 'http://127.0.0.1:$PORT']) {
      assert.equal(read({ ...CMD, url }).targets[0]!.url, url);
    }
    assert.equal(read({ ...CMD, url: 'http://10.0.0.5:8000', 'allow-remote': 'true' }).targets[0]!.url, 'http://10.0.0.5:8000');
  });

  it('a preset builds the command, listens on $PORT, and checks app', () => {
    const c = read({ server: 'gunicorn-gthread', app: 'shop.wsgi:application', workers: '3', python: '/usr/bin/python3' });
    assert.equal(c.targets[0]!.command, '/usr/bin/python3 -m gunicorn shop.wsgi:application --bind 127.0.0.1:$PORT --workers 3 --worker-class gthread --threads 4');
    assert.equal(c.targets[0]!.url, 'http://127.0.0.1:$PORT');
    assert.match(read({ server: 'gunicorn', app: 'app:app' }).targets[0]!.command, /--workers 5 /, '2 x cores + 1');
    const uwsgi = read({ server: 'uwsgi', app: 'app:app' }).targets[0]!;
    assert.equal(uwsgi.stopSignal, 'SIGINT');
    assert.match(uwsgi.command, /--die-on-term/);
    throwsConfig(() => read({ server: 'gunicorn' }), /`server` is "gunicorn" but `app` is missing/);
    throwsConfig(() => read({ server: 'gunicorn', app: 'app; rm -rf /' }), /`app` is "app; rm -rf \/": expected module:callable/);
  });

  it('a raw uwsgi command is stopped with SIGINT (uWSGI reloads on SIGTERM)', () => {
    assert.equal(read({ command: 'uwsgi --http11-socket 127.0.0.1:8000 --wsgi-file app.py' }).targets[0]!.stopSignal, 'SIGINT');
  });
});

describe('readConfig: config file', () => {
  const file = (text: string) => ({ '/ws/.github/perf-gate.yml': text });

  it('reads scenarios, thresholds and settings; inputs override the top level, a scenario setting wins', () => {
    const c = read(
      { ...CMD, 'max-p99-increase-pct': '20', 'max-rps-drop-pct': '6', rounds: '7', connections: '32' },
      file(`
rounds: 9
warmup-seconds: 1
thresholds:
  max-rps-drop-pct: 8
scenarios:
  - name: home
    path: /
  - name: create-item
    method: post
    path: /api/items
    headers: { content-type: application/json }
    body: '{"name": "x"}'
    expect-status: 201
    connections: 8
    thresholds:
      max-rps-drop-pct: 12
  - name: json-body
    method: PUT
    path: /api/items/1
    body: { name: y }
`),
    );
    assert.equal(c.rounds, 7);
    assert.equal(c.warmupSeconds, 1);
    assert.deepEqual(c.scenarios.map((s) => s.name), ['home', 'create-item', 'json-body']);
    const [home, create, json] = c.scenarios as [typeof c.scenarios[0], typeof c.scenarios[0], typeof c.scenarios[0]];
    assert.equal(home.thresholds.maxRpsDropPct, 6);
    assert.equal(home.thresholds.maxP99IncreasePct, 20);
    assert.equal(home.connections, 32);
    assert.equal(create.method, 'POST');
    assert.equal(create.expectStatus, 201);
    assert.equal(create.connections, 8);
    assert.equal(create.thresholds.maxRpsDropPct, 12);
    assert.equal(create.body, '{"name": "x"}');
    assert.equal(json.body, '{"name":"y"}');
    assert.equal(json.headers['content-type'], 'application/json');
    const form = read(CMD, file('scenarios:\n  - name: login\n    method: POST\n    path: /login\n    headers: { Content-Type: application/x-www-form-urlencoded }\n    body: { user: ann, pass: "a b&c" }\n')).scenarios[0]!;
    assert.equal(form.body, 'user=ann&pass=a+b%26c');
  });

  it('unknown keys are an error that names them and where', () => {
    throwsConfig(() => read(CMD, file('scenarios:\n  - name: a\n    path: /\n    methd: GET\n')), /unknown key "methd" \(did you mean "method"\?\) in scenarios\[0\]/);
    throwsConfig(() => read(CMD, file('treshold:\n  max-rps-drop-pct: 5\n')), /unknown key "treshold"/);
    throwsConfig(() => read(CMD, file('thresholds:\n  max-rps-drop: 5\n')), /unknown key "max-rps-drop" \(did you mean "max-rps-drop-pct"\?\) in thresholds/);
  });

  it('invalid values and YAML name the file and the key', () => {
    throwsConfig(() => read(CMD, file('scenarios:\n  - name: a\n    path: api\n')), /perf-gate\.yml is invalid:\n {2}- scenarios\[0\]\.path: must start with \//);
    throwsConfig(() => read(CMD, file('rounds: [')), /perf-gate\.yml is not valid YAML/);
    throwsConfig(() => read(CMD, file('scenarios:\n  - { name: a, path: / }\n  - { name: a, path: /x }\n')), /Two scenarios are named "a"/);
  });

  it('rare settings live in the file; the old inputs still override it', () => {
    const text = 'confirm: false\nallow-remote: true\nhistory-keep-runs: 7\ncpu-placement: off\ntimeout-minutes: 20\n';
    const c = read({ ...CMD, url: 'http://10.0.0.5:8000' }, file(text));
    assert.deepEqual([c.confirm, c.allowRemote, c.historyKeepRuns, c.cpuPlacement, c.timeoutMinutes], [false, true, 7, 'off', 20]);
    const overridden = read({ ...CMD, confirm: 'true', 'history-keep-runs': '9', 'cpu-placement': 'auto' }, file(text));
    assert.deepEqual([overridden.confirm, overridden.historyKeepRuns, overridden.cpuPlacement], [true, 9, 'auto']);
    throwsConfig(() => read({ ...CMD, url: 'http://10.0.0.5:8000', 'allow-remote': 'false' }, file(text)), /10\.0\.0\.5/);
  });

  it('a constant rate is refused with the reason, not measured wrongly', () => {
    throwsConfig(() => read(CMD, file('scenarios:\n  - { name: a, path: /, rate: 100 }\n')), /scenarios\[0\]\.rate: `rate` \(constant-rate, open-loop load\) is not supported: autocannon's rate limiter/);
  });

  it('an explicit config input must exist', () => {
    throwsConfig(() => read({ ...CMD, config: 'perf.yml' }), /Input `config` is "perf\.yml": no such file \(looked at \/ws\/perf\.yml\)/);
  });

  it('targets from the file get their own $PORT; inputs and targets together are ambiguous', () => {
    const c = read(
      {},
      file(`
targets:
  - { name: sync, server: gunicorn, app: app:app, workers: 2 }
  - { name: uwsgi, command: "uwsgi --http11-socket 127.0.0.1:8001 --wsgi-file app.py --die-on-term", url: "http://127.0.0.1:8001" }
`),
    );
    assert.deepEqual(c.targets.map((t) => [t.name, t.url, t.stopSignal]), [
      ['sync', 'http://127.0.0.1:$PORT', 'SIGTERM'],
      ['uwsgi', 'http://127.0.0.1:8001', 'SIGINT'],
    ]);
    throwsConfig(() => read(CMD, file('targets:\n  - { name: a, server: waitress, app: app:app }\n')), /Both the inputs .* and the config file .* say which server to start/);
  });
});

describe('readConfig: settings that can never decide are refused', () => {
  it('rounds: 3 at 0.99 in stored mode names the input, the value and the minimum', () => {
    throwsConfig(() => read({ ...CMD, rounds: '3' }), /^Input `rounds` is 3: with compare-to stored at confidence 0\.99, 3 round\(s\) per side can never reach 99% .*at most 95%.*; expected at least 5 rounds \(the minimum\)/);
    assert.equal(read({ ...CMD, rounds: '5' }).rounds, 5);
  });

  it('the minimum follows the confidence, the mode and the source of the setting', () => {
    throwsConfig(() => read({ ...CMD, rounds: '6', confidence: '0.999' }), /Input `rounds` is 6: .*expected at least 7 rounds/);
    assert.equal(read({ ...CMD, rounds: '3', confidence: '0.9' }).rounds, 3);
    const paired = { command: 'gunicorn app:app -b 127.0.0.1:$PORT', url: 'http://127.0.0.1:$PORT', 'compare-to': 'base' };
    throwsConfig(() => read({ ...paired, rounds: '4' }), /Input `rounds` is 4: with compare-to base .*signed-rank.*expected at least 5 rounds/);
    throwsConfig(() => read(CMD, { '/ws/.github/perf-gate.yml': 'rounds: 2\n' }), /^Config file \.github\/perf-gate\.yml `rounds` is 2: .*at least 5 rounds/);
  });

  it('a confidence the (default) rounds cannot reach names the confidence and what works', () => {
    throwsConfig(() => read({ ...CMD, confidence: '0.999' }), /^Input `confidence` is 0\.999: with compare-to stored .*5 round\(s\) per side can never reach 99\.9% .*expected at most 0\.996 for 5 rounds, or at least 7 rounds/);
  });

  it('a time budget that fits too few rounds to decide names the input, the value and the minutes that work', () => {
    const paired = { command: 'gunicorn app:app -b 127.0.0.1:$PORT', url: 'http://127.0.0.1:$PORT', 'compare-to': 'base' };
    throwsConfig(() => read({ ...paired, 'time-budget-minutes': '0.25' }), /^Input `time-budget-minutes` is 0\.25 minute\(s\): .*fits 2 round\(s\) .*at least 5 rounds are needed .*expected at least 0\.4 minutes/);
    throwsConfig(() => read({ ...paired, 'time-budget-minutes': '-1' }), /time-budget-minutes.*-1.*positive number of minutes/);
    throwsConfig(() => read({ ...paired, 'time-budget-minutes': 'soon' }), /time-budget-minutes.*soon/);
    throwsConfig(() => read({ ...CMD, 'time-budget-minutes': '0.5' }), /time-budget-minutes` is 0\.5 minute\(s\): .*at least 5 rounds/);
    assert.equal(read({ ...paired, 'time-budget-minutes': '0.5' }).timeBudgetMinutes, 0.5);
  });

  it('compare-to: none compares nothing, so any rounds will do', () => {
    assert.equal(read({ ...CMD, rounds: '1', 'compare-to': 'none' }).rounds, 1);
  });
});
