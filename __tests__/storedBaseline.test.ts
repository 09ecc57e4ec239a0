// Which recorded run a measurement is judged against, what the report says when there is
// none, and which other runs can confirm a regression independently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseStoredBaseline, type StoredBaselineInput } from '../src/pipeline/storedBaseline.js';
import { readConfig } from '../src/config/config.js';
import { BASELINE_KIND, SCHEMA_VERSION, type BaselineFile } from '../src/store/baselineFile.js';
import type { MeasuredAs } from '../src/gate/comparability.js';
import { runAt, SCENARIO } from './helpers/records.js';

const config = (inputs: Record<string, string>) =>
  readConfig({ getInput: (n) => ({ command: 'gunicorn app:app --bind 127.0.0.1:$PORT', url: 'http://127.0.0.1:$PORT', ...inputs })[n] ?? '', readFile: () => undefined, workspace: '/w', cores: 2 });
const HERE: MeasuredAs = { command: 'gunicorn app:app', warmupSeconds: 0, scenarios: [SCENARIO], runner: { cpuModel: 'Test CPU 3000', cpus: 2, os: 'linux', arch: 'x64' } };
const file = (...runs: ReturnType<typeof runAt>[]): BaselineFile => ({ schemaVersion: SCHEMA_VERSION, kind: BASELINE_KIND, runs: runs.map(({ meta, settings, samples }) => ({ meta, settings, samples })) });
const choose = (input: Partial<StoredBaselineInput> & Pick<StoredBaselineInput, 'config'>) => chooseStoredBaseline({ paired: false, here: HERE, ...input });

describe('the stored baseline', () => {
  it('the newest comparable run of the baseline file; the others confirm, newest last', () => {
    const c = config({ 'baseline-file': 'perf.json' });
    const b = choose({ config: c, stored: file(runAt('a'.repeat(40), 100, 10, '2026-01-01T00:00:00Z'), runAt('b'.repeat(40), 100, 10, '2026-01-02T00:00:00Z')) });
    assert.equal(b.run?.meta.commit, 'b'.repeat(40));
    assert.deepEqual(b.info, { source: 'baseline-file /w/perf.json', commit: 'b'.repeat(40), createdAt: '2026-01-02T00:00:00Z' });
    assert.equal(b.history?.length, 2);
    assert.deepEqual(b.others.map((o) => o.label), [`of commit ${'a'.repeat(12)} recorded 2026-01-01T00:00:00Z`]);
    assert.equal(b.note, undefined);
  });

  it('a run measured another way is passed over, and the note says what differs', () => {
    const other = runAt('c'.repeat(40), 100, 10);
    other.settings.warmupSeconds = 5;
    const b = choose({ config: config({ 'baseline-file': 'perf.json' }), stored: file(other) });
    assert.equal(b.run, undefined);
    assert.equal(b.history, undefined);
    assert.deepEqual(b.others, []);
    assert.match(b.note!, /^none comparable in \/w\/perf\.json: its latest run was measured differently \(.*warm/);
  });

  it('no file yet, compare-to: none, and paired mode that fell back each say so', () => {
    assert.match(choose({ config: config({ 'baseline-file': 'perf.json' }) }).note!, /^none yet: \/w\/perf\.json has no recorded run/);
    assert.equal(choose({ config: config({ 'baseline-file': 'perf.json', 'compare-to': 'none' }), stored: file(runAt('a'.repeat(40), 1, 1)) }).run, undefined);
    assert.equal(choose({ config: config({ 'compare-to': 'none' }) }).note, 'none (compare-to: none).');
    const fellBack = choose({ config: config({ 'compare-to': 'base', 'baseline-file': 'perf.json' }), stored: file(runAt('a'.repeat(40), 1, 1)), pairedFallback: 'the base could not be checked out' });
    assert.equal(fellBack.run?.meta.commit, 'a'.repeat(40));
    assert.equal(fellBack.note, 'paired mode could not run: the base could not be checked out; compared with the stored baseline instead');
  });

  it('paired mode judges against the base, never a recorded run', () => {
    const b = choose({ config: config({ 'compare-to': 'base', 'baseline-file': 'perf.json' }), stored: file(runAt('a'.repeat(40), 1, 1)), paired: true });
    assert.equal(b.run, undefined);
    assert.deepEqual(b.others, []);
  });
});
