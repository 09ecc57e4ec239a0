// Logs a person can follow and artifacts in one folder, as a GitHub runner shows them: one
// ::group:: per phase, `Round k/N` with the time left (one line per trial), the time estimate and
// its timeout-minutes warning at the start; results, server log and histograms in artifacts-dir.
// Also the input-name checks, which run before anything boots.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { FLASK_DIR, PY, ROOT } from './helpers/paths.js';
import { newRunnerDirs, runAction } from './helpers/runner.js';

const SERVE = {
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2`,
  url: 'http://127.0.0.1:$PORT',
  'working-directory': FLASK_DIR,
  'compare-to': 'none',
  connections: '4',
};

describe('a runner-style run', () => {
  it('groups its phases, counts rounds down and leaves one artifacts folder', async () => {
    const dirs = newRunnerDirs();
    mkdirSync(path.join(dirs.workspace, '.github'));
    // timeout-minutes far below the estimate (2 scenarios x (0.5 + 3 x 0.5) s = 4 s): the start warns.
    writeFileSync(
      path.join(dirs.workspace, '.github', 'perf-gate.yml'),
      'timeout-minutes: 0.01\nrounds: 3\nwarmup-seconds: 0.5\nduration-seconds: 0.5\nscenarios:\n  - { name: home, path: / }\n  - { name: json, path: /json }\n',
    );
    const run = await runAction('main', dirs, { eventName: 'push', inputs: { ...SERVE, confirm: 'false' } });
    assert.equal(run.code, 0, run.stdout);

    assert.match(run.stdout, /Input `confirm` still works but is now a config file setting/);
    assert.match(run.stdout, /Estimated measuring time: 4 s; booting the servers comes on top\./);
    assert.match(run.stdout, /::warning::The measuring may take 4 s, more than timeout-minutes: 0\.01/);
    const groups = [...run.stdout.matchAll(/^::group::(.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(groups, ['boot the server', 'warmup (1 s)', '3 rounds, 6 trials (3 s)', 'Report']);
    assert.equal(run.stdout.match(/^::endgroup::$/gm)?.length, 4);
    const trialLines = run.stdout.split('\n').filter((l) => /^Round \d+\/3 app (home|json): \d+ req\/s/.test(l));
    assert.equal(trialLines.length, 6, 'one line per trial');
    assert.match(trialLines[0]!, /\(about \d+ s left\)$/);
    assert.match(trialLines[5]!, /^Round 3\/3 .*\(done\)$/);

    const dir = run.outputs['artifacts-dir']!;
    assert.ok(dir && existsSync(dir), `artifacts-dir ${dir}`);
    assert.equal(run.outputs['results-file'], path.join(dir, 'results.json'));
    assert.deepEqual(readdirSync(dir).sort(), ['latency-app-home.hgrm', 'latency-app-json.hgrm', 'results.json', 'server-app.log']);
    assert.match(readFileSync(path.join(dir, 'server-app.log'), 'utf8'), /Booting worker/);
    const hgrm = readFileSync(path.join(dir, 'latency-app-home.hgrm'), 'utf8');
    assert.match(hgrm, /Value\s+Percentile\s+TotalCount/);
    assert.match(hgrm, /#\[Max\s+=\s+[\d.]+, Total count\s+=\s+[1-9]\d*\]/);

    // The results file is what its published schema says.
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'results.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as unknown;
    assert.equal(validate(results), true, JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(validate({ ...(results as object), verdict: 'fine' }), false, 'the schema checks the verdict');
  });

  it('a misspelt input fails before anything boots, with the closest input', async () => {
    const dirs = newRunnerDirs();
    const run = await runAction('main', dirs, { inputs: { ...SERVE, 'max-rps-drop-percent': '2' } });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::Input `max-rps-drop-percent` is not an input of wsgi-perf-gate \(did you mean "max-rps-drop-pct"\?\)/);
    assert.doesNotMatch(run.stdout, /Starting target/);
  });
});
