// Edge: where the app's own functions are. Its files are those under the server's repository (or
// working directory); their lines are found in the files as checked out (definitionLine.ts), and
// linked at the commit checked out, on the repository the workflow runs for.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { definitionLine } from './definitionLine.js';

function gitTopLevel(dir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface SourceLines {
  /** The repository first (paths in links are relative to it), then the working directory. */
  roots: string[];
  lineOf(file: string, qualname: string): number | undefined;
}

export function sourceLines(workingDirectory: string): SourceLines {
  const wd = path.resolve(workingDirectory);
  const top = gitTopLevel(wd);
  const sources = new Map<string, string | undefined>();
  const read = (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, readFileSync(file, 'utf8'));
      } catch {
        sources.set(file, undefined);
      }
    }
    return sources.get(file);
  };
  return {
    roots: top && top !== wd ? [top, wd] : [wd],
    lineOf(file, qualname) {
      const text = read(file);
      return text === undefined ? undefined : definitionLine(text, qualname);
    },
  };
}

/** `https://github.com/owner/repo/blob/<sha>` of the commit checked out in dir, when the run is for a GitHub repository. */
export function blobUrlOf(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const repository = env.GITHUB_REPOSITORY;
  if (!repository) return undefined;
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    return /^[0-9a-f]{40}$/.test(sha) ? `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '')}/${repository}/blob/${sha}` : undefined;
  } catch {
    return undefined;
  }
}
