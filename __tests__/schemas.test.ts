// The published JSON Schemas are fresh, and the config file's schema (what an editor checks)
// and the code (readConfig) accept and refuse the same files: a table of good and bad configs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { CONFIG_SCHEMA_FILE, RESULTS_SCHEMA_FILE, configSchemaText, resultsSchemaText } from '../scripts/schemas.js';
import { readConfig } from '../src/config/config.js';
import path from 'node:path';
import { ROOT } from './helpers/paths.js';

const FILE = '/ws/.github/perf-gate.yml';
const committed = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);

/** The code's answer: readConfig with the file (and a command input when the file names no targets). */
function codeAccepts(text: string): boolean {
  const raw = parseYaml(text) as { targets?: unknown } | null;
  const inputs: Record<string, string> = raw?.targets ? {} : { command: 'gunicorn app:app -b 127.0.0.1:8000' };
  try {
    readConfig({ getInput: (n) => inputs[n] ?? '', readFile: (f) => (f === FILE ? text : undefined), workspace: '/ws', cores: 2 });
    return true;
  } catch {
    return false;
  }
}

const GOOD: string[] = [
  '',
  'rounds: 7\nwarmup-seconds: 0\nduration-seconds: 0.5\nconnections: 8\nconfidence: 0.95\ncpu-placement: off\n',
  'confirm: false\nallow-remote: false\nhistory-keep-runs: 20\ntimeout-minutes: 30\n',
  'thresholds: { max-rps-drop-pct: 3, max-p99-increase-pct: 0, max-error-rate-pct: 0.5, max-memory-increase-pct: 20 }\n',
  'scenarios:\n  - { name: home, path: / }\n  - { name: create, method: post, path: /api/items, headers: { content-type: application/json, x-n: 3 }, body: { name: x }, expect-status: 201, connections: 2, duration-seconds: 1, timeout-seconds: 5, thresholds: { max-rps-drop-pct: 9 } }\n',
  'scenarios:\n  - { name: raw, method: PUT, path: /x, body: "a=1" }\n  - { name: list, path: /y, body: [1, 2] }\n',
  'targets:\n  - { name: sync, server: gunicorn, app: app:app, workers: 2 }\n  - { name: raw, command: "uwsgi --http11-socket 127.0.0.1:$PORT --wsgi-file app.py", url: "http://127.0.0.1:$PORT", working-directory: src, ready-path: /health, ready-timeout-seconds: 30, env: { DEBUG: 0 } }\n',
  'targets:\n  - { name: f, server: uwsgi, app: "flaskr:create_app()" }\n  - { name: g, server: waitress, app: "flaskr:create_app(\'test; x\', debug=True)" }\n  - { name: d, server: wsgiref, app: myproject.wsgi }\n',
];

const BAD: string[] = [
  'round: 3\n',
  'rounds: 0\n',
  'rounds: 2.5\n',
  'rounds: "5"\n',
  'warmup-seconds: -1\n',
  'duration-seconds: 0\n',
  'confidence: 1\n',
  'confidence: 0.5\n',
  'cpu-placement: sometimes\n',
  'confirm: "no"\n',
  'timeout-minutes: 0\n',
  'thresholds: { max-rps-drop-pct: -1 }\n',
  'thresholds: { max-rps-drop: 3 }\n',
  'scenarios: []\n',
  'scenarios:\n  - { path: / }\n',
  'scenarios:\n  - { name: a, path: home }\n',
  'scenarios:\n  - { name: a, path: /, method: FETCH }\n',
  'scenarios:\n  - { name: a, path: /, rate: 100 }\n',
  'scenarios:\n  - { name: a, path: /, expect-status: 700 }\n',
  'scenarios:\n  - { name: a, path: /, connections: 0 }\n',
  'scenarios:\n  - { name: a, path: /, body: 3 }\n',
  'targets: []\n',
  'targets:\n  - { name: a }\n',
  'targets:\n  - { name: a, server: gunicorn }\n',
  'targets:\n  - { name: a, app: app:app }\n',
  'targets:\n  - { name: a, server: apache, app: app:app }\n',
  'targets:\n  - { name: a, server: gunicorn, app: "app; rm -rf /" }\n',
  'targets:\n  - { name: a, server: gunicorn, app: "app:create_app(\'x)" }\n',
  'targets:\n  - { name: a, command: x, workers: 0 }\n',
  'targets:\n  - { name: a, command: x, env: { A: [1] } }\n',
  '- just a list\n',
];

/**
 * Refused by the code, accepted by the schema, because JSON Schema cannot say it: unique names
 * across array items, and a loopback URL unless allow-remote (an input may allow it).
 */
const CODE_ONLY: string[] = [
  'scenarios:\n  - { name: a, path: / }\n  - { name: a, path: /x }\n',
  'targets:\n  - { name: a, command: x, url: "http://example.com:$PORT" }\n',
];

describe('published JSON Schemas', () => {
  it('the example config file names its schema and passes both checks', () => {
    const text = readFileSync(path.join(ROOT, 'examples', 'flask-factory', 'perf-gate.yml'), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/perf-gate\.schema\.json$/m);
    assert.equal(validate(parseYaml(text)), true, JSON.stringify(validate.errors));
    assert.equal(codeAccepts(text), true);
  });

  it('are fresh (npm run schemas)', () => {
    assert.equal(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'), configSchemaText());
    assert.equal(readFileSync(RESULTS_SCHEMA_FILE, 'utf8'), resultsSchemaText());
  });
});

describe('config file: the JSON Schema and the code agree', () => {
  for (const text of GOOD) {
    it(`both accept ${JSON.stringify(text).slice(0, 90)}`, () => {
      assert.equal(validate(parseYaml(text) ?? {}), true, JSON.stringify(validate.errors));
      assert.equal(codeAccepts(text), true);
    });
  }
  for (const text of BAD) {
    it(`both refuse ${JSON.stringify(text).slice(0, 90)}`, () => {
      assert.equal(validate(parseYaml(text) ?? {}), false, 'schema accepts');
      assert.equal(codeAccepts(text), false, 'code accepts');
    });
  }
  for (const text of CODE_ONLY) {
    it(`only the code refuses ${JSON.stringify(text).slice(0, 90)}`, () => {
      assert.equal(validate(parseYaml(text)), true);
      assert.equal(codeAccepts(text), false);
    });
  }
});
