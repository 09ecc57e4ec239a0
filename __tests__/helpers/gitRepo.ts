// Real git repositories on disk for the history tests: a bare repository as `origin` and
// clones of it as workspaces, the way actions/checkout leaves a runner's workspace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const IDENTITY = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface Origin {
  dir: string;
  bare: string;
}

/** A bare repository with one commit on main. */
export function newOrigin(): Origin {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-git-'));
  const bare = path.join(dir, 'origin.git');
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const seed = path.join(dir, 'seed');
  git(dir, 'clone', '--quiet', bare, seed);
  git(seed, 'checkout', '--quiet', '-b', 'main');
  commitFile(seed, 'app.py', 'print("v1")\n', 'first');
  git(seed, 'push', '--quiet', 'origin', 'main');
  return { dir, bare };
}

export function cloneOf(origin: Origin, name: string, into?: string): string {
  const dest = into ?? path.join(origin.dir, name);
  git(origin.dir, 'clone', '--quiet', origin.bare, dest);
  return dest;
}

/** Writes a file, commits it, returns the new commit. */
export function commitFile(repo: string, file: string, content: string, message: string): string {
  writeFileSync(path.join(repo, file), content);
  git(repo, 'add', file);
  git(repo, 'commit', '--quiet', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

export function remoteRef(origin: Origin, branch: string): string | undefined {
  try {
    return git(origin.bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
  } catch {
    return undefined;
  }
}

/** Paths of the files at the tip of a branch of origin. */
export function branchFiles(origin: Origin, branch: string): string[] {
  return git(origin.bare, 'ls-tree', '-r', '--name-only', `refs/heads/${branch}`).split('\n').filter(Boolean);
}

export function showFile(origin: Origin, branch: string, file: string): string {
  return git(origin.bare, 'show', `refs/heads/${branch}:${file}`);
}
