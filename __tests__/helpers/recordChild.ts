// One recorder in its own process, for the racing-writers test:
//   node --import tsx recordChild.ts <workspace> <barrier dir|-> <writers> <rps>
// With a barrier, its first push waits until every writer has built its commit on the same
// tip, so the pushes really collide; the git commands themselves are the real ones.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { realGit } from '../../src/store/git.js';
import { recordRun } from '../../src/store/dataBranch.js';
import { recordAt } from './records.js';
import { git } from './gitRepo.js';

const [workspace, barrier, writers, rps] = process.argv.slice(2) as [string, string, string, string];
const edge = realGit(workspace);
let first = true;
const wrapped = {
  ...edge,
  push(commit: string, branch: string) {
    if (first && barrier !== '-') {
      first = false;
      writeFileSync(path.join(barrier, String(process.pid)), '');
      const until = Date.now() + 30_000;
      while (existsSync(barrier) && readdirSync(barrier).length < Number(writers) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    return edge.push(commit, branch);
  },
};
const head = git(workspace, 'rev-parse', 'HEAD');
const outcome = await recordRun(
  { git: wrapped, branch: 'perf-data', keepRuns: 100, log: { info: (m) => process.stderr.write(`${m}\n`), warning: (m) => process.stderr.write(`warning: ${m}\n`) } },
  recordAt(head, Number(rps), 10),
);
process.stdout.write(JSON.stringify(outcome) + '\n');
