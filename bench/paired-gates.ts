// Whole paired gates with the action's defaults, end to end: a git repository whose pull
// request either changes nothing or adds a CPU spin per request, checked out in a worktree and
// booted beside the head by the real pipeline (compare-to: base, default rounds and trial
// length, confirmation on). Prints each gate's verdict, change, interval, whether a
// confirmation ran, and its wall time. bench/gate-quality-pool.ts rates the statistics over
// many gates; this shows what one real gate costs and says.
// Run: node --import tsx bench/paired-gates.ts [gates per kind=3] [spin us=24]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../src/config/config.js';
import { runGate } from '../src/pipeline/pipeline.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const gates = Number(process.argv[2] ?? 3);
const spinUs = Number(process.argv[3] ?? 24);
const quiet = { info: () => {}, warning: (m: string) => process.stderr.write(`warning: ${m}\n`) };
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/** A repository with the Flask example on main and two pull request branches. */
function repository(): { dir: string; baseSha: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-bench-'));
  const app = readFileSync(path.join(ROOT, 'examples', 'flask', 'app.py'), 'utf8');
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'app.py'), app);
  git(dir, 'add', 'app.py');
  git(dir, 'commit', '-q', '-m', 'base');
  const baseSha = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'same');
  writeFileSync(path.join(dir, 'app.py'), `${app}\n# a comment only\n`);
  git(dir, 'commit', '-q', '-am', 'same code');
  git(dir, 'checkout', '-q', '-b', 'slower', baseSha);
  const slower = app.replace('float(os.environ.get("EXAMPLE_SPIN_US", "0"))', String(spinUs));
  if (slower === app) throw new Error('examples/flask/app.py no longer reads EXAMPLE_SPIN_US as expected');
  writeFileSync(path.join(dir, 'app.py'), slower);
  git(dir, 'commit', '-q', '-am', `spin ${spinUs} us per request`);
  return { dir, baseSha };
}

const repo = repository();
console.log(`paired gates with the defaults (compare-to: base, confirm: true), gunicorn gthread 2 workers, Flask /json, 8 connections; slower = +${spinUs} us CPU per request`);
try {
  for (let i = 0; i < gates; i++) {
    for (const branch of ['same', 'slower']) {
      git(repo.dir, 'checkout', '-q', branch);
      const config = readConfig({
        getInput: (name) =>
          ({
            command: '/usr/bin/python3 -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 2 --worker-class gthread --threads 4',
            url: 'http://127.0.0.1:$PORT',
            path: '/json',
            connections: '8',
            'compare-to': 'base',
            // The wall-clock gate only: these benches measure it, not the hardening checks or Valgrind counts.
            hardening: 'off',
            instructions: 'off',
            'base-ref': repo.baseSha,
          })[name] ?? '',
        readFile: () => undefined,
        workspace: repo.dir,
        cores: os.availableParallelism(),
      });
      const t0 = Date.now();
      const result = await runGate(config, { record: false, meta: { eventName: 'bench' }, hooks: { log: quiet } });
      const seconds = (Date.now() - t0) / 1000;
      const rps = result.comparison.scenarios[0]!.metrics.find((m) => m.metric === 'rps')!;
      const fmt = (x: number | undefined) => (x === undefined ? '?' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
      console.log(
        `${branch.padEnd(6)} gate ${i + 1}: ${result.verdict.padEnd(12)} rps ${fmt(rps.changePct)} (${fmt(rps.ciLowPct)} … ${fmt(rps.ciHighPct)})` +
          `${rps.confirmation ? `, confirmation ${fmt(rps.confirmation.changePct)} ${rps.confirmation.verdict}` : ''}; ` +
          `${result.settings.rounds} rounds of ${result.settings.scenarios[0]!.durationSeconds} s${result.confirmationSamples ? ' + a confirmation run' : ''}; ${seconds.toFixed(0)} s`,
      );
    }
  }
} finally {
  rmSync(repo.dir, { recursive: true, force: true });
}
