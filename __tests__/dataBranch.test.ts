// The data branch with real git: a bare repository on disk as `origin`, clones as workspaces,
// records pushed with plumbing, baselines chosen by merge-base, racing writers, files this
// version cannot read, retention and a refused push.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findBaseline, readSnapshot, recordRun, type RecordOutcome } from '../src/store/dataBranch.js';
import { realGit } from '../src/store/git.js';
import { fingerprintHash } from '../src/store/fingerprint.js';
import { recordPath, RECORD_SCHEMA_VERSION } from '../src/store/record.js';
import { branchFiles, cloneOf, commitFile, git, newOrigin, remoteRef, showFile, type Origin } from './helpers/gitRepo.js';
import { CONFIG, FINGERPRINT, recordAt } from './helpers/records.js';
import { ROOT } from './helpers/paths.js';

const BRANCH = 'perf-data';
const quiet = { info: () => {}, warning: () => {} };
const noSleep = async () => {};

async function record(workspace: string, rps: number, opts: Parameters<typeof recordAt>[3] & { keepRuns?: number } = {}): Promise<RecordOutcome> {
  const head = git(workspace, 'rev-parse', 'HEAD');
  return recordRun({ git: realGit(workspace), branch: BRANCH, log: quiet, keepRuns: opts.keepRuns ?? 100, sleep: noSleep }, recordAt(head, rps, 10, opts));
}

function find(workspace: string, baseSha?: string, fingerprint = FINGERPRINT, config = CONFIG) {
  const g = realGit(workspace);
  return findBaseline(g, BRANCH, readSnapshot(g, BRANCH), {
    fingerprint,
    fingerprintHash: fingerprintHash(fingerprint),
    configHash: config,
    baseSha,
    head: git(workspace, 'rev-parse', 'HEAD'),
  });
}

function recorded(outcome: RecordOutcome): Extract<RecordOutcome, { status: 'recorded' }> {
  assert.equal(outcome.status, 'recorded', JSON.stringify(outcome));
  return outcome as Extract<RecordOutcome, { status: 'recorded' }>;
}

/** Commits `files` onto the data branch of origin as another tool (or a person) would. */
function pushToBranch(origin: Origin, files: Record<string, string>): void {
  const ws = cloneOf(origin, `editor-${Math.random().toString(36).slice(2)}`);
  git(ws, 'fetch', '--quiet', 'origin', `${BRANCH}:${BRANCH}`);
  git(ws, 'checkout', '--quiet', BRANCH);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.join(ws, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(ws, file), content);
    git(ws, 'add', file);
  }
  git(ws, 'commit', '--quiet', '-m', 'edit by hand');
  git(ws, 'push', '--quiet', 'origin', BRANCH);
}

describe('data branch: recording and merge-base baselines', () => {
  it('records two main commits with plumbing (working tree, HEAD and index untouched); a PR uses the merge-base record', async () => {
    const origin = newOrigin();
    const main = cloneOf(origin, 'main');
    const c1 = git(main, 'rev-parse', 'HEAD');
    // The user's own state: a staged change and an untracked file must survive recording.
    writeFileSync(path.join(main, 'staged.txt'), 'staged\n');
    git(main, 'add', 'staged.txt');
    writeFileSync(path.join(main, 'untracked.txt'), 'mine\n');
    const statusBefore = git(main, 'status', '--porcelain');

    assert.equal(remoteRef(origin, BRANCH), undefined, 'no data branch yet');
    const first = recorded(await record(main, 100));
    assert.equal(first.attempts, 1);
    assert.equal(git(main, 'rev-parse', 'HEAD'), c1, 'HEAD untouched');
    assert.equal(git(main, 'status', '--porcelain'), statusBefore, 'index and working tree untouched');
    assert.equal(git(main, 'symbolic-ref', 'HEAD'), 'refs/heads/main');

    git(main, 'reset', '--quiet');
    git(main, 'stash', '--include-untracked', '--quiet');
    const c2 = commitFile(main, 'app.py', 'print("v2")\n', 'second');
    git(main, 'push', '--quiet', 'origin', 'main');
    recorded(await record(main, 200));
    const c3 = commitFile(main, 'app.py', 'print("v3")\n', 'third, not recorded');
    git(main, 'push', '--quiet', 'origin', 'main');

    const files = branchFiles(origin, BRANCH);
    assert.deepEqual(files.filter((f) => f.startsWith('runs/')).length, 2);
    assert.ok(files.includes('index.json') && files.includes('index.html'));
    const index = JSON.parse(showFile(origin, BRANCH, 'index.json'));
    assert.deepEqual(index.runs.map((r: { commit: string }) => r.commit), [c1, c2]);
    assert.deepEqual(index.runs.map((r: { scenarios: { home: { rps: number } } }) => r.scenarios.home.rps), [100, 200]);
    // Each history commit adds to the previous one: a plain fast-forward chain, no force.
    assert.equal(git(origin.bare, 'rev-list', '--count', `refs/heads/${BRANCH}`), '2');
    assert.equal(git(origin.bare, 'log', '-1', '--format=%an', `refs/heads/${BRANCH}`), 'github-actions[bot]');

    // A pull request branched from c1, while main moved on to c3: compared with c1's record.
    const pr = cloneOf(origin, 'pr');
    git(pr, 'checkout', '--quiet', '-b', 'feature', c1);
    commitFile(pr, 'feature.py', 'x = 1\n', 'feature');
    const found = find(pr, c3);
    assert.equal(found.record?.commit, c1);
    assert.equal(found.record?.samples.length, 3);
    assert.match(found.info!.selection!, new RegExp(`^the record of the merge-base ${c1.slice(0, 12)} of this commit and the base ${c3.slice(0, 12)}`));
    assert.match(found.info!.run!, new RegExp(`^runs/${fingerprintHash(FINGERPRINT)}/${c1}-`));
    // The trend: the recorded ancestors of the merge-base, oldest first.
    assert.deepEqual(found.trend.map((p) => p.commit), [c1]);

    // Branched from c3 (no record): the nearest recorded ancestor, c2, one commit back.
    const pr2 = cloneOf(origin, 'pr2');
    git(pr2, 'checkout', '--quiet', '-b', 'feature2', c3);
    commitFile(pr2, 'other.py', 'y = 2\n', 'feature 2');
    const nearest = find(pr2, c3);
    assert.equal(nearest.record?.commit, c2);
    assert.match(nearest.info!.selection!, /^the nearest recorded ancestor, 1 commit\(s\) before the merge-base .* \(which has no usable record\)/);
    assert.deepEqual(nearest.trend.map((p) => [p.commit, p.scenarios.home!.rps]), [[c1, 100], [c2, 200]]);
  });

  it('never compares across runners or configs, and says which runs were passed over and why', async () => {
    const origin = newOrigin();
    const main = cloneOf(origin, 'main');
    const c1 = git(main, 'rev-parse', 'HEAD');
    recorded(await record(main, 100, { createdAt: '2026-01-01T00:00:00.000Z' }));
    const other = { ...FINGERPRINT, cpuModel: 'Other CPU 9000', python: '3.12.1' };
    recorded(await record(main, 999, { fingerprint: other, createdAt: '2026-01-02T00:00:00.000Z' }));
    recorded(await record(main, 555, { config: 'deadbeef0000', createdAt: '2026-01-03T00:00:00.000Z' }));
    const c2 = commitFile(main, 'app.py', 'v2\n', 'second');

    const found = find(main);
    assert.equal(found.record?.commit, c1);
    assert.equal(found.record?.samples[1]!.rps, 100, 'the run on this runner and config, not the newer ones');
    assert.equal(found.info!.skipped!.length, 2);
    assert.match(found.info!.skipped!.join('\n'), /recorded on another runner \(CPU model "Other CPU 9000" vs "Test CPU 3000" here, Python version "3\.12\.1" vs "3\.11\.2" here\)/);
    assert.match(found.info!.skipped!.join('\n'), /the scenario definitions or server command differ \(config deadbeef0000 vs c0ffee00c0ff here\)/);
    assert.match(found.info!.selection!, new RegExp(`nearest recorded ancestor, 1 commit\\(s\\) before this commit ${c2.slice(0, 12)}`));

    // A runner nobody recorded on: no baseline, and the note says why.
    const none = find(main, undefined, { ...FINGERPRINT, cpus: 64 });
    assert.equal(none.record, undefined);
    assert.match(none.note!, /^none usable on the data branch perf-data: no run recorded at this commit .* or its 1 ancestors searched was measured on this runner/);
    assert.match(none.note!, /core count 2 vs 64 here/);
    assert.match(none.note!, /Comparing with an incomparable run would be noise/);
  });

  it('no data branch yet: says so; a base commit missing from the clone (shallow) is explained', async () => {
    const origin = newOrigin();
    const main = cloneOf(origin, 'main');
    assert.match(find(main).note!, /^none yet: the data branch perf-data does not exist/);
    recorded(await record(main, 100));
    const found = find(main, 'f'.repeat(40));
    assert.equal(found.record?.samples[1]!.rps, 100);
    assert.match(found.info!.selection!, /the merge-base of this commit and the base ffffffffffff is not in the clone \(check out with fetch-depth: 0\); searched the ancestors of this commit instead/);
  });
});

describe('data branch: concurrent writers', () => {
  const child = (workspace: string, barrier: string, writers: number, rps: number) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, '__tests__/helpers/recordChild.ts'), workspace, barrier, String(writers), String(rps)], { cwd: ROOT });

  it('two recorders whose pushes collide: the loser rebuilds on the new tip; both records land', async () => {
    const origin = newOrigin();
    const a = cloneOf(origin, 'a');
    const b = cloneOf(origin, 'b');
    recorded(await record(a, 50)); // an existing tip, so both build on it
    const barrier = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-barrier-'));
    const [ra, rb] = await Promise.all([child(a, barrier, 2, 101), child(b, barrier, 2, 102)]);
    const outcomes = [JSON.parse(ra.stdout), JSON.parse(rb.stdout)] as RecordOutcome[];
    assert.deepEqual(outcomes.map((o) => o.status), ['recorded', 'recorded'], `${ra.stderr}\n${rb.stderr}`);
    const attempts = outcomes.map((o) => (o as { attempts: number }).attempts).sort();
    assert.deepEqual(attempts, [1, 2], 'one push lost the race and was retried once');
    assert.match(ra.stderr + rb.stderr, /Another run updated perf-data first \(attempt 1\); rebuilding on its new tip/);
    const index = JSON.parse(showFile(origin, BRANCH, 'index.json'));
    assert.deepEqual(index.runs.map((r: { scenarios: { home: { rps: number } } }) => r.scenarios.home.rps).sort(), [101, 102, 50]);
    assert.equal(branchFiles(origin, BRANCH).filter((f) => f.startsWith('runs/')).length, 3);
  });

  it('four recorders started at once from four clones: all four records and the index hold them', async () => {
    const origin = newOrigin();
    const clones = [1, 2, 3, 4].map((i) => cloneOf(origin, `w${i}`));
    const results = await Promise.all(clones.map((c, i) => child(c, '-', 4, 300 + i)));
    for (const r of results) assert.equal(JSON.parse(r.stdout).status, 'recorded', r.stderr);
    const index = JSON.parse(showFile(origin, BRANCH, 'index.json'));
    assert.deepEqual(index.runs.map((r: { scenarios: { home: { rps: number } } }) => r.scenarios.home.rps).sort(), [300, 301, 302, 303]);
  });
});

describe('data branch: files this version cannot read are reported and never overwritten', () => {
  const cases: Array<[string, (good: string) => string, RegExp]> = [
    ['a corrupt record', () => '{"schemaVersion": 2, "kind": "wsgi-perf-', /: not valid JSON \(/],
    ['a record from a newer schema', () => JSON.stringify({ schemaVersion: RECORD_SCHEMA_VERSION + 1, kind: 'wsgi-perf-gate/run' }), /: schemaVersion 3 is newer than this version of the action understands \(2\); upgrade the action/],
  ];
  for (const [name, content, message] of cases) {
    it(`${name}: recording is refused with the file named, the branch ref unchanged; a PR passes over it`, async () => {
      const origin = newOrigin();
      const main = cloneOf(origin, 'main');
      const c1 = git(main, 'rev-parse', 'HEAD');
      recorded(await record(main, 100, { createdAt: '2026-01-01T00:00:00.000Z' }));
      const badPath = recordPath(recordAt(c1, 1, 1, { createdAt: '2026-01-02T00:00:00.000Z' }), 'bad000');
      pushToBranch(origin, { [badPath]: content('') });
      const before = remoteRef(origin, BRANCH);
      const badBefore = showFile(origin, BRANCH, badPath);

      const outcome = await record(main, 200);
      assert.equal(outcome.status, 'refused');
      const text = (outcome as { message: string }).message;
      assert.ok(text.includes(badPath), text);
      assert.match(text, message);
      assert.match(text, /^Not recording on the data branch perf-data: it holds file\(s\) this version cannot read, and they are left exactly as they are/);
      assert.equal(remoteRef(origin, BRANCH), before, 'branch ref unchanged');
      assert.equal(showFile(origin, BRANCH, badPath), badBefore);

      // Reading: the unreadable newest record at the merge-base is passed over, with its reason.
      const found = find(main);
      assert.equal(found.record?.samples[1]!.rps, 100);
      assert.match(found.info!.skipped!.join('\n'), new RegExp(`${badPath.replace(/[.]/g, '\\.')} \\(commit ${c1.slice(0, 12)}\\): unreadable: `));
    });
  }
});

describe('data branch: retention and refused pushes', () => {
  it('keeps the newest N runs per runner fingerprint; other runners keep theirs', async () => {
    const origin = newOrigin();
    const main = cloneOf(origin, 'main');
    const other = { ...FINGERPRINT, cpuModel: 'Other' };
    recorded(await record(main, 7, { fingerprint: other, createdAt: '2025-12-01T00:00:00.000Z' }));
    for (let i = 1; i <= 5; i++) recorded(await record(main, i, { keepRuns: 3, createdAt: `2026-01-0${i}T00:00:00.000Z` }));
    const runs = branchFiles(origin, BRANCH).filter((f) => f.startsWith('runs/'));
    assert.equal(runs.length, 4);
    const index = JSON.parse(showFile(origin, BRANCH, 'index.json'));
    assert.deepEqual(index.runs.map((r: { scenarios: { home: { rps: number } } }) => r.scenarios.home.rps), [7, 3, 4, 5]);
    // Git history keeps every run: removed files are only gone from the tip.
    assert.equal(git(origin.bare, 'rev-list', '--count', `refs/heads/${BRANCH}`), '6');
  });

  it('a push refused for permission: a clear failure, not retried, nothing written', async () => {
    const origin = newOrigin();
    const main = cloneOf(origin, 'main');
    const hook = path.join(origin.bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "Permission to acme/shop.git denied to github-actions[bot]." >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const outcome = await record(main, 100);
    assert.equal(outcome.status, 'failed');
    assert.match((outcome as { message: string }).message, /^The push to perf-data was refused: .*Permission to acme\/shop\.git denied.*Recording needs `permissions: contents: write`/);
    assert.equal(remoteRef(origin, BRANCH), undefined);
  });
});
