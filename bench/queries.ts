// Queries per request, per server preset: the Django example's /books on a real PostgreSQL with
// the N+1 head (select_related dropped: 22 statements per request, 20 of one fingerprint) counted
// N times per preset by the gate's own pass (one boot each); every count must be identical. Also
// the extra time of the pass per side (boot, 5 warm-up and 20 counted requests, teardown), which
// is what the queries gate adds to a run (twice in paired mode), per scenario.
// Run (under the CPU lock): node --import tsx bench/queries.ts [counts per preset, default 20] [presets, default all five]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countQueries } from '../src/queries/count.js';
import { singleWorkerCommand } from '../src/instructions/singleWorker.js';
import { DEFAULTS } from '../src/config/config.js';
import { median } from '../src/stats/intervals.js';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { startPostgres } from '../__tests__/helpers/postgres.js';
import type { Scenario, Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PY = '/usr/bin/python3';
const repeats = Number(process.argv[2] ?? 20);
const presets = (process.argv[3] ?? 'gunicorn,gunicorn-gthread,gunicorn-gevent,uwsgi,waitress').split(',') as PresetName[];
const settings = DEFAULTS.queries;
const scenario: Scenario = { name: '/books', method: 'GET', path: '/books', headers: {}, connections: 1, durationSeconds: 1, timeoutSeconds: 10, thresholds: DEFAULTS.thresholds };

const app = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-bench-queries-'));
for (const f of ['manage.py', 'exampleproject', 'library']) cpSync(path.join(ROOT, 'examples', 'django', f), path.join(app, f), { recursive: true, filter: (p) => !p.includes('__pycache__') });
const views = path.join(app, 'exampleproject', 'views.py');
writeFileSync(views, readFileSync(views, 'utf8').replace('Book.objects.select_related("author")', 'Book.objects'));

const pg = await startPostgres();
try {
  pg.createDatabase('library');
  const env = { DATABASE_URL: pg.url('library') };
  execFileSync(PY, ['manage.py', 'migrate', '--noinput', '-v', '0'], { cwd: app, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const rows: string[] = [];
  for (const server of presets) {
    const preset = presetCommand({ server, app: 'exampleproject.wsgi:application', python: PY, cores: 2 });
    const target: Target = { name: server, ...preset, workingDirectory: app, url: 'http://127.0.0.1:$PORT', readyPath: '/', readyTimeoutSeconds: 60, env, stopSignal: 'SIGTERM' };
    const counts = new Map<string, number>();
    const seconds: number[] = [];
    let perRequest = 0;
    for (let i = 0; i < repeats; i++) {
      const m = await countQueries({ target, command: singleWorkerCommand(target, settings.command), scenario, warmupRequests: settings.warmupRequests, requests: settings.requests });
      const key = JSON.stringify(m.statements.map((s) => [s.fingerprint, s.perRequest]));
      counts.set(key, (counts.get(key) ?? 0) + 1);
      seconds.push(m.seconds);
      perRequest = m.perRequest;
    }
    const identical = counts.size === 1;
    const row = `| ${server} | ${perRequest} | ${identical ? `${repeats}/${repeats} identical` : `${counts.size} different results: ${[...counts.values()].join(', ')}`} | ${median(seconds).toFixed(2)} s (${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)}) | ${(2 * median(seconds)).toFixed(1)} s |`;
    console.log(row);
    rows.push(row);
  }
  console.log(['', '| preset | queries per request | counts | pass per side (median, range) | paired gate |', '|---|---|---|---|---|', ...rows].join('\n'));
} finally {
  pg.stop();
  rmSync(app, { recursive: true, force: true });
}
