// The git edge of the history store: plumbing commands run with execFile (no shell) in the
// workspace repository. The working tree, HEAD and the user's index are never touched: trees
// are built in a temporary index (GIT_INDEX_FILE) and commits pushed by object id.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError } from '../errors.js';

export interface TreeEntry {
  path: string;
  blob: string;
}

export type PushOutcome = { ok: true } | { ok: false; race: boolean; message: string };

/** What the history store needs from git; passed in, so a test can wrap it (e.g. to line up two pushes). */
export interface GitEdge {
  /** Fetches the branch into refs/remotes/<remote>/<branch>; its tip, or undefined when the branch does not exist yet. */
  fetchBranch(branch: string): string | undefined;
  listTree(commit: string): TreeEntry[];
  /** Contents of blobs by id, read in one `git cat-file --batch`. */
  readBlobs(ids: string[]): Map<string, Buffer>;
  writeBlob(content: string): string;
  /** A commit whose tree is `parent`'s tree plus `add` minus `remove` (paths relative to the root). */
  commitTree(parent: string | undefined, add: Array<{ path: string; blob: string }>, remove: string[], message: string): string;
  push(commit: string, branch: string): PushOutcome;
  mergeBase(a: string, b: string): string | undefined;
  /** Commits reachable from `commit`, newest first, at most `max`. */
  ancestors(commit: string, max: number): string[];
  resolve(rev: string): string | undefined;
  /** Tags by the commit they point at (the watch's `watch-anchor: tag`). */
  tags?(): Map<string, string[]>;
  /** Commits in (from, to], oldest first (a change point's range). */
  commitsBetween?(from: string, to: string): string[];
}

/** The identity of history commits, so recording works on a runner without git config. */
export const BOT_IDENTITY = {
  GIT_AUTHOR_NAME: 'github-actions[bot]',
  GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'github-actions[bot]',
  GIT_COMMITTER_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
};

function stderrOf(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  return (e.stderr?.toString().trim() || e.message || String(err)).trim();
}

// A push that lost to another writer (retry on the new tip), as opposed to one refused for
// permission or a protected branch (retrying cannot help).
const RACE = /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value|stale info/i;

export function realGit(repoDir: string, remote = 'origin'): GitEdge {
  const run = (args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Buffer =>
    execFileSync('git', args, {
      cwd: repoDir,
      input: opts.input,
      // Never wait for a password prompt, and never hang on a stalled network.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 512 * 1024 * 1024,
      timeout: 180_000,
    });
  const text = (args: string[], opts?: Parameters<typeof run>[1]) => run(args, opts).toString('utf8').trim();
  const fail = (what: string, err: unknown) => new StoreError(`git ${what} failed in ${repoDir}: ${stderrOf(err).split('\n').slice(-3).join(' ')}`);

  return {
    fetchBranch(branch) {
      const tracking = `refs/remotes/${remote}/${branch}`;
      try {
        run(['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:${tracking}`]);
      } catch (err) {
        // No such branch yet: the first record creates it.
        if (/couldn't find remote ref|could not find remote ref/i.test(stderrOf(err))) {
          try {
            run(['update-ref', '-d', tracking]);
          } catch {
            // there was no stale tracking ref to drop
          }
          return undefined;
        }
        throw fail(`fetch of ${branch} from ${remote}`, err);
      }
      return text(['rev-parse', '--verify', `${tracking}^{commit}`]);
    },
    listTree(commit) {
      try {
        const out = run(['ls-tree', '-r', '-z', '--full-tree', commit]).toString('utf8');
        return out
          .split('\0')
          .filter(Boolean)
          .map((line) => {
            const tab = line.indexOf('\t');
            const [, type, blob] = line.slice(0, tab).split(' ');
            return { type, blob: blob!, path: line.slice(tab + 1) };
          })
          .filter((e) => e.type === 'blob')
          .map(({ blob, path: p }) => ({ blob, path: p }));
      } catch (err) {
        throw fail(`ls-tree ${commit}`, err);
      }
    },
    readBlobs(ids) {
      const out = new Map<string, Buffer>();
      const unique = [...new Set(ids)];
      if (unique.length === 0) return out;
      let buf: Buffer;
      try {
        buf = run(['cat-file', '--batch'], { input: unique.join('\n') + '\n' });
      } catch (err) {
        throw fail('cat-file --batch', err);
      }
      // Each object: "<id> <type> <size>\n<content>\n"
      let at = 0;
      for (const id of unique) {
        const nl = buf.indexOf(0x0a, at);
        const header = buf.subarray(at, nl).toString('utf8').split(' ');
        if (header[1] === 'missing' || header.length < 3) throw new StoreError(`git object ${id} is missing in ${repoDir}.`);
        const size = Number(header[2]);
        out.set(id, buf.subarray(nl + 1, nl + 1 + size));
        at = nl + 1 + size + 1;
      }
      return out;
    },
    writeBlob(content) {
      try {
        return text(['hash-object', '-w', '--stdin'], { input: content });
      } catch (err) {
        throw fail('hash-object', err);
      }
    },
    commitTree(parent, add, remove, message) {
      // A temporary index: the user's own index and working tree stay as they were.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-index-'));
      const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
      try {
        run(parent ? ['read-tree', parent] : ['read-tree', '--empty'], { env });
        const lines = [
          ...remove.map((p) => `0 ${'0'.repeat(40)}\t${p}`),
          ...add.map((f) => `100644 ${f.blob}\t${f.path}`),
        ];
        if (lines.length) run(['update-index', '-z', '--index-info'], { env, input: lines.join('\0') + '\0' });
        const tree = text(['write-tree'], { env });
        return text(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], { env: { ...BOT_IDENTITY, ...env } });
      } catch (err) {
        throw fail('commit-tree', err);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    push(commit, branch) {
      try {
        // No force: a push that is not a fast-forward of the remote tip is rejected.
        run(['push', '--quiet', '--porcelain', remote, `${commit}:refs/heads/${branch}`]);
        return { ok: true };
      } catch (err) {
        const e = err as { stdout?: Buffer };
        const message = `${e.stdout?.toString() ?? ''}\n${stderrOf(err)}`.trim();
        return { ok: false, race: RACE.test(message), message: message.split('\n').filter((l) => l && !/^To |^Done$/.test(l)).slice(-3).join(' ') };
      }
    },
    mergeBase(a, b) {
      try {
        return text(['merge-base', a, b]) || undefined;
      } catch {
        return undefined;
      }
    },
    ancestors(commit, max) {
      try {
        return text(['rev-list', `--max-count=${max}`, commit]).split('\n').filter(Boolean);
      } catch (err) {
        throw fail(`rev-list ${commit}`, err);
      }
    },
    resolve(rev) {
      try {
        return text(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]) || undefined;
      } catch {
        return undefined;
      }
    },
    tags() {
      const map = new Map<string, string[]>();
      // %(*objectname) is the commit an annotated tag points at; empty for a lightweight tag.
      for (const line of text(['for-each-ref', '--format=%(objectname) %(*objectname) %(refname:short)', 'refs/tags']).split('\n').filter(Boolean)) {
        const [object, peeled, name] = line.split(' ');
        const commit = peeled || object!;
        map.set(commit, [...(map.get(commit) ?? []), name!]);
      }
      return map;
    },
    commitsBetween(from, to) {
      try {
        return text(['rev-list', '--reverse', '--first-parent', `${from}..${to}`]).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}
