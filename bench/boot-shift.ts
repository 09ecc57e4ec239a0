// How far apart two boots of the same server land, and whether Python's hash seed is why.
//
// A paired gate compares one boot of the base with one boot of the head. If boots of identical
// code differ (memory layout, hash seed, where the workers landed), that shift is in every round
// of the gate and no number of rounds inside the one boot pair can see it. This bench boots
// the same server BOOTS times, alternating between arms (random: Python's default hash seed per
// process; fixed: PYTHONHASHSEED=0; fixed-noaslr: also without address-space randomisation),
// runs TRIALS trials of 1 s in each boot (autocannon runs whole seconds), and prints per arm the sd of the boots' mean log
// requests/s, and what is left of it once the trials' own noise (sd / sqrt(TRIALS)) is taken out.
// Boots follow each other in time, so a slow drift of the machine counts as boot shift here;
// a paired gate, whose two servers run interleaved, does not see that part.
//
// Run: node --import tsx bench/boot-shift.ts [boots=30] [trials=30] [arms=random,fixed] [app=django]
// The server is gunicorn gthread 2x4 on one CPU, the load generator on another, as the product places them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackTrial, mean, pinGeneratorToCpu0, sd, sleep } from './lib/pinnedLoad.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BOOTS = Number(process.argv[2] ?? 30);
const TRIALS = Number(process.argv[3] ?? 30);
const ARMS = (process.argv[4] ?? 'random,fixed').split(',');
const APP = process.argv[5] === 'flask' ? { dir: 'flask', module: 'app:app', path: '/json' } : { dir: 'django', module: 'exampleproject.wsgi:application', path: '/db' };
const PY = '/usr/bin/python3';
if (!ARMS.every((a) => ['random', 'fixed', 'fixed-noaslr'].includes(a)) || !(BOOTS >= 2 * ARMS.length) || !(TRIALS >= 4)) {
  process.stderr.write('usage: bench/boot-shift.ts [boots>=2 per arm] [trials>=4] [random,fixed,fixed-noaslr] [django|flask]\n');
  process.exit(2);
}

const trial = (port: number, seconds: number) => loopbackTrial(port, APP.path, 16, seconds);

pinGeneratorToCpu0();
const byArm = new Map<string, Array<{ rps: number; p99: number; within: number }>>(ARMS.map((a) => [a, []]));
for (let b = 0; b < BOOTS; b++) {
  const arm = ARMS[b % ARMS.length]!;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = { ...process.env };
  delete env.PYTHONHASHSEED;
  if (arm !== 'random') env.PYTHONHASHSEED = '0';
  const server = [PY, '-m', 'gunicorn', APP.module, '--bind', `127.0.0.1:${port}`, '--workers', '2', '--worker-class', 'gthread', '--threads', '4'];
  const child = spawn('taskset', ['-c', '1', ...(arm === 'fixed-noaslr' ? ['setarch', '-R'] : []), ...server], {
    cwd: path.join(ROOT, 'examples', APP.dir),
    stdio: 'ignore',
    detached: true,
    env,
  });
  try {
    await sleep(3000);
    await trial(port, 3);
    const logRps: number[] = [];
    const logP99: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const r = await trial(port, 1);
      logRps.push(Math.log(r.requests.total / r.duration));
      logP99.push(Math.log(r.latency.p99));
    }
    byArm.get(arm)!.push({ rps: mean(logRps), p99: mean(logP99), within: sd(logRps) });
    console.log(`boot ${b + 1} ${arm}: mean rps ${Math.exp(mean(logRps)).toFixed(0)} (within sd ${(sd(logRps) * 100).toFixed(1)}%), p99 ${Math.exp(mean(logP99)).toFixed(1)} ms`);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await sleep(500);
  }
}
for (const [arm, boots] of byArm) {
  const within = mean(boots.map((x) => x.within));
  const between = sd(boots.map((x) => x.rps));
  const own = Math.sqrt(Math.max(0, between ** 2 - within ** 2 / TRIALS));
  console.log(
    `${arm}: ${boots.length} boots; sd of boot means: rps ${(between * 100).toFixed(2)}% (a boot's own share ${(own * 100).toFixed(2)}% after the trials' ${(within * 100).toFixed(1)}% / sqrt ${TRIALS}), p99 ${(sd(boots.map((x) => x.p99)) * 100).toFixed(2)}%`,
  );
}
