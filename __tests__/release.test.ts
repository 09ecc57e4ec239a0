// scripts/release.sh in a clone of this repository with a local bare repository as its
// remote: a dry run changes nothing; a release tags vX.Y.Z and moves vX; the next release
// moves vX again; a stale dist/ or a version that is not package.json's is refused.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/paths.js';

describe('scripts/release.sh', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-release-'));
  const bare = path.join(dir, 'remote.git');
  const work = path.join(dir, 'work');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 60_000 }).trim();
  const release = (...args: string[]) => spawnSync('bash', ['scripts/release.sh', ...args], { cwd: work, encoding: 'utf8', timeout: 180_000 });
  const tagged = (repo: string, tag: string) => spawnSync('git', ['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`], { cwd: repo, encoding: 'utf8' }).stdout.trim();
  const version = () => (JSON.parse(readFileSync(path.join(work, 'package.json'), 'utf8')) as { version: string }).version;
  const bump = (next: string, change?: () => void) => {
    const pkg = readFileSync(path.join(work, 'package.json'), 'utf8');
    writeFileSync(path.join(work, 'package.json'), pkg.replace(`"version": "${version()}"`, `"version": "${next}"`));
    const log = readFileSync(path.join(work, 'CHANGELOG.md'), 'utf8');
    writeFileSync(path.join(work, 'CHANGELOG.md'), log.replace('## [Unreleased]\n', `## [Unreleased]\n\n## [${next}] - 2026-11-27\n`));
    // dist/ carries the version (read from package.json at build time): a bump rebuilds it,
    // and `change` comes after that build.
    execFileSync('npm', ['run', '-s', 'build'], { cwd: work, stdio: 'ignore' });
    change?.();
    git(work, 'commit', '-qam', `release ${next}`);
  };

  before(() => {
    git(dir, 'init', '-q', '--bare', bare);
    git(dir, 'clone', '-q', ROOT, work);
    git(work, 'remote', 'set-url', 'origin', bare);
    git(work, 'config', 'user.email', 'test@example.com');
    git(work, 'config', 'user.name', 'test');
    git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    // The clone builds with this checkout's packages (hard links: instant, no network; a
    // copy when the temp dir is on another file system).
    const copy = (flags: string) => spawnSync('cp', [flags, path.join(ROOT, 'node_modules'), path.join(work, 'node_modules')]).status === 0;
    if (!copy('-al')) {
      execFileSync('rm', ['-rf', path.join(work, 'node_modules')]);
      assert.ok(copy('-a'), 'could not copy node_modules into the clone');
    }
  });

  it('a dry run checks everything and changes nothing', () => {
    const current = version();
    const r = release('--dry-run', current);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`would run: git tag -a v${current.replace(/\./g, '\\.')} `));
    assert.match(r.stdout, /would run: git push --force origin refs\/tags\/v\d+/);
    assert.equal(git(work, 'tag', '-l'), '');
    assert.equal(git(bare, 'tag', '-l'), '');
  });

  it('tags vX.Y.Z and moves vX, on the remote, release after release', () => {
    const first = version();
    const major = `v${first.split('.')[0]}`;
    let r = release(first);
    assert.equal(r.status, 0, r.stderr);
    const head1 = git(work, 'rev-parse', 'HEAD');
    assert.equal(tagged(bare, `v${first}`), head1);
    assert.equal(tagged(bare, major), head1);

    const [x, y, z] = first.split('.').map(Number) as [number, number, number];
    const second = `${x}.${y}.${z + 1}`;
    bump(second);
    r = release(second);
    assert.equal(r.status, 0, r.stderr);
    const head2 = git(work, 'rev-parse', 'HEAD');
    assert.equal(tagged(bare, `v${second}`), head2);
    assert.equal(tagged(bare, major), head2, `${major} moved to the newest release`);
    assert.equal(tagged(bare, `v${first}`), head1, 'the older release tag stays');
  });

  it('refuses a version other than package.json\'s, and a stale dist/', () => {
    let r = release('--dry-run', '99.0.0');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /package\.json's version is .*, not 99\.0\.0/);

    const [x, y, z] = version().split('.').map(Number) as [number, number, number];
    const next = `${x}.${y}.${z + 1}`;
    const cli = path.join(work, 'src', 'cli', 'cli.ts');
    bump(next, () => writeFileSync(cli, readFileSync(cli, 'utf8').replace('const USAGE = `Usage:', 'const USAGE = `Usage (changed after the build):')));
    r = release(next);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dist\/ is not the build of this commit/);
    assert.equal(tagged(bare, `v${next}`), '');
  });
});
