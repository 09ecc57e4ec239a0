// The leak check looks only at processes this test started: by the inherited marker, or by
// the working directory the test names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OWNER_VARIABLE, serverProcesses } from './helpers/processes.js';

/** A long sleep whose command line reads like a test server. */
function fakeServer(env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn('bash', ['-c', 'exec -a perfgate-test-server sleep 30'], { env, cwd, stdio: 'ignore' });
  return child;
}
const pids = (dirs: string[] = []) => serverProcesses(dirs).map((p) => p.pid);
const settle = () => new Promise((r) => setTimeout(r, 200));

describe('serverProcesses', () => {
  it('finds a server this test started, through its environment', async () => {
    const child = fakeServer(process.env, os.tmpdir());
    try {
      await settle();
      assert.ok(pids().includes(child.pid!));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('ignores one started by someone else (no marker), unless it runs in a directory the test names', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-owned-'));
    const foreignEnv = { PATH: process.env.PATH, [OWNER_VARIABLE]: 'another-test' };
    const child = fakeServer(foreignEnv, dir);
    try {
      await settle();
      assert.ok(!pids().includes(child.pid!), 'another job\'s server is not ours');
      assert.ok(pids([dir]).includes(child.pid!), 'found by its working directory');
      assert.ok(!pids([path.join(os.tmpdir(), 'elsewhere')]).includes(child.pid!));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
