// Prints what the hardening checks cost per target with the default settings (no body path,
// no hanging endpoint: the checks every target gets), boot and teardown included, for each
// preset on the Flask example with the default workers of a 2-CPU runner, gthread 2x4, and
// gunicorn sync behind nginx. Also prints each check's status, and per target how many of the
// repeats gave the same statuses: the verdicts must not depend on the kernel's choices.
// Run: node --import tsx bench/hardening.ts [repeats per target, default 1] [target names, comma-separated]
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetCommand, type PresetName } from '../src/server/presets.js';
import { bootTarget } from '../src/pipeline/boot.js';
import { hardenTargets } from '../src/hardening/hardenTargets.js';
import { readHardeningSettings } from '../src/hardening/settings.js';
import type { Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repeats = Number(process.argv[2] ?? 1);
const log = { info: () => {}, warning: (m: string) => console.error(m) };
const settings = readHardeningSettings('report', undefined);

const filter = process.argv[3];
const target = (name: string, server: PresetName, proxy = false, workers?: number): Target => {
  const { command, stopSignal, preset } = presetCommand({ server, app: 'app:app', python: '/usr/bin/python3', cores: 2, workers });
  return {
    name,
    command,
    workingDirectory: path.join(ROOT, 'examples', 'flask'),
    url: 'http://127.0.0.1:$PORT',
    readyPath: '/',
    readyTimeoutSeconds: 30,
    env: {},
    stopSignal,
    preset,
    proxy: proxy ? { server: 'nginx' } : undefined,
  };
};
const targets = [
  target('gunicorn', 'gunicorn'),
  target('gunicorn + nginx', 'gunicorn', true),
  target('gunicorn-gthread', 'gunicorn-gthread'),
  target('gunicorn-gthread 2x4', 'gunicorn-gthread', false, 2),
  target('gunicorn-gevent', 'gunicorn-gevent'),
  target('uwsgi', 'uwsgi'),
  target('uwsgi-http', 'uwsgi-http'),
  target('waitress', 'waitress'),
  target('wsgiref', 'wsgiref'),
].filter((t) => !filter || filter.split(',').includes(t.name));

console.log(`Runner: ${os.cpus()[0]?.model.trim()} x ${os.availableParallelism()}; defaults: slow-client ${settings.slowClientSeconds} s, no body-path, no hang-path`);
console.log('target              wall s (boot+checks+teardown)  checks s  statuses');
const summary: string[] = [];
for (const t of targets) {
  const verdicts = new Map<string, number>();
  let slowEvidence = '';
  const reach = { covered: 0, bound: 0, fronted: 0 };
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const [r] = await hardenTargets([t], settings, { boot: (x) => bootTarget(x, { log }), log });
    const wall = (performance.now() - started) / 1000;
    const statuses = r!.checks.filter((c) => c.status !== 'skipped').map((c) => `${c.id}=${c.status}`).join(' ');
    verdicts.set(statuses, (verdicts.get(statuses) ?? 0) + 1);
    const slowRow = r!.checks.find((c) => c.id === 'slow-clients')?.evidence ?? '';
    slowEvidence ||= slowRow;
    if (/in front of it/.test(slowRow)) reach.fronted++;
    else if (/every thread could be holding one/.test(slowRow)) reach.covered++;
    else reach.bound++;
    console.log(`${t.name.padEnd(20)}${wall.toFixed(1).padStart(8)}${''.padEnd(24)}${r!.seconds.toFixed(1).padStart(6)}  ${statuses}`);
  }
  const counts = [...verdicts].map(([v, n]) => `${n}/${repeats} ${v}`).join(' | ');
  summary.push(
    `${t.name}: ${verdicts.size === 1 ? 'identical' : 'DIFFERENT'}: ${counts}\n` +
      `  slow clients reached every thread: ${reach.covered}, stopped at the bound: ${reach.bound}, taken by a front: ${reach.fronted}\n` +
      `  slow-clients evidence (first run): ${slowEvidence}`,
  );
}
console.log(`\nVerdicts per target over ${repeats} run(s):\n${summary.join('\n')}`);
