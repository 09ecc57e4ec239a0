// Prints, per preset, the time from spawn to the first good answer (boot-to-ready) and the
// time teardown takes (signal to nothing left), over several boots of the Flask example.
// Run: node --import tsx bench/boot-teardown.ts [boots per preset, default 5]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetCommand, PRESETS } from '../src/server/presets.js';
import { freePort, startServer, waitUntilReady } from '../src/server/server.js';
import { median } from '../src/stats/intervals.js';
import type { Target } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const boots = Number(process.argv[2] ?? 5);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

console.log(`preset             workers  boot-to-ready ms (median, max)  teardown ms (median, max)  stopped by`);
for (const server of PRESETS) {
  const { command, stopSignal } = presetCommand({ server, app: 'app:app', workers: 3, python: '/usr/bin/python3', cores: 2 });
  const target: Target = {
    name: server,
    command,
    workingDirectory: path.join(ROOT, 'examples', 'flask'),
    url: 'http://127.0.0.1:$PORT',
    readyPath: '/',
    readyTimeoutSeconds: 30,
    env: {},
    stopSignal,
  };
  const bootMs: number[] = [];
  const stopMs: number[] = [];
  const stoppedBy = new Set<string>();
  for (let i = 0; i < boots; i++) {
    const t0 = process.hrtime.bigint();
    const running = await startServer(target, { port: await freePort() });
    await waitUntilReady(running);
    bootMs.push(ms(t0));
    const t1 = process.hrtime.bigint();
    const stopped = await running.stop();
    stopMs.push(ms(t1));
    stoppedBy.add(stopped.stoppedBy);
    if (stopped.leftovers.length) console.log(`  ${server}: left ${stopped.leftovers.join(',')}`);
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(0).padStart(6)}, ${Math.max(...xs).toFixed(0).padStart(6)}`;
  console.log(`${server.padEnd(18)} ${'3'.padStart(7)}  ${fmt(bootMs).padEnd(31)} ${fmt(stopMs).padEnd(26)} ${[...stoppedBy].join(',')}`);
}
