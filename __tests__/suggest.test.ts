// "Did you mean": misspelt file keys and `with:` inputs name the closest real one; moved inputs
// still work with a warning; far-off words get no guess.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../src/config/suggest.js';
import { ACTION_INPUTS, checkInputNames } from '../src/config/inputs.js';
import { parseConfigFile } from '../src/config/configFile.js';
import { ConfigError } from '../src/errors.js';

describe('editDistance and closest', () => {
  it('counts edits', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });
  it('guesses typos, not unrelated words', () => {
    assert.equal(closest('duraton-seconds', ACTION_INPUTS), 'duration-seconds');
    assert.equal(closest('max-rps-drop-percent', ACTION_INPUTS), 'max-rps-drop-pct');
    assert.equal(closest('Rounds', ACTION_INPUTS), 'rounds');
    assert.equal(closest('kubernetes', ACTION_INPUTS), undefined);
  });
});

describe('unknown inputs', () => {
  const throwsWith = (env: NodeJS.ProcessEnv, message: RegExp) =>
    assert.throws(() => checkInputNames(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));

  it('a misspelt input is an error naming the closest input', () => {
    throwsWith({ 'INPUT_DURATON-SECONDS': '5' }, /^Input `duraton-seconds` is not an input of wsgi-perf-gate \(did you mean "duration-seconds"\?\)/);
    throwsWith({ INPUT_WORKRES: '5' }, /did you mean "workers"/);
  });
  it('known inputs pass; moved inputs warn and keep working', () => {
    assert.deepEqual(checkInputNames({ INPUT_COMMAND: 'x', 'INPUT_GITHUB-TOKEN': 't', PATH: '/bin' }), []);
    const warnings = checkInputNames({ INPUT_CONFIRM: 'false', 'INPUT_CPU-PLACEMENT': '' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Input `confirm` still works but is now a config file setting: write `confirm:`/);
  });
});

describe('unknown keys in the config file', () => {
  const refuses = (text: string, message: RegExp) =>
    assert.throws(() => parseConfigFile(text, 'perf.yml'), (err: unknown) => err instanceof ConfigError && message.test(err.message));
  it('names the closest key of the same object', () => {
    refuses('round: 3\n', /unknown key "round" \(did you mean "rounds"\?\)/);
    refuses('scenarios:\n  - { name: a, path: /, expect_status: 201 }\n', /unknown key "expect_status" \(did you mean "expect-status"\?\) in scenarios\[0\]/);
    refuses('targets:\n  - { name: a, command: x, workdir: y, working-directry: z }\n', /"workdir", "working-directry" \(did you mean "working-directory"\?\) in targets\[0\]/);
    refuses('thresholds: { max-rps-drop: 3 }\n', /"max-rps-drop" \(did you mean "max-rps-drop-pct"\?\) in thresholds/);
  });
});
