// Runs dist/main.js or dist/post.js the way a GitHub runner does: INPUT_* variables, an event
// payload file, and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE command files.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, ROOT } from './paths.js';

export interface RunnerDirs {
  dir: string;
  workspace: string;
}

export function newRunnerDirs(): RunnerDirs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-runner-'));
  const workspace = path.join(dir, 'workspace');
  mkdirSync(workspace);
  return { dir, workspace };
}

export type EventName = 'pull_request' | 'push' | 'workflow_run';

const REPO = { id: 1, name: 'shop', full_name: 'acme/shop', default_branch: 'main', owner: { login: 'acme', id: 2, type: 'Organization' } };

export function eventPayload(eventName: EventName, sha: string, baseSha = 'b'.repeat(40)): Record<string, unknown> {
  if (eventName === 'push') {
    return { ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: REPO, sender: { login: 'dev', id: 3, type: 'User' } };
  }
  return {
    action: 'synchronize',
    number: 42,
    pull_request: {
      number: 42,
      state: 'open',
      title: 'Make it faster',
      head: { ref: 'feature', sha, repo: REPO },
      base: { ref: 'main', sha: baseSha, repo: REPO },
    },
    repository: REPO,
    sender: { login: 'dev', id: 3, type: 'User' },
  };
}

/** Parses the heredoc format that @actions/core writes to GITHUB_OUTPUT and GITHUB_STATE. */
export function parseCommandFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    out[name!] = value.join('\n');
  }
  return out;
}

export interface ActionRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

export interface ActionOptions {
  inputs: Record<string, string>;
  eventName?: EventName;
  sha?: string;
  /** The pull request's base commit in the event payload. */
  baseSha?: string;
  /** The whole event payload, instead of the one eventPayload() makes (e.g. a fork's PR, a workflow_run). */
  payload?: Record<string, unknown>;
  /** Saved state handed to a post step as STATE_* variables. */
  state?: Record<string, string>;
  env?: Record<string, string>;
  /** Called once the process is started, e.g. to kill it mid-run. */
  onStart?: (pid: number) => void;
  timeoutMs?: number;
}

export function runAction(entry: 'main' | 'post', dirs: RunnerDirs, opts: ActionOptions): Promise<ActionRun> {
  const eventName = opts.eventName ?? 'pull_request';
  const sha = opts.sha ?? 'a'.repeat(40);
  const files = {
    event: path.join(dirs.dir, 'event.json'),
    output: path.join(dirs.dir, `output-${entry}`),
    summary: path.join(dirs.dir, `summary-${entry}`),
    state: path.join(dirs.dir, `state-${entry}`),
    temp: path.join(dirs.dir, 'runner-temp'),
  };
  mkdirSync(files.temp, { recursive: true });
  writeFileSync(files.event, JSON.stringify(opts.payload ?? eventPayload(eventName === 'workflow_run' ? 'push' : eventName, sha, opts.baseSha)));
  for (const f of [files.output, files.summary, files.state]) writeFileSync(f, '');

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('INPUT_') && !k.startsWith('STATE_') && !k.startsWith('GITHUB_')) env[k] = v;
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_SHA: sha,
    GITHUB_REF: eventName === 'pull_request' ? 'refs/pull/42/merge' : 'refs/heads/main',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ACTION_PATH: ROOT,
    RUNNER_TEMP: files.temp,
    RUNNER_OS: 'Linux',
  });
  // Counting instructions under Valgrind adds ~10-30 s per side; only the tests about it opt in.
  env.INPUT_INSTRUCTIONS = 'off';
  // The hardening checks (default report) boot each server once more: tests that are not about
  // them leave them off, to keep the suite short.
  env.INPUT_HARDENING = 'off';
  // The query count boots each side once more; only the tests about it opt in.
  env.INPUT_QUERIES = 'off';
  for (const [name, value] of Object.entries(opts.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
  Object.assign(env, opts.env ?? {});

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, `${entry}.js`)], { cwd: dirs.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry}.js did not finish in ${opts.timeoutMs ?? 120_000} ms:\n${stdout}`));
    }, opts.timeoutMs ?? 120_000);
    if (child.pid) opts.onStart?.(child.pid);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        outputs: parseCommandFile(files.output),
        state: parseCommandFile(files.state),
        summary: readFileSync(files.summary, 'utf8'),
      });
    });
  });
}
