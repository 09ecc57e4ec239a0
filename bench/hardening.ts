// Prints what the hardening checks cost per target with the default settings (no body path,
// no hanging endpoint: the checks every target gets), boot and teardown included, for each
// preset on the Flask example with the default workers of a 2-CPU runner, and gunicorn sync
// behind nginx. Also prints each check's status, so a figure can be read with its outcome.
// Run: node --import tsx bench/hardening.ts [repeats per target, default 1]
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

const target = (name: string, server: PresetName, proxy = false): Target => {
  const { command, stopSignal, preset } = presetCommand({ server, app: 'app:app', python: '/usr/bin/python3', cores: 2 });
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
  target('uwsgi', 'uwsgi'),
  target('waitress', 'waitress'),
];

console.log(`Runner: ${os.cpus()[0]?.model.trim()} x ${os.availableParallelism()}; defaults: slow-client ${settings.slowClientSeconds} s, no body-path, no hang-path`);
console.log('target              wall s (boot+checks+teardown)  checks s  statuses');
for (const t of targets) {
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const [r] = await hardenTargets([t], settings, { boot: (x) => bootTarget(x, { log }), log });
    const wall = (performance.now() - started) / 1000;
    const statuses = r!.checks.filter((c) => c.status !== 'skipped').map((c) => `${c.id}=${c.status}`).join(' ');
    console.log(`${t.name.padEnd(20)}${wall.toFixed(1).padStart(8)}${''.padEnd(24)}${r!.seconds.toFixed(1).padStart(6)}  ${statuses}`);
  }
}
