// The action steps of examples/workflows/ run as a runner runs them (dist/main.js, INPUT_*
// from the step's `with:`, the job's `env:`) on the bundled example apps, with real servers.
// What differs from GitHub, and why: a short measurement (the examples' settings are for a
// real gate; this checks that their inputs boot and measure), no recording (no data branch
// here), and `python: /usr/bin/python3` where the workflow relies on setup-python (Debian's
// Python owns the servers here). A paired example (compare-to: base) runs paired for real: its
// bundled app is committed in a git repository as a base commit and a pull request commit, the
// job's own `run:` steps make the head's virtualenv, and the action boots the base beside it
// after its `base-setup`. A missing server or package fails the test with the action's own
// message (scripts/ensure-deps.sh test installs them); nothing is skipped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { newRunnerDirs, runAction } from './helpers/runner.js';
import { PY, ROOT } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { startPostgres } from './helpers/postgres.js';

interface Step {
  uses?: string;
  run?: string;
  'working-directory'?: string;
  with?: Record<string, string>;
}
interface Job {
  env?: Record<string, string>;
  services?: Record<string, { env?: Record<string, string> }>;
  steps: Step[];
}
interface Workflow {
  jobs: Record<string, Job>;
}

const SHORT = { rounds: '2', 'duration-seconds': '0.5', 'warmup-seconds': '0', connections: '2', 'compare-to': 'none', record: 'false', comment: 'never' };
/** Paired: the fewest rounds a paired comparison at 0.99 accepts, short trials. */
const SHORT_PAIRED = { rounds: '8', 'duration-seconds': '0.3', 'warmup-seconds': '0', connections: '2', record: 'false', comment: 'never' };
const dir = path.join(ROOT, 'examples', 'workflows');

/** A step points at a bundled app when its working directory or config file is under examples/. */
const bundled = (inputs: Record<string, string>) => /^examples\//.test(inputs['working-directory'] ?? '') || /^examples\//.test(inputs.config ?? '');

const gateSteps = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .flatMap((file) => {
    const wf = parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;
    return Object.values(wf.jobs).flatMap((job) =>
      job.steps
        .filter((s) => /wsgi-perf-gate@/.test(s.uses ?? '') && (s.with?.mode ?? 'gate') === 'gate')
        .map((s) => ({ file, env: job.env ?? {}, inputs: s.with ?? {}, steps: job.steps, services: job.services })),
    );
  });

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/**
 * A workspace as actions/checkout leaves it for a pull request: the bundled app folder committed
 * on main (the base), and a pull request commit on top that changes a comment only.
 */
function pullRequestWorkspace(appDir: string) {
  const dirs = newRunnerDirs();
  cpSync(path.join(ROOT, appDir), path.join(dirs.workspace, appDir), { recursive: true, filter: (src) => !/(__pycache__|\.venv)$/.test(src) });
  git(dirs.workspace, 'init', '-q', '-b', 'main');
  git(dirs.workspace, 'add', '.');
  git(dirs.workspace, 'commit', '-q', '-m', 'base');
  const baseSha = git(dirs.workspace, 'rev-parse', 'HEAD');
  git(dirs.workspace, 'checkout', '-q', '-b', 'feature');
  const app = path.join(dirs.workspace, appDir, 'app.py');
  execFileSync('sh', ['-c', `echo '# a comment only' >> "${app}"`]);
  git(dirs.workspace, 'commit', '-q', '-am', 'the pull request');
  return { dirs, baseSha, headSha: git(dirs.workspace, 'rev-parse', 'HEAD') };
}

/** The job's `run:` steps in the app's folder (its virtualenv), as the runner runs them. */
function runJobSteps(steps: Step[], workspace: string, appDir: string): void {
  for (const s of steps) {
    if (!s.run || s['working-directory'] !== appDir) continue;
    // pip's retries off: without PyPI (this machine's wheel mirror) five retries a package cost a minute.
    execFileSync('bash', ['-e', '-c', s.run], { cwd: path.join(workspace, appDir), env: { ...process.env, PIP_RETRIES: '0' }, stdio: 'pipe', timeout: 180_000 });
  }
}

describe('example workflows, run', () => {
  let procs: ProcessInfo[];
  before(() => (procs = serverProcesses()));
  after(() => assert.deepEqual(newServerProcesses(procs), []));

  it('every example but the sharded template runs on a bundled app here', () => {
    // sharded.yml is written for the user's own app and .github/perf-gate.yml (nothing bundled to
    // boot); its inputs go through the config reader in workflows.test.ts, and a sharded gate
    // (shards, paired, then the merge) runs for real in shards.e2e.test.ts.
    assert.deepEqual(gateSteps.filter((s) => !bundled(s.inputs)).map((s) => s.file), ['sharded.yml']);
  });

  for (const { file, env, inputs, steps, services } of gateSteps.filter((s) => bundled(s.inputs))) {
    const paired = inputs['compare-to'] === 'base';
    it(`${file}: its action step boots the bundled app and measures it${paired ? ', paired with the base commit' : ''}`, async () => {
      if (paired) {
        const appDir = inputs['working-directory']!;
        const r = pullRequestWorkspace(appDir);
        runJobSteps(steps, r.dirs.workspace, appDir);
        const run = await runAction('main', r.dirs, {
          eventName: 'pull_request',
          sha: r.headSha,
          baseSha: r.baseSha,
          inputs: { ...inputs, ...SHORT_PAIRED, 'github-token': 'unused' },
          // base-setup's pip too (see runJobSteps).
          env: { ...env, PIP_RETRIES: '0' },
          timeoutMs: 240_000,
        });
        assert.equal(run.code, 0, run.stdout.slice(-3000));
        assert.ok(['pass', 'inconclusive'].includes(run.outputs.verdict ?? ''), `verdict ${run.outputs.verdict}`);
        assert.match(run.summary, new RegExp(`Baseline: the base commit, booted beside the head in this job \\(paired rounds\\) at commit <code>${r.baseSha.slice(0, 12)}</code>`));
        assert.equal(git(r.dirs.workspace, 'worktree', 'list').split('\n').length, 1, 'the base worktree was removed');
        return;
      }
      const dirs = newRunnerDirs();
      // A job with `services: postgres` gets a real PostgreSQL started here instead of the
      // container, its DATABASE_URL pointed at it, and its `manage.py migrate` step run.
      const pg = services?.postgres ? await startPostgres() : undefined;
      const jobEnv = { ...env };
      try {
        if (pg) {
          const database = services!.postgres!.env?.POSTGRES_DB ?? 'postgres';
          if (database !== 'postgres') pg.createDatabase(database);
          jobEnv.DATABASE_URL = pg.url(database);
          for (const step of steps.filter((s) => /manage\.py migrate/.test(s.run ?? ''))) {
            execFileSync(PY, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: path.join(ROOT, step['working-directory'] ?? '.'), env: { ...process.env, ...jobEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
          }
        }
        const run = await runAction('main', dirs, {
          eventName: 'push',
          inputs: { python: PY, ...inputs, ...SHORT, 'github-token': 'unused' },
          env: { ...jobEnv, GITHUB_WORKSPACE: ROOT },
          timeoutMs: 150_000,
        });
        assert.equal(run.code, 0, run.stdout.slice(-3000));
        assert.ok(['pass', 'inconclusive'].includes(run.outputs.verdict ?? ''), `verdict ${run.outputs.verdict}`);
        assert.match(run.summary, /Requests\/s/);
        // queries: on in the workflow: the count ran (it needs the database the job prepared).
        if (inputs.queries === 'on') assert.match(run.summary, /### Database queries per request/, run.summary);
      } finally {
        pg?.stop();
      }
    });
  }
});
