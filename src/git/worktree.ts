// The base commit of a pull request, checked out beside the head in a git worktree (the
// workspace's own checkout is never touched), and removed again afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GateError } from '../errors.js';

/** The base could not be checked out: the gate falls back, it does not fail the PR for it. */
export class BaseCheckoutError extends GateError {}

export interface BaseCheckout {
  /** Root of the base checkout. */
  dir: string;
  /** The merge-base commit that was checked out. */
  commit: string;
  /** The head's repository root, to map working directories into the checkout. */
  repoRoot: string;
  remove(): void;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function gitError(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  return (e.stderr?.toString().trim() || e.message || String(err)).split('\n').slice(-3).join(' ');
}

/** Checks out merge-base(HEAD, baseRef) of the repository holding `dir` into a new worktree. */
export function checkoutMergeBase(dir: string, baseRef: string): BaseCheckout {
  let repoRoot: string;
  let commit: string;
  try {
    repoRoot = git(dir, ['rev-parse', '--show-toplevel']);
    commit = git(repoRoot, ['merge-base', 'HEAD', baseRef]);
  } catch (err) {
    throw new BaseCheckoutError(
      `cannot find the merge-base of HEAD and ${baseRef} (${gitError(err)}); check out with fetch-depth: 0 so the base commit is there.`,
    );
  }
  const worktree = path.join(mkdtempSync(path.join(os.tmpdir(), 'perf-gate-base-')), 'base');
  try {
    git(repoRoot, ['worktree', 'add', '--detach', worktree, commit]);
  } catch (err) {
    rmSync(path.dirname(worktree), { recursive: true, force: true });
    throw new BaseCheckoutError(`cannot check out the base commit ${commit.slice(0, 12)} (${gitError(err)}).`);
  }
  return {
    dir: worktree,
    commit,
    repoRoot,
    remove() {
      try {
        git(repoRoot, ['worktree', 'remove', '--force', worktree]);
      } catch {
        // already gone; prune below forgets it either way
      }
      rmSync(path.dirname(worktree), { recursive: true, force: true });
      try {
        git(repoRoot, ['worktree', 'prune']);
      } catch {
        // nothing to prune
      }
    },
  };
}

/** Runs the user's setup command (e.g. installing the base's requirements) in the base checkout. */
export function runBaseSetup(command: string, cwd: string, timeoutSeconds = 900): void {
  try {
    execFileSync('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds * 1000 });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    const out = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim().split('\n').slice(-10).join('\n    ');
    throw new BaseCheckoutError(`base-setup \`${command}\` failed in the base checkout:\n    ${out || (err as Error).message}`);
  }
}
