// Which gunicorn worker serves a trial, when the server's workers share one CPU.
//
// The product places the load generator on one CPU and the server on the others: on a 2-vCPU
// runner every worker of the server shares one CPU. This bench boots the Flask example under
// gunicorn gthread (WORKERS x 4 threads) the same way, runs TRIALS trials of 1 s with
// CONNECTIONS connections, reads each worker's CPU time (/proc/PID/stat) around every trial,
// and prints how much of a trial's CPU its busiest worker took and the trials' requests/s
// spread, per worker that was busiest.
//
// Run: node --import tsx bench/worker-share.ts [trials=80] [workers=2] [connections=8]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { leafPids, procStatFields } from '../src/server/processTree.js';
import { loopbackTrial, mean, pinGeneratorToCpu0, sd, sleep } from './lib/pinnedLoad.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRIALS = Number(process.argv[2] ?? 80);
const WORKERS = Number(process.argv[3] ?? 2);
const CONNECTIONS = Number(process.argv[4] ?? 8);
if (!(TRIALS >= 4) || !(WORKERS >= 1) || !(CONNECTIONS >= 1)) {
  process.stderr.write('usage: bench/worker-share.ts [trials>=4] [workers>=1] [connections>=1]\n');
  process.exit(2);
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
const cpuTicks = (pid: number) => {
  const fields = procStatFields(pid);
  return Number(fields[11]) + Number(fields[12]);
};

pinGeneratorToCpu0();
const port = 20000 + Math.floor(Math.random() * 20000);
const server = ['/usr/bin/python3', '-m', 'gunicorn', 'app:app', '--bind', `127.0.0.1:${port}`, '--workers', String(WORKERS), '--worker-class', 'gthread', '--threads', '4'];
const child = spawn('taskset', ['-c', '1', ...server], { cwd: path.join(ROOT, 'examples', 'flask'), stdio: 'ignore', detached: true });
const trial = (seconds: number) => loopbackTrial(port, '/json', CONNECTIONS, seconds);
const rows: Array<{ rps: number; share: number; busiest: number }> = [];
try {
  await sleep(2500);
  const workers = await leafPids(child.pid!);
  await trial(2);
  for (let i = 0; i < TRIALS; i++) {
    const before = workers.map(cpuTicks);
    const r = await trial(1);
    const used = workers.map((pid, k) => cpuTicks(pid) - before[k]!);
    const top = Math.max(...used);
    rows.push({ rps: r.requests.total / r.duration, share: top / Math.max(1, used.reduce((a, b) => a + b, 0)), busiest: used.indexOf(top) });
  }
} finally {
  process.kill(-child.pid!, 'SIGTERM');
}
console.log(
  `${WORKERS} workers, ${CONNECTIONS} connections, ${TRIALS} trials of 1 s: requests/s sd ${(sd(rows.map((r) => Math.log(r.rps))) * 100).toFixed(1)}%; ` +
    `the busiest worker took ${(mean(rows.map((r) => r.share)) * 100).toFixed(0)}% of a trial's CPU on average`,
);
for (let w = 0; w < WORKERS; w++) {
  const mine = rows.filter((r) => r.busiest === w);
  if (mine.length > 1) console.log(`  worker ${w + 1} busiest in ${mine.length} trials: requests/s ${mean(mine.map((r) => r.rps)).toFixed(0)}, sd ${(sd(mine.map((r) => Math.log(r.rps))) * 100).toFixed(1)}%`);
  else if (mine.length === 1) console.log(`  worker ${w + 1} busiest in 1 trial: requests/s ${mine[0]!.rps.toFixed(0)}`);
}
